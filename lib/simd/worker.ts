/**
 * A kernel worker thread: instantiates the kernels on the shared memory and runs its share
 * of matrix products (a range of B panels) whenever the main thread posts a job.
 */
import { workerData } from "worker_threads";
import { CONTROL_INTS, SLOT, kernelImports, type WorkerData } from "./protocol";

const data = workerData as WorkerData;
const instance = new WebAssembly.Instance(data.module, kernelImports(data.memory));
const gemmPanels = instance.exports.gemmPanels as (...args: number[]) => void;
const control = new Int32Array(data.memory.buffer, data.control, CONTROL_INTS);

// Read the job counter before saying ready, so a job posted right after is not missed.
let seen = Atomics.load(control, SLOT.seq);
Atomics.store(control, SLOT.ready, 1);
Atomics.notify(control, SLOT.ready);
for (;;) {
  Atomics.wait(control, SLOT.seq, seen);
  seen = Atomics.load(control, SLOT.seq);
  if (Atomics.load(control, SLOT.stop)) break;
  const a = SLOT.args;
  try {
    gemmPanels(
      control[a], control[a + 1], control[a + 2], control[a + 3], control[a + 4], control[a + 5],
      control[a + 6], control[a + 7], control[a + 8], control[a + 9], control[a + 10],
    );
  } catch {
    Atomics.store(control, SLOT.failed, 1); // the main thread reports it
  }
  Atomics.store(control, SLOT.done, seen);
  Atomics.notify(control, SLOT.done);
}
