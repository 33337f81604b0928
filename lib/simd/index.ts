/**
 * Loader for seqlab's WebAssembly SIMD kernels (built from lib/simd/assembly by
 * scripts/build-kernels.js into dist/lib/simd/recurrence.wasm, and recurrence.relaxed.wasm
 * with fused multiply-add, preferred where V8 accepts it). Owns the module's memory:
 * allocation, typed views that survive memory growth, and copies in and out.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as v8 from "v8";
import { SimdPool } from "./pool";
import { kernelImports } from "./protocol";

/** The raw exports of recurrence.wasm; pointers are byte offsets into its memory. */
export interface RecurrenceExports {
  alloc(bytes: number): number;
  free(ptr: number): void;
  packedASize(M: number, K: number): number;
  packedBSize(K: number, N: number): number;
  packA(src: number, M: number, K: number, ld: number, trans: number, dst: number): void;
  packB(src: number, K: number, N: number, ld: number, trans: number, dst: number): void;
  gemmPanels(
    Ap: number, Bp: number, C: number, M: number, N: number, K: number, ldc: number, accumulate: number, p0: number, p1: number,
    tile: number,
  ): void;
  fillRows(dst: number, rows: number, n: number, v: number): void;
  columnSums(src: number, rows: number, n: number, out: number): void;
  lstmGates(B: number, U: number, zt: number, cPrev: number, cNext: number, hNext: number): void;
  lstmStepUnits(
    Ap: number, Rp: number, zt: number, B: number, U: number, u0: number, u1: number, cPrev: number, cNext: number,
    hNext: number, tile: number,
  ): void;
  lstmGatesBackward(
    B: number, U: number, at: number, cPrev: number, cNow: number, dOutT: number, dh: number, dc: number, dzt: number,
    dhsT: number,
  ): void;
  rnnActivate(n: number, zt: number, hNext: number, relu: number): void;
  rnnActivateBackward(n: number, hNow: number, dOutT: number, dh: number, dzt: number, dhsT: number, relu: number): void;
  gruGates(B: number, U: number, zt: number, inner: number, hPrev: number, rh: number): void;
  gruCandidate(B: number, U: number, zt: number, hPrev: number, hNext: number): void;
  gruBackwardGates(B: number, U: number, at: number, hPrev: number, dOutT: number, dh: number, dzt: number, dhsT: number): void;
  gruBackwardReset(B: number, U: number, at: number, hPrev: number, drh: number, dzt: number, dh: number): void;
}

/** Buffers allocated for one operation and released together. */
export class Arena {
  private readonly ptrs: number[] = [];
  constructor(private readonly k: Simd) {}
  /** Room for n float32 values. */
  floats(n: number): number {
    return this.bytes(n * 4);
  }
  bytes(n: number): number {
    const p = this.k.alloc(n);
    this.ptrs.push(p);
    return p;
  }
  /** Free `ptr` (allocated with Simd.alloc) along with the rest. */
  adopt(ptr: number): number {
    this.ptrs.push(ptr);
    return ptr;
  }
  /** Allocate and fill with data. */
  put(data: ArrayLike<number>): number {
    const p = this.floats(data.length);
    this.k.f32().set(data, p >> 2);
    return p;
  }
  release(): void {
    for (const p of this.ptrs) this.k.free(p);
    this.ptrs.length = 0;
  }
}

/**
 * Products smaller than this many multiply-adds per thread stay on one thread: waking a
 * worker costs about 50 us here, more than it saves on small products. Measured on 2 cores:
 * [1x256]x[256x1024] 24 us alone, 65 us split; [4x256]x[256x1024] 91 vs 122 us; batch-1
 * sampling's [1x1024]x[1024x4096] 799 vs 466 us and [4x512]x[512x2048] 339 vs 259 us.
 */
export const DEFAULT_MIN_WORK = 1 << 20;
let minWorkPerThread = DEFAULT_MIN_WORK;

