/**
 * The control block through which the main thread hands a share of a matrix product to a
 * kernel worker: 16 int32 slots in the shared WebAssembly memory, one block per worker.
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
  /** gemmPanels arguments: Ap, Bp, C, M, N, K, ldc, accumulate, p0, p1, tile. */
  args: 4,
  /** Set to 1 by the worker when its share failed. */
  failed: 15,
} as const;

export const CONTROL_INTS = 16;

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
