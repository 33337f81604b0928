/**
 * Splits work over worker threads: matrix products by ranges of B's column panels, and LSTM
 * steps by ranges of units. The main thread computes the first share while the workers run
 * the others, then waits. The kernels share one WebAssembly memory, so nothing is copied.
 */
import * as path from "path";
import { Worker } from "worker_threads";
import { CONTROL_INTS, SHARED_OPS, SLOT, type SharedOp, type WorkerData } from "./protocol";

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

/** A helper whose worker has not said it is ready yet, and when it was started. */
interface StartingHelper extends Helper {
  since: number;
}

/** How long to wait for a worker to start before running without it. */
const START_TIMEOUT_MS = 10_000;
/** How long a share of one product may take before its worker counts as lost. */
const STALL_TIMEOUT_MS = 120_000;

export class SimdPool {
  private helpers: Helper[] = [];
  /** Workers started without waiting (see resize), until they are ready. */
  private starting: StartingHelper[] = [];
  /** Why a worker started without waiting was given up, if one was. */
  startFailure?: string;

  constructor(private readonly host: PoolHost) {}

  /** Threads asked for: this one, the ready workers and those still starting. */
  get threads(): number {
    return this.helpers.length + this.starting.length + 1;
  }

  /** Threads that share products now: this one and the ready workers. */
  get readyThreads(): number {
    this.promoteReady();
    return this.helpers.length + 1;
  }

  /**
   * Start workers until `threads` threads (this one included) share the products. With `wait`,
   * returns once they are ready, those an earlier call started without waiting too (a worker
   * takes some 70 ms to start, this thread blocked); without, they join the products once
   * ready, and products until then run on fewer threads: the kernel's first choice of
   * backend, before a cell that is about to run, does not wait.
   */
  resize(threads: number, wait = true): void {
    this.promoteReady();
    while (this.threads > threads) this.stopOne();
    while (this.threads < threads) {
      const control = this.host.alloc(CONTROL_INTS * 4);
      const tile = this.host.alloc(128);
      const view = new Int32Array(this.host.memory.buffer, control, CONTROL_INTS);
      view.fill(0);
      const data: WorkerData = { module: this.host.module, memory: this.host.memory, control };
      const worker = new Worker(path.join(__dirname, "worker.js"), { workerData: data });
      worker.unref(); // an idle worker must not keep the process alive
      worker.on("error", () => undefined); // a failed start shows up as a missing ready flag
      if (!wait) {
        this.starting.push({ worker, control: view, tile, since: Date.now() });
        continue;
      }
      if (Atomics.wait(view, SLOT.ready, 0, START_TIMEOUT_MS) === "timed-out" && !Atomics.load(view, SLOT.ready)) {
        void worker.terminate();
        throw new Error(`SIMD worker did not start within ${START_TIMEOUT_MS / 1000} s`);
      }
      this.helpers.push({ worker, control: view, tile });
    }
    if (wait && this.starting.length > 0) this.awaitStarting(threads);
  }

  /** Waits for the workers started without waiting (an explicit request after the automatic one). */
  private awaitStarting(threads: number): void {
    for (const h of this.starting) {
      const left = START_TIMEOUT_MS - (Date.now() - h.since);
      if (left > 0) Atomics.wait(this.refresh(h).control, SLOT.ready, 0, left);
    }
    this.promoteReady();
    if (this.threads < threads) throw new Error(`SIMD worker did not start within ${START_TIMEOUT_MS / 1000} s`);
  }

  /** Moves the workers started without waiting that are ready into the pool; gives up on late ones. */
  private promoteReady(): void {
    if (this.starting.length === 0) return;
    const still: StartingHelper[] = [];
    for (const h of this.starting) {
      const control = this.refresh(h).control;
      if (Atomics.load(control, SLOT.ready)) this.helpers.push({ worker: h.worker, control, tile: h.tile });
      else if (Date.now() - h.since >= START_TIMEOUT_MS) {
        void h.worker.terminate();
        this.startFailure = `a SIMD worker did not start within ${START_TIMEOUT_MS / 1000} s; products run on fewer threads`;
      } else still.push(h);
    }
    this.starting = still;
  }

  private stopOne(): void {
    const starting = this.starting.pop();
    if (starting) {
      void starting.worker.terminate(); // it waits for no job yet
      return;
    }
    const h = this.helpers.pop()!;
    Atomics.store(h.control, SLOT.stop, 1);
    Atomics.add(h.control, SLOT.seq, 1);
    Atomics.notify(h.control, SLOT.seq);
  }

  /** Into how many shares to split `units` indivisible pieces of `work` multiply-adds. */
  private parts(units: number, work: number, minWorkPerThread: number): number {
    this.promoteReady();
    return Math.min(this.helpers.length + 1, units, Math.floor(work / Math.max(1, minWorkPerThread)));
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
    const parts = this.parts(panels, M * N * K, minWorkPerThread);
    if (parts <= 1) {
      run(0, panels);
      return;
    }
    const bounds = Array.from({ length: parts + 1 }, (_, i) => Math.round((panels * i) / parts));
    this.share("gemmPanels", parts, (w, tile) => [...args, bounds[w], bounds[w + 1], tile], () => run(bounds[0], bounds[1]));
  }

  /**
   * Run one LSTM step (lstmStepUnits) split between the threads by units, in blocks of 8 (U
   * must be a multiple of 8). `run` computes a unit range on this thread.
   */
  lstmStep(
    args: [Ap: number, Rp: number, zt: number, B: number, U: number],
    states: [cPrev: number, cNext: number, hNext: number],
    minWorkPerThread: number,
    run: (u0: number, u1: number) => void,
  ): void {
    const [, , , B, U] = args;
    const blocks = U >> 3;
    const parts = this.parts(blocks, B * 4 * U * U, minWorkPerThread);
    if (parts <= 1) {
      run(0, U);
      return;
    }
    const bounds = Array.from({ length: parts + 1 }, (_, i) => 8 * Math.round((blocks * i) / parts));
    this.share("lstmStepUnits", parts, (w, tile) => [...args, bounds[w], bounds[w + 1], ...states, tile], () => run(bounds[0], bounds[1]));
  }

  /** Shares 1..parts-1 of `op` to the helpers (argsOf gives each its arguments), share 0 here. */
  private share(op: SharedOp, parts: number, argsOf: (w: number, tile: number) => number[], runHere: () => void): void {
    const busy: Helper[] = [];
    for (let w = 1; w < parts; w++) {
      // The helpers need a fresh view if the memory grew since they were made.
      const h = this.refresh(this.helpers[w - 1]);
      const c = h.control;
      c[SLOT.op] = SHARED_OPS.indexOf(op);
      c.set(argsOf(w, h.tile), SLOT.args);
      Atomics.add(c, SLOT.seq, 1);
      Atomics.notify(c, SLOT.seq);
      busy.push(h);
    }
    try {
      runHere();
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
