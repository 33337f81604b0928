/**
 * Loader for seqlab's WebAssembly kernels (built from lib/kernels/assembly by
 * scripts/build-kernels.js into dist/lib/kernels/recurrence.wasm). Owns the module's memory:
 * allocation, typed views that survive memory growth, and copies in and out.
 */
import * as fs from "fs";
import * as path from "path";
import * as v8 from "v8";

/** The raw exports of recurrence.wasm; pointers are byte offsets into its memory. */
export interface RecurrenceExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  packedASize(M: number, K: number): number;
  packedBSize(K: number, N: number): number;
  packA(src: number, M: number, K: number, ld: number, trans: number, dst: number): void;
  packB(src: number, K: number, N: number, ld: number, trans: number, dst: number): void;
  gemm(Ap: number, Bp: number, C: number, M: number, N: number, K: number, ldc: number, accumulate: number): void;
  gemmPanels(
    Ap: number, Bp: number, C: number, M: number, N: number, K: number, ldc: number, accumulate: number, p0: number, p1: number,
  ): void;
  fillRows(dst: number, rows: number, n: number, v: number): void;
  columnSums(src: number, rows: number, n: number, out: number): void;
  lstmForward(T: number, B: number, U: number, z: number, hs: number, cs: number, Rp: number, ap: number): void;
  lstmBackward(
    T: number, B: number, U: number, acts: number, hs: number, cs: number, dOut: number, dc: number, dh: number,
    dZ: number, dhs: number, RTp: number, ap: number,
  ): void;
  rnnForward(T: number, B: number, U: number, z: number, hs: number, Rp: number, ap: number, relu: number): void;
  rnnBackward(
    T: number, B: number, U: number, hs: number, dOut: number, dh: number, dZ: number, dhs: number, RTp: number, ap: number,
    relu: number,
  ): void;
  gruForward(
    T: number, B: number, U: number, z: number, hs: number, Rzr: number, Rh: number, inner: number, rh: number, ap: number,
  ): void;
  gruBackward(
    T: number, B: number, U: number, acts: number, hs: number, dOut: number, dh: number, dZ: number, dhs: number,
    RzrT: number, RhT: number, drh: number, ap: number,
  ): void;
}

/** Buffers allocated for one operation and released together. */
export class Arena {
  private readonly ptrs: number[] = [];
  constructor(private readonly k: Kernels) {}
  /** Room for n float32 values. */
  floats(n: number): number {
    return this.bytes(n * 4);
  }
  bytes(n: number): number {
    const p = this.k.alloc(n);
    this.ptrs.push(p);
    return p;
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

export class Kernels {
  private view: Float32Array;
  constructor(readonly x: RecurrenceExports) {
    this.view = new Float32Array(x.memory.buffer);
  }
  /** A float32 view of the whole memory (re-made after the memory grows). */
  f32(): Float32Array {
    if (this.view.buffer !== this.x.memory.buffer) this.view = new Float32Array(this.x.memory.buffer);
    return this.view;
  }
  alloc(bytes: number): number {
    const p = this.x.alloc(Math.max(16, bytes));
    if (!p) throw new Error(`seqlab kernels: out of WebAssembly memory allocating ${bytes} bytes`);
    return p;
  }
  free(ptr: number): void {
    this.x.free(ptr);
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

/** Where the built module lives: beside this file in dist/, or under dist/ when run from source. */
function wasmPath(): string {
  const candidates = [
    path.join(__dirname, "recurrence.wasm"),
    path.resolve(__dirname, "..", "..", "dist", "lib", "kernels", "recurrence.wasm"),
  ];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      `seqlab kernels not built (looked for ${candidates.join(" and ")}); run "npm run build:kernels"`,
    );
  }
  return found;
}

let loaded: Kernels | undefined;
let failure: string | undefined;

/** The kernels, loaded once (synchronously; the module is small). Throws with the reason if unavailable. */
export function loadKernels(): Kernels {
  if (loaded) return loaded;
  if (failure) throw new Error(failure);
  try {
    // V8 first runs wasm in its baseline compiler and only optimises a function between
    // calls; our functions run long loops per call, so compile optimised code up front.
    v8.setFlagsFromString("--no-wasm-dynamic-tiering");
    const module = new WebAssembly.Module(fs.readFileSync(wasmPath()));
    const instance = new WebAssembly.Instance(module, {
      env: {
        abort(_msg: number, _file: number, line: number, col: number) {
          throw new Error(`seqlab kernels aborted at ${line}:${col}`);
        },
      },
    });
    loaded = new Kernels(instance.exports as unknown as RecurrenceExports);
    return loaded;
  } catch (err) {
    failure = (err as Error).message;
    throw err;
  }
}

/** Whether the kernels can run here, and if not why (e.g. not built, no WebAssembly SIMD). */
export function kernelsStatus(): { available: boolean; reason: string } {
  try {
    loadKernels();
    return { available: true, reason: "WebAssembly SIMD kernels loaded" };
  } catch (err) {
    return { available: false, reason: (err as Error).message };
  }
}
