/**
 * Scaled dot-product attention (Vaswani et al., 2017), the search at the heart of a
 * Transformer: every query scores every key by q·k / √d, a softmax turns a query's scores
 * into weights, and the output is the weighted sum of the values.
 */
import * as tf from "@tensorflow/tfjs";
import { tidyResult } from "./cells/unroll";

export interface ScaledDotProductOptions {
  /**
   * 1 where a query may look at a key, 0 where it may not; shape [queries, keys] or anything
   * that broadcasts to the scores' shape (e.g. causalMask(T)). Masked weights are exactly 0;
   * a query with no allowed key gets all-zero weights and a zero output.
   */
  mask?: tf.Tensor;
}

export interface ScaledDotProductResult {
  /** Weighted sums of the values, [..., queries, valueDim]. */
  output: tf.Tensor;
  /** Attention weights, [..., queries, keys]; each row sums to 1 over its allowed keys. */
  weights: tf.Tensor;
}

function checkShapes(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): void {
  const shapes = `q [${q.shape}], k [${k.shape}], v [${v.shape}]`;
  if (q.rank < 2 || k.rank !== q.rank || v.rank !== q.rank) {
    throw new Error(`scaledDotProductAttention: q, k and v must have the same rank (2 or more: [..., positions, dim]); got ${shapes}`);
  }
  const r = q.rank;
  if (q.shape[r - 1] !== k.shape[r - 1]) {
    throw new Error(`scaledDotProductAttention: queries and keys need the same last dimension; got ${shapes}`);
  }
  if (k.shape[r - 2] !== v.shape[r - 2]) {
    throw new Error(`scaledDotProductAttention: every key needs a value (k and v need the same number of positions); got ${shapes}`);
  }
  if (!tf.util.arraysEqual(q.shape.slice(0, r - 2), k.shape.slice(0, r - 2)) || !tf.util.arraysEqual(k.shape.slice(0, r - 2), v.shape.slice(0, r - 2))) {
    throw new Error(`scaledDotProductAttention: q, k and v need the same leading (batch, head) dimensions; got ${shapes}`);
  }
}

/**
 * softmax(q kᵀ / √d) v for queries q [..., Tq, d], keys k [..., Tk, d] and values
 * v [..., Tk, dv] (leading dimensions such as batch and head are shared). Returns the output
 * [..., Tq, dv] and the weights [..., Tq, Tk].
 */
export function scaledDotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, options: ScaledDotProductOptions = {}): ScaledDotProductResult {
  checkShapes(q, k, v);
  const { mask } = options;
  const scoreShape = [...q.shape.slice(0, -1), k.shape[k.rank - 2]];
  if (mask) {
    try {
      tf.backend_util.assertAndGetBroadcastShape(mask.shape, scoreShape);
    } catch {
      throw new Error(`scaledDotProductAttention: mask [${mask.shape}] does not broadcast to the scores [${scoreShape}] (queries × keys)`);
    }
  }
  return tidyResult(() => {
    const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(q.shape[q.rank - 1]));
    let weights: tf.Tensor;
    if (!mask) {
      weights = tf.softmax(scores);
    } else {
      const allowed = tf.cast(mask, "float32");
      // Disallowed scores pushed far down get exp(...) = 0 exactly, so an allowed row still
      // sums to 1; the product zeroes rows with no allowed key (softmax made them uniform).
      weights = tf.mul(tf.softmax(tf.add(scores, tf.mul(tf.sub(1, allowed), -1e9))), allowed);
    }
    return { output: tf.matMul(weights, v), weights };
  });
}

/** [T, T] lower-triangular ones: position t may attend to positions 0..t only (no future). */
export function causalMask(length: number): tf.Tensor2D {
  if (!Number.isInteger(length) || length < 1) throw new Error(`causalMask: length must be a positive integer, got ${length}`);
  const ones = new Float32Array(length * length);
  for (let t = 0; t < length; t++) ones.fill(1, t * length, t * length + t + 1);
  return tf.tensor2d(ones, [length, length]);
}
