import { expect } from "chai";
import { DEFAULT_MIN_WORK, loadSimd, simdThreads, setSimdThreads } from "../../lib/simd";
import { gemmProblem, gemmRef, mismatches, placeGemm, withArena, type GemmProblem } from "./helpers";

/** C after Simd.gemm (the pool's split over its threads) for problem p. */
function pooledGemm(p: GemmProblem): Float32Array {
  return withArena((k, arena) => {
    const { Ap, Bp, C } = placeGemm(k, arena, p);
    k.gemm(Ap, Bp, C, p.M, p.N, p.K, p.ldc, p.accumulate);
    return k.read(C, p.C0.length);
  });
}

function expectCorrect(p: GemmProblem, got: Float32Array): void {
  const { want, bound } = gemmRef(p);
  expect(mismatches(got, want, bound, p.ldc).slice(0, 5)).to.deep.equal([]);
}

describe("simd: the threaded split of matrix products (lib/simd/pool.ts)", () => {
  let saved: number;
  before(() => {
    saved = simdThreads();
  });
  after(() => {
    setSimdThreads(saved, DEFAULT_MIN_WORK);
  });

  // Panels: 2 (fewer than threads), 6 (uneven shares), 38 (the lab's weight gradients, chunked).
  for (const c of [
    { M: 3, N: 9, K: 5 },
    { M: 13, N: 47, K: 31, accumulate: true },
    { M: 256, N: 300, K: 400 },
  ]) {
    it(`[${c.M}x${c.K}]x[${c.K}x${c.N}]${c.accumulate ? " accumulated" : ""}: the same bits on 1 and on 3 threads, and right`, () => {
      const p = gemmProblem({ ...c, ldc: c.N + 1 }, 7);
      setSimdThreads(1);
      const single = pooledGemm(p);
      setSimdThreads(3, 0); // split every product, however small
      const split = pooledGemm(p);
      expectCorrect(p, split);
      expect(Array.from(split)).to.deep.equal(Array.from(single));
    });
  }

  it("resized without waiting (the kernel's first choice of backend), counts the threads at once and splits products once its workers are ready, with the same bits", async () => {
    const p = gemmProblem({ M: 13, N: 47, K: 31 }, 9);
    setSimdThreads(1, 0); // split every product, however small
    const single = pooledGemm(p);
    const pool = loadSimd().pool;
    pool.resize(3, false);
    expect(simdThreads()).to.equal(3);
    expect(pool.readyThreads, "its workers still start").to.be.lessThan(3);
    expect(Array.from(pooledGemm(p)), "on the threads ready so far").to.deep.equal(Array.from(single));
    for (let i = 0; i < 500 && pool.readyThreads < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.readyThreads).to.equal(3);
    expect(Array.from(pooledGemm(p)), "on 3 threads").to.deep.equal(Array.from(single));
    setSimdThreads(1);
    expect([simdThreads(), pool.readyThreads]).to.deep.equal([1, 1]);
  });

  it("waits, on a user's setSimdThreads, for the workers the automatic choice is still starting", () => {
    const pool = loadSimd().pool;
    setSimdThreads(1);
    pool.resize(3, false);
    expect(pool.readyThreads, "its workers still start").to.be.lessThan(3);
    setSimdThreads(3);
    expect([simdThreads(), pool.readyThreads]).to.deep.equal([3, 3]);
    setSimdThreads(1);
  });

  it("keeps small products on one thread below the work threshold, with the same result", () => {
    const p = gemmProblem({ M: 4, N: 64, K: 8 }, 3);
    setSimdThreads(3, p.M * p.N * p.K); // the whole product is one thread's worth
    expectCorrect(p, pooledGemm(p));
  });

  it("still splits correctly after the shared memory grew past where the workers started", () => {
    setSimdThreads(3, 0);
    withArena((k, arena) => {
      const before = k.memory.buffer.byteLength;
      const p = gemmProblem({ M: 11, N: 35, K: 19 }, 5);
      // A block larger than the whole old memory ends past its end, wherever earlier files
      // left free space; C goes at its tail. (Separate small allocations could reuse a hole.)
      const grown = arena.bytes(before + p.C0.length * 4);
      const C = grown + before;
      k.f32().set(p.C0, C >> 2);
      const { Ap, Bp } = placeGemm(k, arena, p);
      expect(k.memory.buffer.byteLength, "memory grew").to.be.greaterThan(before);
      expect(C, "C lies in the new part").to.be.greaterThan(before);
      k.gemm(Ap, Bp, C, p.M, p.N, p.K, p.ldc, false);
      expectCorrect(p, k.read(C, p.C0.length));
    });
  });

  it("reports a worker that fails on its share, and the pool keeps working", () => {
    setSimdThreads(3, 0);
    withArena((k, arena) => {
      // One row, three panels of B, placed so that the last panel lies past the end of the
      // memory: only the worker given that panel reads out of bounds (the main thread and
      // the other worker read bytes that exist and write C, which is ours).
      const C = arena.floats(24);
      const Ap = arena.put(new Float32Array(12));
      const Bp = k.memory.buffer.byteLength - 2 * 3 * 32;
      expect(() => k.gemm(Ap, Bp, C, 1, 24, 3, 24, false)).to.throw(/a SIMD worker failed on its share of a product/);
      const q = gemmProblem({ M: 5, N: 40, K: 6 }, 11);
      expectCorrect(q, pooledGemm(q));
    });
  });
});
