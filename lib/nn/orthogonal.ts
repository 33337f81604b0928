/**
 * A random orthogonal matrix (orthonormal columns, or rows when wider than tall), from a
 * seeded Gaussian matrix by modified Gram-Schmidt in double precision. Written here rather
 * than using tf.initializers.orthogonal, which warns on every matrix over 2000 entries and
 * runs a QR made of many small ops; plain loops give the same numbers on every backend.
 */
import * as tf from "@tensorflow/tfjs";
import { makeRng } from "../random";

export function orthogonalMatrix(rows: number, cols: number, seed?: number, gain = 1): tf.Tensor2D {
  for (const [name, v] of [["rows", rows], ["cols", cols]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`orthogonalMatrix: ${name} must be a positive integer, got ${v}`);
  }
  const rng = makeRng(seed ?? Math.floor(Math.random() * 2 ** 31));
  // Orthonormalise the shorter side's vectors, each of length `len`.
  const tall = rows >= cols;
  const count = tall ? cols : rows;
  const len = tall ? rows : cols;
  const vectors: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    const v = new Float64Array(len);
    for (let j = 0; j < len; j++) v[j] = rng.normal();
    for (const u of vectors) {
      let dot = 0;
      for (let j = 0; j < len; j++) dot += u[j] * v[j];
      for (let j = 0; j < len; j++) v[j] -= dot * u[j];
    }
    let norm = 0;
    for (let j = 0; j < len; j++) norm += v[j] * v[j];
    norm = Math.sqrt(norm);
    // A Gaussian vector lies in the span of the others with probability 0; guard anyway.
    if (!(norm > 1e-9)) throw new Error("orthogonalMatrix: degenerate random draw; try another seed");
    for (let j = 0; j < len; j++) v[j] /= norm;
    vectors.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < count; i++) {
    const v = vectors[i];
    // Column i of a tall matrix, row i of a wide one.
    for (let j = 0; j < len; j++) out[tall ? j * cols + i : i * cols + j] = gain * v[j];
  }
  return tf.tensor2d(out, [rows, cols]);
}
