import { expect } from "chai";
import { packARef, packBRef, values, withArena } from "./helpers";

/** Source matrices with a row stride wider than the matrix (as when packing a column block). */
const SHAPES = [
  { rows: 1, cols: 1 },
  { rows: 4, cols: 8 },
  { rows: 5, cols: 7 }, // a partial block of rows, a partial panel of columns
  { rows: 9, cols: 17 },
  { rows: 30, cols: 400 },
];

describe("simd: packA and packB lay operands out as recurrence.as documents", () => {
  it("packedASize and packedBSize count whole blocks of 4 rows and panels of 8 columns", () => {
    withArena((k) => {
      expect(k.x.packedASize(1, 3)).to.equal(1 * 3 * 16);
      expect(k.x.packedASize(5, 3)).to.equal(2 * 3 * 16);
      expect(k.x.packedBSize(3, 8)).to.equal(1 * 3 * 32);
      expect(k.x.packedBSize(3, 9)).to.equal(2 * 3 * 32);
    });
  });

  for (const trans of [false, true]) {
    for (const { rows, cols } of SHAPES) {
      it(`packA ${rows}x${cols}${trans ? " from its transpose" : ""}, row stride wider than the matrix`, () => {
        withArena((k, arena) => {
          // A is rows x cols; stored as is (ld > cols) or transposed (cols x rows, ld > rows).
          const ld = (trans ? rows : cols) + 3;
          const src = values((trans ? cols : rows) * ld, rows * 100 + cols);
          const dst = arena.bytes(k.x.packedASize(rows, cols));
          k.f32().fill(NaN, dst >> 2, (dst + k.x.packedASize(rows, cols)) >> 2); // padding must be written too
          k.x.packA(arena.put(src), rows, cols, ld, trans ? 1 : 0, dst);
          const got = k.read(dst, k.x.packedASize(rows, cols) / 4);
          expect(Array.from(got)).to.deep.equal(Array.from(packARef(src, rows, cols, ld, trans)));
        });
      });

      it(`packB ${rows}x${cols}${trans ? " from its transpose" : ""}, row stride wider than the matrix`, () => {
        withArena((k, arena) => {
          const ld = (trans ? rows : cols) + 5;
          const src = values((trans ? cols : rows) * ld, rows * 100 + cols + 1);
          const dst = arena.bytes(k.x.packedBSize(rows, cols));
          k.f32().fill(NaN, dst >> 2, (dst + k.x.packedBSize(rows, cols)) >> 2);
          k.x.packB(arena.put(src), rows, cols, ld, trans ? 1 : 0, dst);
          const got = k.read(dst, k.x.packedBSize(rows, cols) / 4);
          expect(Array.from(got)).to.deep.equal(Array.from(packBRef(src, rows, cols, ld, trans)));
        });
      });
    }
  }
});