export class Simd {
  private view: Float32Array;
  private readonly tile: number;
  /**
   * The end of the highest block ever allocated: the memory in use at its peak. The memory's
   * own size is no guide, as the allocator doubles it whenever it runs out; pages above this
   * mark are never written, so they take no resident memory.
   */
  highWater = 0;
  /** Bytes allocated and not yet freed, and their most since resetPeak (for tests of how memory is reused). */
  inUse = 0;
  peakInUse = 0;
  private readonly sizes = new Map<number, number>();
  readonly pool: SimdPool;
  constructor(
    readonly x: RecurrenceExports,
    readonly memory: WebAssembly.Memory,
    readonly module: WebAssembly.Module,
  ) {
    this.view = new Float32Array(memory.buffer);
    this.tile = this.alloc(128);
    this.pool = new SimdPool(this);
  }
  /** A float32 view of the whole memory (re-made after the memory grows). */
  f32(): Float32Array {
    const buffer = this.memory.buffer;
    if (this.view.buffer !== buffer) this.view = new Float32Array(buffer);
    return this.view;
  }
  /** C = A·B, or C += A·B when accumulate (A, B packed; see assembly/recurrence.as), on all threads. */
  gemm(Ap: number, Bp: number, C: number, M: number, N: number, K: number, ldc: number, accumulate: boolean): void {
    const acc = accumulate ? 1 : 0;
    this.pool.gemm([Ap, Bp, C, M, N, K, ldc, acc], minWorkPerThread, (p0, p1) =>
      this.x.gemmPanels(Ap, Bp, C, M, N, K, ldc, acc, p0, p1, this.tile),
    );
  }
  /**
   * One LSTM step after zt (B x 4U) received x·W + b: zt += h_{t-1}·R (Ap: packed h_{t-1},
   * Rp: packed R), then the gates, writing c_t and h_t; on all threads, split by units, each
   * thread running its units' gates as soon as their columns are done. U: a multiple of 8.
   */
  lstmStep(Ap: number, Rp: number, zt: number, B: number, U: number, cPrev: number, cNext: number, hNext: number): void {
    this.pool.lstmStep([Ap, Rp, zt, B, U], [cPrev, cNext, hNext], minWorkPerThread, (u0, u1) =>
      this.x.lstmStepUnits(Ap, Rp, zt, B, U, u0, u1, cPrev, cNext, hNext, this.tile),
    );
  }
  alloc(bytes: number): number {
    const p = this.x.alloc(Math.max(16, bytes));
    if (!p) throw new Error(`seqlab SIMD kernels: out of WebAssembly memory allocating ${bytes} bytes`);
    this.highWater = Math.max(this.highWater, p + bytes);
    this.sizes.set(p, bytes);
    this.inUse += bytes;
    this.peakInUse = Math.max(this.peakInUse, this.inUse);
    return p;
  }
  free(ptr: number): void {
    this.x.free(ptr);
    this.inUse -= this.sizes.get(ptr) ?? 0;
    this.sizes.delete(ptr);
  }
  /** Start counting peakInUse again from the bytes in use now. */
  resetPeak(): void {
    this.peakInUse = this.inUse;
  }
  /** A fresh copy of n floats at ptr (safe to hand to tfjs, which may keep the array). */
  read(ptr: number, n: number): Float32Array {
    return this.f32().slice(ptr >> 2, (ptr >> 2) + n);
  }
  /** A live view of n floats at ptr; invalid after the next allocation. */
  view32(ptr: number, n: number): Float32Array {
    return this.f32().subarray(ptr >> 2, (ptr >> 2) + n);
  }
  arena(): Arena {
    return new Arena(this);
  }
}

/** Where a built module (e.g. "recurrence.wasm") lives: beside this file in dist/, or under dist/ when run from source. */
export function builtKernelPath(file = "recurrence.wasm"): string {
  const candidates = [
    path.join(__dirname, file),
    path.resolve(__dirname, "..", "..", "dist", "lib", "simd", file),
  ];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      `seqlab SIMD kernels not built (looked for ${candidates.join(" and ")}); run "npm run build:kernels"`,
    );
  }
  return found;
}

/** TensorFlow.js backends whose tensors live in plain memory, where copying to the SIMD kernels is cheap. */
export const SIMD_BACKENDS: ReadonlySet<string> = new Set(["wasm", "cpu"]);

let loaded: Simd | undefined;
let failure: string | undefined;
/** Why the kernels run on fewer threads than asked, if they do. */
let threadNote: string | undefined;
/** Whether the products use fused multiply-add (the relaxed-SIMD build), and why not if they don't. */
let fusedMultiplyAdd = false;
let plainNote: string | undefined;

/**
 * The relaxed-SIMD build (one fused multiply-add instruction where the plain build needs a
 * multiply and an add: 1.3-1.5x faster products here) when this V8 accepts it, else the plain
 * build. Node 20's V8 has relaxed SIMD behind a flag, which is set only if validation needs it.
 * SEQLAB_SIMD_FMA=0 asks for the plain build (the same sums rounded after each multiply).
 */
