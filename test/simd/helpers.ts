/**
 * Shared pieces for the kernel tests: deterministic data, plain-JS references for the packed
 * layouts and the matrix product, and a way to run a product through the kernels.
 */
import { loadSimd, type Arena, type Simd } from "../../lib/simd";
import { makeRng } from "../../lib/random";

export const kernels = (): Simd => loadSimd();

/** n float32 values uniform in (-scale, scale), the same for the same seed. */
export function values(n: number, seed: number, scale = 1): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => scale * (2 * rng.next() - 1));
}

/** Element (r, c) of a matrix stored row-major with row stride ld, or its transpose's when trans. */
const at = (src: ArrayLike<number>, r: number, c: number, ld: number, trans: boolean) => (trans ? src[c * ld + r] : src[r * ld + c]);

/** The packed left operand as documented in recurrence.as: [ceil(M/4)][K][4], missing rows zero. */
export function packARef(src: ArrayLike<number>, M: number, K: number, ld: number, trans: boolean): Float32Array {
  const out = new Float32Array(Math.ceil(M / 4) * K * 4);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) out[(m >> 2) * K * 4 + k * 4 + (m & 3)] = at(src, m, k, ld, trans);
  }
  return out;
}

/** The packed right operand: [ceil(N/8)][K][8], missing columns zero. */
export function packBRef(src: ArrayLike<number>, K: number, N: number, ld: number, trans: boolean): Float32Array {
  const out = new Float32Array(Math.ceil(N / 8) * K * 8);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) out[(n >> 3) * K * 8 + k * 8 + (n & 7)] = at(src, k, n, ld, trans);
  }
  return out;
}

export interface GemmCase {
  M: number;
  N: number;
  K: number;
  /** Row stride of C (default N): C may be a column block of a wider matrix. */
  ldc?: number;
  accumulate?: boolean;
}

export interface GemmProblem extends Required<GemmCase> {
  A: Float32Array;
  B: Float32Array;
  /** C before the product: what accumulate adds to, and what must survive outside the block. */
  C0: Float32Array;
}

export function gemmProblem(c: GemmCase, seed = 1): GemmProblem {
  const ldc = c.ldc ?? c.N;
  return {
    ...c,
    ldc,
    accumulate: c.accumulate ?? false,
    A: values(c.M * c.K, seed),
    B: values(c.K * c.N, seed + 1),
    C0: values(c.M * ldc, seed + 2, 10),
  };
}

/**
 * What C must hold after the product over panels [p0, p1) (default all), in float64, and per
 * element the sum of |a·b| terms, which bounds float32 rounding. Outside the block C keeps C0.
 */
export function gemmRef(p: GemmProblem, p0 = 0, p1 = Math.ceil(p.N / 8)): { want: Float64Array; bound: Float64Array } {
  const want = Float64Array.from(p.C0);
  const bound = new Float64Array(p.C0.length);
  for (let m = 0; m < p.M; m++) {
    for (let n = p0 * 8; n < Math.min(p.N, p1 * 8); n++) {
      let s = 0, abs = 0;
      for (let k = 0; k < p.K; k++) {
        const t = p.A[m * p.K + k] * p.B[k * p.N + n];
        s += t;
        abs += Math.abs(t);
      }
      const i = m * p.ldc + n;
      want[i] = p.accumulate ? want[i] + s : s;
      bound[i] = abs + (p.accumulate ? Math.abs(p.C0[i]) : 0);
    }
  }
  return { want, bound };
}

/** Operands packed in kernel memory and C filled with C0; pointers into k's memory. */
export function placeGemm(k: Simd, arena: Arena, p: GemmProblem) {
  const a = arena.put(p.A);
  const b = arena.put(p.B);
  const Ap = arena.bytes(k.x.packedASize(p.M, p.K));
  const Bp = arena.bytes(k.x.packedBSize(p.K, p.N));
  k.x.packA(a, p.M, p.K, p.K, 0, Ap);
  k.x.packB(b, p.K, p.N, p.N, 0, Bp);
  return { Ap, Bp, C: arena.put(p.C0) };
}

/**
 * Indices where got differs from want by more than float32 rounding allows (relative 1e-5 of
 * the sum of |terms|, ample for K up to thousands), described for an assertion message.
 */
export function mismatches(got: ArrayLike<number>, want: ArrayLike<number>, bound: ArrayLike<number>, ldc: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-5 * bound[i] + 1e-30)) {
      out.push(`C[${Math.floor(i / ldc)}][${i % ldc}] = ${got[i]}, want ${want[i]}`);
    }
  }
  return out;
}

/** C after the product of p over panels [p0, p1) (default all), computed by the kernels. */
export function runGemm(p: GemmProblem, p0 = 0, p1 = Math.ceil(p.N / 8)): Float32Array {
  return withArena((k, arena) => {
    const { Ap, Bp, C } = placeGemm(k, arena, p);
    k.x.gemmPanels(Ap, Bp, C, p.M, p.N, p.K, p.ldc, p.accumulate ? 1 : 0, p0, p1, arena.bytes(128));
    return k.read(C, p.C0.length);
  });
}

/** Run f with an arena released afterwards. */
export function withArena<T>(f: (k: Simd, arena: Arena) => T): T {
  const k = kernels();
  const arena = k.arena();
  try {
    return f(k, arena);
  } finally {
    arena.release();
  }
}
