/**
 * A kernel worker thread: instantiates the kernels on the shared memory and runs its share
 * of the work (a range of a product's B panels, or of an LSTM step's units) whenever the
 * main thread posts a job.
 */
import { workerData } from "worker_threads";
import { ARITY, CONTROL_INTS, SHARED_OPS, SLOT, kernelImports, type WorkerData } from "./protocol";

const data = workerData as WorkerData;
const instance = new WebAssembly.Instance(data.module, kernelImports(data.memory));
const ops = SHARED_OPS.map((name) => instance.exports[name] as (...args: number[]) => void);
const control = new Int32Array(data.memory.buffer, data.control, CONTROL_INTS);

// Read the job counter before saying ready, so a job posted right after is not missed.
let seen = Atomics.load(control, SLOT.seq);
Atomics.store(control, SLOT.ready, 1);
Atomics.notify(control, SLOT.ready);
for (;;) {
  Atomics.wait(control, SLOT.seq, seen);
  seen = Atomics.load(control, SLOT.seq);
  if (Atomics.load(control, SLOT.stop)) break;
  try {
    ops[control[SLOT.op]](...control.subarray(SLOT.args, SLOT.args + ARITY));
  } catch {
    Atomics.store(control, SLOT.failed, 1); // the main thread reports it
  }
  Atomics.store(control, SLOT.done, seen);
  Atomics.notify(control, SLOT.done);
}
