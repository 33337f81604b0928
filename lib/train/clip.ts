/** Gradient clipping. Each function returns new tensors and leaves its inputs alone. */
import * as tf from "@tensorflow/tfjs";

export type NamedGradients = Record<string, tf.Tensor>;

/** sqrt(sum over all gradients of sum of squares), as a scalar tensor. */
export function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}

/**
 * Scales every gradient by min(1, maxNorm / globalNorm), so their joint norm is at most
 * maxNorm and their direction is kept (Pascanu et al. 2013). `norm` is the pre-clip norm.
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number, norm?: tf.Scalar): tf.Tensor[] {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  return tf.tidy(() => {
    const n = norm ?? globalNorm(grads);
    // The 1e-12 guards a zero norm; when n ≤ maxNorm the factor is exactly 1.
    const factor = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.maximum(n, tf.scalar(1e-12))));
    return grads.map((g) => tf.mul(g, factor));
  });
}

/** Clamps every gradient element to [-maxValue, maxValue]. */
export function clipByValue(grads: tf.Tensor[], maxValue: number): tf.Tensor[] {
  if (!(maxValue > 0)) throw new Error(`clipByValue: maxValue must be > 0, got ${maxValue}`);
  return grads.map((g) => tf.clipByValue(g, -maxValue, maxValue));
}
