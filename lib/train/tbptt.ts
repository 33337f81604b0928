/**
 * Truncated backpropagation through time: a long batch is cut into chunks of K time
 * steps; each chunk is one optimizer update, and the recurrent state at the end of a chunk
 * starts the next one as a constant, so gradients never cross a chunk boundary while the
 * forward pass still sees the whole sequence.
 */
import * as tf from "@tensorflow/tfjs";

export interface StatefulLossResult {
  loss: tf.Scalar;
  /** The recurrent state after the chunk (e.g. [h] or [h, c] per layer, flattened). */
  state: tf.Tensor[];
}

export interface TruncatedBptt<B> {
  /** Time steps per chunk (K). */
  chunk: number;
  /** Loss of one chunk, starting from `state` (null for the first chunk of a batch). */
  loss: (chunk: B, state: tf.Tensor[] | null) => StatefulLossResult;
  /** Length of a batch along time; default: axis 1 of `batch.x` (or of the batch itself). */
  length?: (batch: B) => number;
  /** Time slice [start, end) of a batch; default slices every tensor of rank ≥ 2 on axis 1. */
  slice?: (batch: B, start: number, end: number) => B;
}

export function defaultSequenceLength(batch: unknown): number {
  const probe = batch instanceof tf.Tensor ? batch : (batch as { x?: unknown } | null)?.x;
  if (probe instanceof tf.Tensor && probe.rank >= 2) return probe.shape[1];
  if (Array.isArray(probe) && Array.isArray(probe[0])) return (probe[0] as unknown[]).length;
  throw new Error("tbptt: cannot find the sequence length; batches should be { x: [batch, time, ...], y } or give tbptt.length");
}

/** Slices tensors (rank ≥ 2) and nested number arrays along the time axis; keeps the rest. */
export function defaultSliceTime<B>(batch: B, start: number, end: number): B {
  const cut = (v: unknown): unknown => {
    if (v instanceof tf.Tensor) {
      if (v.rank < 2) return v.clone();
      const begin = v.shape.map((_: number, i: number) => (i === 1 ? start : 0));
      const size = v.shape.map((d: number, i: number) => (i === 1 ? end - start : d));
      return tf.slice(v, begin, size);
    }
    if (Array.isArray(v) && Array.isArray(v[0])) return v.map((row) => (row as unknown[]).slice(start, end));
    if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x)]));
    }
    return v;
  };
  return cut(batch) as B;
}