function compileKernels(): WebAssembly.Module {
  const plain = builtKernelPath();
  const relaxedPath = plain.replace(/\.wasm$/, ".relaxed.wasm");
  fusedMultiplyAdd = false;
  if (process.env.SEQLAB_SIMD_FMA === "0") {
    plainNote = undefined; // asked for, so not a fallback to announce
    return new WebAssembly.Module(fs.readFileSync(plain));
  }
  if (!fs.existsSync(relaxedPath)) {
    plainNote = `the fused multiply-add kernels are not built (no ${relaxedPath}; run "npm run build:kernels"); products use the plain SIMD build, about 1.4x slower`;
    return new WebAssembly.Module(fs.readFileSync(plain));
  }
  const relaxed = fs.readFileSync(relaxedPath);
  if (!WebAssembly.validate(relaxed)) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  if (WebAssembly.validate(relaxed)) {
    fusedMultiplyAdd = true;
    plainNote = undefined;
    return new WebAssembly.Module(relaxed);
  }
  plainNote = `this Node's V8 (${process.versions.v8}) has no WebAssembly relaxed SIMD; products use the plain SIMD build without fused multiply-add, about 1.4x slower`;
  return new WebAssembly.Module(fs.readFileSync(plain));
}

/** The kernels, loaded once (synchronously; the module is small). Throws with the reason if unavailable. */
export function loadSimd(): Simd {
  if (loaded) return loaded;
  if (failure) throw new Error(failure);
  try {
    // V8 first runs wasm in its baseline compiler and only optimises a function between
    // calls; our functions run long loops per call, so compile optimised code up front.
    v8.setFlagsFromString("--no-wasm-dynamic-tiering");
    const module = compileKernels();
    // Shared, so worker threads can instantiate the same module on the same data.
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 32768, shared: true });
    const instance = new WebAssembly.Instance(module, kernelImports(memory));
    loaded = new Simd(instance.exports as unknown as RecurrenceExports, memory, module);
    const wanted = defaultThreads();
    try {
      loaded.pool.resize(wanted, false); // the workers join once started (pool.ts)
    } catch (err) {
      // Threads are an optimisation: without them every product runs on this thread.
      threadNote = `SIMD worker threads unavailable (${(err as Error).message}); products run on ${loaded.pool.threads} of ${wanted} threads`;
    }
    return loaded;
  } catch (err) {
    failure = (err as Error).message;
    throw err;
  }
}

/**
 * Whether the kernels can run here, and if not why (e.g. not built, no WebAssembly SIMD);
 * on how many threads, and why fewer than asked if so.
 */
export function simdStatus(): {
  available: boolean;
  reason: string;
  threads: number;
  threadNote?: string;
  /** True when the products use fused multiply-add (the relaxed-SIMD build). */
  fusedMultiplyAdd?: boolean;
  /** Why they don't, when they don't. */
  plainNote?: string;
} {
  try {
    loadSimd();
    const threads = simdThreads();
    const kind = fusedMultiplyAdd ? "WebAssembly SIMD kernels with fused multiply-add" : "WebAssembly SIMD kernels";
    return { available: true, reason: `${kind} on ${threads} thread(s)`, threads, threadNote: threadNote ?? loaded?.pool.startFailure, fusedMultiplyAdd, plainNote };
  } catch (err) {
    return { available: false, reason: (err as Error).message, threads: 0 };
  }
}

/**
 * SEQLAB_SIMD_THREADS (or its old name SEQLAB_KERNEL_THREADS, with a deprecation warning),
 * else one thread per core (at most 4: the recurrence is memory-bound).
 */
function defaultThreads(): number {
  const fromEnv = Number(process.env.SEQLAB_SIMD_THREADS || deprecatedThreadsVariable());
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
}

let warnedOldVariable = false;
/** SEQLAB_KERNEL_THREADS, renamed because "kernel" in this project means the Jupyter kernel. */
function deprecatedThreadsVariable(): string | undefined {
  const value = process.env.SEQLAB_KERNEL_THREADS;
  if (value !== undefined && !warnedOldVariable) {
    warnedOldVariable = true;
    process.emitWarning("SEQLAB_KERNEL_THREADS is deprecated; set SEQLAB_SIMD_THREADS instead", "DeprecationWarning");
  }
  return value;
}

/**
 * Set how many threads share the kernels' matrix products (1 = this thread only), and
 * optionally the smallest product (multiply-adds per thread) worth splitting.
 */
export function setSimdThreads(threads: number, minWork?: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new Error(`setSimdThreads: threads must be an integer from 1 to 64, got ${threads}`);
  }
  if (minWork !== undefined) {
    if (!(minWork >= 0)) throw new Error(`setSimdThreads: minWork must be >= 0, got ${minWork}`);
    minWorkPerThread = minWork;
  }
  loadSimd().pool.resize(threads);
  threadNote = undefined;
}

/** Threads now sharing the kernels' products. */
export function simdThreads(): number {
  return loadSimd().pool.threads;
}
