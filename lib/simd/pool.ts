/**
 * Splits matrix products over worker threads: each takes a contiguous range of B's column
 * panels while the main thread computes the first range, then the main thread waits. The
 * kernels share one WebAssembly memory, so nothing is copied.
 */
import * as path from "path";
import { Worker } from "worker_threads";
import { CONTROL_INTS, SLOT, type WorkerData } from "./protocol";

export interface PoolHost {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
}

interface Helper {
  worker: Worker;
  control: Int32Array;
  tile: number;
}

/** How long to wait for a worker to start before running without it. */
const START_TIMEOUT_MS = 10_000;
/** How long a share of one product may take before its worker counts as lost. */
const STALL_TIMEOUT_MS = 120_000;

export class GemmPool {
  private helpers: Helper[] = [];

  constructor(private readonly host: PoolHost) {}

  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Start workers until `threads` threads (this one included) share the products. */
  resize(threads: number): void {
    while (this.helpers.length > threads - 1) this.stopOne();
    while (this.helpers.length < threads - 1) {
      const control = this.host.alloc(CONTROL_INTS * 4);
      const tile = this.host.alloc(128);
      const view = new Int32Array(this.host.memory.buffer, control, CONTROL_INTS);
      view.fill(0);
      const data: WorkerData = { module: this.host.module, memory: this.host.memory, control };
      const worker = new Worker(path.join(__dirname, "worker.js"), { workerData: data });
      worker.unref(); // an idle worker must not keep the process alive
      worker.on("error", () => undefined); // a failed start shows up as a missing ready flag
      if (Atomics.wait(view, SLOT.ready, 0, START_TIMEOUT_MS) === "timed-out" && !Atomics.load(view, SLOT.ready)) {
        void worker.terminate();
        throw new Error(`SIMD worker did not start within ${START_TIMEOUT_MS / 1000} s`);
      }
      this.helpers.push({ worker, control: view, tile });
    }
  }

  private stopOne(): void {
    const h = this.helpers.pop()!;
    Atomics.store(h.control, SLOT.stop, 1);
    Atomics.add(h.control, SLOT.seq, 1);
    Atomics.notify(h.control, SLOT.seq);
  }

  /**
   * Run gemmPanels over all panels, split between the threads. `run` computes a panel range
   * on this thread.
   */
  gemm(
    args: [Ap: number, Bp: number, C: number, M: number, N: number, K: number, ldc: number, accumulate: number],
    minWorkPerThread: number,
    run: (p0: number, p1: number) => void,
  ): void {
    const [, , , M, N, K] = args;
    const panels = (N + 7) >> 3;
    const parts = Math.min(this.helpers.length + 1, panels, Math.floor((M * N * K) / Math.max(1, minWorkPerThread)));
    if (parts <= 1) {
      run(0, panels);
      return;
    }
    // The helpers need a fresh view if the memory grew since they were made.
    const bounds = Array.from({ length: parts + 1 }, (_, i) => Math.round((panels * i) / parts));
    const busy: Helper[] = [];
    for (let w = 1; w < parts; w++) {
      const h = this.refresh(this.helpers[w - 1]);
      const c = h.control;
      c.set(args, SLOT.args);
      c[SLOT.args + 8] = bounds[w];
      c[SLOT.args + 9] = bounds[w + 1];
      c[SLOT.args + 10] = h.tile;
      Atomics.add(c, SLOT.seq, 1);
      Atomics.notify(c, SLOT.seq);
      busy.push(h);
    }
    try {
      run(bounds[0], bounds[1]);
    } finally {
      // Even when this thread's share throws, wait for the helpers: a share left running
      // would write into buffers the caller is about to free and reuse.
      this.awaitHelpers(busy);
    }
  }

  private awaitHelpers(busy: Helper[]): void {
    for (const h of busy) {
      const seq = Atomics.load(h.control, SLOT.seq);
      const deadline = Date.now() + STALL_TIMEOUT_MS;
      let done: number;
      while ((done = Atomics.load(h.control, SLOT.done)) !== seq) {
        if (Atomics.wait(h.control, SLOT.done, done, 1000) === "timed-out" && Date.now() > deadline) {
          // Never hang the process on a lost worker: end the pool's threads and say so.
          for (const lost of this.helpers) void lost.worker.terminate();
          this.helpers = [];
          throw new Error("a SIMD worker stopped responding; SIMD kernels now run on one thread");
        }
      }
      if (Atomics.exchange(h.control, SLOT.failed, 0)) throw new Error("a SIMD worker failed on its share of a product");
    }
  }

  private refresh(h: Helper): Helper {
    if (h.control.buffer !== this.host.memory.buffer) {
      h.control = new Int32Array(this.host.memory.buffer, h.control.byteOffset, CONTROL_INTS);
    }
    return h;
  }
}
