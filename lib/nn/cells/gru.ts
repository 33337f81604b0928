/**
 * The GRU, one step, as tfjs-layers computes it (reset gate applied before the recurrent
 * product, i.e. Keras' reset_after=false; gate blocks in the order update, reset, candidate):
 *
 *   z  = sigmoid(x Wz + h Uz + bz)          update gate: how much of the old state to keep
 *   r  = sigmoid(x Wr + h Ur + br)          reset gate: how much of the past the candidate sees
 *   hh = tanh(x Wh + (r * h) Uh + bh)       candidate state
 *   h_t = z * h_{t-1} + (1 - z) * hh
 */
import * as tf from "@tensorflow/tfjs";
import type { RecurrenceWeights } from "../fused/types";

export interface GRUGates {
  update: tf.Tensor2D;
  reset: tf.Tensor2D;
  candidate: tf.Tensor2D;
}

export interface GRUStepResult {
  h: tf.Tensor2D;
  gates: GRUGates;
}

/** The recurrent kernel's [U_z U_r] and U_h blocks, which a step multiplies separately. */
export interface GRURecurrentBlocks {
  updateReset: tf.Tensor2D;
  candidate: tf.Tensor2D;
}

/** Split once when stepping many times with the same weights (a decoder loop). */
export function splitGRURecurrentKernel(recurrentKernel: tf.Tensor2D): GRURecurrentBlocks {
  const units = recurrentKernel.shape[0];
  const [updateReset, candidate] = tf.split(recurrentKernel, [2 * units, units], 1) as tf.Tensor2D[];
  return { updateReset, candidate };
}

export function gruStep(weights: RecurrenceWeights, x: tf.Tensor2D, h: tf.Tensor2D, blocks?: GRURecurrentBlocks): GRUStepResult {
  return tf.tidy(() => {
    const fromInput = tf.add(tf.matMul(x, weights.kernel), weights.bias) as tf.Tensor2D;
    const [xz, xr, xh] = tf.split(fromInput, 3, 1) as tf.Tensor2D[];
    const { updateReset: uzr, candidate: uh } = blocks ?? splitGRURecurrentKernel(weights.recurrentKernel);
    const [hz, hr] = tf.split(tf.matMul(h, uzr), 2, 1) as tf.Tensor2D[];
    const update = tf.sigmoid(tf.add(xz, hz)) as tf.Tensor2D;
    const reset = tf.sigmoid(tf.add(xr, hr)) as tf.Tensor2D;
    const candidate = tf.tanh(tf.add(xh, tf.matMul(tf.mul(reset, h) as tf.Tensor2D, uh))) as tf.Tensor2D;
    const hNext = tf.add(tf.mul(update, h), tf.mul(tf.sub(1, update), candidate)) as tf.Tensor2D;
    return { h: hNext, gates: { update, reset, candidate } };
  });
}
