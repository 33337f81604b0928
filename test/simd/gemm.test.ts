import { expect } from "chai";
import { gemmProblem, gemmRef, mismatches, runGemm, type GemmCase } from "./helpers";

/**
 * Sizes that take every path of gemmPanels: 4x8 tiles; edge tiles (M not a multiple of 4, N
 * not of 8); the single-row path (M = 1, or one row left in the last block); odd K (the
 * unpaired last step); and rows split into chunks that fit the L2 cache (65536 / K rows each:
 * 160 at K = 400, so M = 256 is two chunks; at K > 16384 the chunk is one block).
 */
const CASES: (GemmCase & { why: string })[] = [
  { M: 4, N: 8, K: 2, why: "one full tile" },
  { M: 8, N: 16, K: 6, why: "full tiles only" },
  { M: 7, N: 13, K: 5, why: "edge rows and columns, odd K" },
  { M: 1, N: 8, K: 9, why: "M = 1, a full panel" },
  { M: 1, N: 21, K: 10, why: "M = 1, a partial panel" },
  { M: 5, N: 12, K: 1, why: "one row left in the last block, K = 1" },
  { M: 256, N: 44, K: 400, why: "two cache chunks (the weight gradients at the lab size)" },
  { M: 257, N: 13, K: 401, why: "two cache chunks, odd K, a single row at the end" },
  { M: 9, N: 9, K: 16411, why: "K over 16384: chunks of one block" },
];

describe("simd: gemmPanels against plain JS loops", () => {
  for (const c of CASES) {
    for (const accumulate of [false, true]) {
      it(`[${c.M}x${c.K}]x[${c.K}x${c.N}]${accumulate ? " accumulated" : ""}: ${c.why}`, () => {
        const p = gemmProblem({ ...c, accumulate, ldc: c.N + 3 }); // C a block of a wider matrix
        const got = runGemm(p);
        const { want, bound } = gemmRef(p);
        expect(mismatches(got, want, bound, p.ldc).slice(0, 5)).to.deep.equal([]);
      });
    }
  }

  it("computes only the panels asked for and leaves the rest of C alone", () => {
    const p = gemmProblem({ M: 6, N: 29, K: 7 });
    for (const [p0, p1] of [[0, 1], [1, 3], [3, 4], [2, 2]]) {
      const got = runGemm(p, p0, p1);
      const { want, bound } = gemmRef(p, p0, p1);
      expect(mismatches(got, want, bound, p.ldc).slice(0, 5), `panels [${p0}, ${p1})`).to.deep.equal([]);
    }
  });
});
