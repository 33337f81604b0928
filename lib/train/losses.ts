/** Losses for next-token prediction, computed from logits (no softmax layer needed). */
import * as tf from "@tensorflow/tfjs";
import { checkIdRows } from "../text/id-rows";

/** Integer ids as an int32 tensor (from a tensor or nested number arrays). */
export function toIds(ids: tf.Tensor | number[] | number[][], what = "ids"): tf.Tensor {
  if (ids instanceof tf.Tensor) return ids.dtype === "int32" ? ids : tf.cast(ids, "int32");
  if (!Array.isArray(ids)) throw new Error(`${what} must be a tensor or an array of integer ids`);
  checkIdRows(ids, what);
  return tf.tensor(ids as number[][], undefined, "int32");
}

/**
 * Cross-entropy per position: labels [...] (ids), logits [..., vocab] -> [...].
 * Uses logSoftmax, which stays finite for large logits.
 */
export function sparseCrossEntropyPerItem(labels: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  const vocab = logits.shape[logits.rank - 1];
  if (labels.rank !== logits.rank - 1 || labels.shape.some((d, i) => d !== logits.shape[i])) {
    throw new Error(`labels of shape [${labels.shape}] do not match logits of shape [${logits.shape}]; labels need the logits' shape without the last (vocabulary) axis`);
  }
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.reshape(toIds(labels), [-1]), vocab);
    const logProbs = tf.logSoftmax(tf.reshape(logits, [-1, vocab]));
    return tf.reshape(tf.neg(tf.sum(tf.mul(oneHot, logProbs), -1)), labels.shape);
  });
}

/** Mean cross-entropy over every position (the lab's loss with from_logits=True). */
export function sparseCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(sparseCrossEntropyPerItem(labels, logits)) as tf.Scalar);
}
