/**
 * Rows that repeat in a matrix. An Embedding's output holds one row per token id, so the lab's
 * batch of 800 input rows has at most 83 distinct ones: the fused recurrence's input products
 * (x·W forward, xᵀ·dZ for the weight gradient) then run on the distinct rows only, the same
 * sums for a tenth of the work. Rows are compared by their bits (found by hashing, confirmed
 * word by word), so nothing about where the input came from is assumed.
 */

export interface RepeatedRows {
  /** For each row (in the order asked for), the index of its distinct row. */
  of: Int32Array;
  /** Where each distinct row first occurs, as an index into the source's rows. */
  firsts: number[];
}

/**
 * The distinct rows of `rows` rows of `width` floats in `src`, or undefined when fewer than
 * half the rows repeat (the products on all rows are then as cheap as the bookkeeping).
 * `order(i)` maps the i-th row asked for to its index in `src` (e.g. time-major to batch-major).
 */
export function repeatedRows(src: Float32Array, rows: number, width: number, order: (i: number) => number): RepeatedRows | undefined {
  const bits = new Uint32Array(src.buffer, src.byteOffset, rows * width);
  const byHash = new Map<number, number[]>();
  const firsts: number[] = [];
  const of = new Int32Array(rows);
  const sameRow = (p: number, q: number) => {
    for (let j = 0; j < width; j++) if (bits[p + j] !== bits[q + j]) return false;
    return true;
  };
  for (let i = 0; i < rows; i++) {
    const row = order(i);
    const at = row * width;
    let h = 0x811c9dc5; // FNV-1a over the row's 32-bit words
    for (let j = 0; j < width; j++) h = Math.imul(h ^ bits[at + j], 0x01000193);
    const candidates = byHash.get(h);
    let found = -1;
    if (candidates) found = candidates.find((d) => sameRow(firsts[d] * width, at)) ?? -1;
    if (found < 0) {
      found = firsts.length;
      firsts.push(row);
      if (candidates) candidates.push(found);
      else byHash.set(h, [found]);
      if (firsts.length * 2 > rows) return undefined;
    }
    of[i] = found;
  }
  return { of, firsts };
}

/** Copies the distinct rows' values (from `src`, row width `width`) into `dst` at element offset `at`, one after another. */
export function gatherDistinct(r: RepeatedRows, src: Float32Array, width: number, dst: Float32Array, at: number): void {
  r.firsts.forEach((row, d) => dst.set(src.subarray(row * width, (row + 1) * width), at + d * width));
}

/** Row i of the full matrix (at `full`) gets distinct row of[i] (at `distinct`); both in `mem`, element offsets. */
export function expandRows(r: RepeatedRows, mem: Float32Array, distinct: number, full: number, width: number): void {
  for (let i = 0; i < r.of.length; i++) {
    const from = distinct + r.of[i] * width;
    mem.copyWithin(full + i * width, from, from + width);
  }
}

/** The transpose of expandRows for gradients: distinct row d (at `distinct`) = sum of the full rows i with of[i] = d. */
export function sumRowsInto(r: RepeatedRows, mem: Float32Array, full: number, distinct: number, width: number): void {
  mem.fill(0, distinct, distinct + r.firsts.length * width);
  for (let i = 0; i < r.of.length; i++) {
    const src = full + i * width;
    const dst = distinct + r.of[i] * width;
    for (let j = 0; j < width; j++) mem[dst + j] += mem[src + j];
  }
}
