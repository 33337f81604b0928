/**
 * The control block through which the main thread hands a share of work (a range of a
 * product's panels, or of an LSTM step's units) to a kernel worker: int32 slots in the shared
 * WebAssembly memory, one block per worker.
 */
export const SLOT = {
  /** Bumped by the main thread for each job; the worker waits on it. */
  seq: 0,
  /** Set by the worker to the seq it finished; the main thread waits on it. */
  done: 1,
  /** Set to 1 by the worker once it has instantiated the module. */
  ready: 2,
  /** Set to 1 to make the worker exit. */
  stop: 3,
  /** Set to 1 by the worker when its share failed. */
  failed: 4,
  /** Which kernel export to run: an index into SHARED_OPS. */
  op: 5,
  /** Its arguments, ARITY of them. */
  args: 6,
} as const;

/**
 * The kernel exports a worker runs a share of, each with ARITY integer arguments:
 * gemmPanels(Ap, Bp, C, M, N, K, ldc, accumulate, p0, p1, tile) and
 * lstmStepUnits(Ap, Rp, zt, B, U, u0, u1, cPrev, cNext, hNext, tile).
 */
export const SHARED_OPS = ["gemmPanels", "lstmStepUnits"] as const;
export type SharedOp = (typeof SHARED_OPS)[number];
export const ARITY = 11;

export const CONTROL_INTS = SLOT.args + ARITY;

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of this worker's control block. */
  control: number;
}

/** What the AssemblyScript kernels import, the same on the main thread and in each worker. */
export function kernelImports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`seqlab SIMD kernels aborted at ${line}:${col}`);
      },
    },
  };
}
