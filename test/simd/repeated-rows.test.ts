import { expect } from "chai";
import { expandRows, gatherDistinct, repeatedRows, sumRowsInto } from "../../lib/simd/repeated-rows";

/** rows x width floats whose row i is table row ids[i]. */
function rowsOf(table: number[][], ids: number[]): Float32Array {
  return Float32Array.from(ids.flatMap((id) => table[id]));
}

describe("simd/repeated-rows: distinct rows of an input, for products on each once", () => {
  const table = [
    [1, 2, 3],
    [1, 2, 4], // differs from row 0 in the last word only
    [-0, 0, 0],
    [0, 0, 0], // -0 and 0 have different bits: distinct rows, though equal as numbers
  ];
  const identity = (i: number) => i;

  it("groups equal rows, numbering them in order of first appearance", () => {
    const ids = [1, 0, 1, 1, 2, 0, 3, 3, 1, 2];
    const r = repeatedRows(rowsOf(table, ids), ids.length, 3, identity)!;
    expect(r.firsts).to.deep.equal([0, 1, 4, 6]);
    expect(Array.from(r.of)).to.deep.equal([0, 1, 0, 0, 2, 1, 3, 3, 0, 2]);
  });

  it("agrees with a brute-force grouping over many rows", () => {
    const width = 4, rows = 400;
    const pool = Array.from({ length: 150 }, (_, i) => Array.from({ length: width }, (_, j) => ((i * 31 + j * 17) % 5) - 2));
    const ids = Array.from({ length: rows }, (_, i) => (i * i * 7 + 3) % pool.length);
    const src = rowsOf(pool, ids);
    const r = repeatedRows(src, rows, width, identity)!;
    expect(r).to.not.equal(undefined);
    for (let i = 0; i < rows; i++) {
      const mine = Array.from(src.subarray(i * width, (i + 1) * width));
      const first = r.firsts[r.of[i]];
      expect(Array.from(src.subarray(first * width, (first + 1) * width)), `row ${i}`).to.deep.equal(mine);
      // and no earlier distinct row has the same values
      const firstEqual = ids.findIndex((_, k) => Array.from(src.subarray(k * width, (k + 1) * width)).join() === mine.join());
      expect(first, `row ${i}'s group starts at its first equal row`).to.equal(firstEqual);
    }
  });

  it("declines when fewer than half the rows repeat", () => {
    expect(repeatedRows(rowsOf(table, [0, 1, 2, 3, 0]), 5, 3, identity)).to.equal(undefined);
    expect(repeatedRows(rowsOf(table, [0, 1, 0, 1, 0]), 5, 3, identity)).to.not.equal(undefined);
  });

  it("reads rows in the order given (time-major from batch-major)", () => {
    // batch-major [B=2][T=3]: ids b0: 0 1 2, b1: 2 2 0; time-major order: t0b0 t0b1 t1b0 t1b1 t2b0 t2b1
    const ids = [0, 1, 2, 2, 2, 0];
    const B = 2, T = 3;
    const r = repeatedRows(rowsOf(table, ids), 6, 3, (i) => (i % B) * T + Math.floor(i / B))!;
    // time-major ids: 0 2 1 2 2 0
    expect(r.firsts).to.deep.equal([0, 3, 1]);
    expect(Array.from(r.of)).to.deep.equal([0, 1, 2, 1, 1, 0]);
  });

  it("gathers, expands and sums rows as the products need", () => {
    const ids = [2, 0, 2, 1, 0, 0];
    const src = rowsOf(table, ids);
    const r = repeatedRows(src, 6, 3, identity)!;
    const mem = new Float32Array(64);
    gatherDistinct(r, src, 3, mem, 5);
    expect(Array.from(mem.subarray(5, 14))).to.deep.equal([...table[2], ...table[0], ...table[1]]);
    expandRows(r, mem, 5, 20, 3);
    expect(Array.from(mem.subarray(20, 38))).to.deep.equal(Array.from(src));
    // sumRowsInto: full rows 1..6 summed per distinct row
    const full = Float32Array.from({ length: 18 }, (_, i) => Math.floor(i / 3) + 1);
    mem.set(full, 40);
    mem.fill(99, 0, 5);
    sumRowsInto(r, mem, 40, 0, 3);
    expect(Array.from(mem.subarray(0, 9))).to.deep.equal([1 + 3, 1 + 3, 1 + 3, 2 + 5 + 6, 2 + 5 + 6, 2 + 5 + 6, 4, 4, 4]);
  });
});
