/**
 * The LSTM, one step, with every gate exposed. Layout as tfjs-layers/Keras: the four gate
 * blocks of kernel [D,4U], recurrentKernel [U,4U] and bias [4U] are in the order
 * input, forget, candidate, output.
 *
 *   i = sigmoid(x Wi + h Ui + bi)      how much new information to write
 *   f = sigmoid(x Wf + h Uf + bf)      how much of the old cell state to keep
 *   g = tanh(x Wg + h Ug + bg)         the candidate values
 *   o = sigmoid(x Wo + h Uo + bo)      how much of the cell state to show
 *   c_t = f * c_{t-1} + i * g
 *   h_t = o * tanh(c_t)
 */
import * as tf from "@tensorflow/tfjs";
import type { RecurrenceWeights } from "../fused/types";

export interface LSTMGates {
  input: tf.Tensor2D;
  forget: tf.Tensor2D;
  candidate: tf.Tensor2D;
  output: tf.Tensor2D;
  /** The new cell state c_t (also in the returned state). */
  cell: tf.Tensor2D;
}

export interface LSTMStepResult {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
  gates: LSTMGates;
}

/**
 * `watchCell`, if given, wraps c_t before anything reads it (h_t and the next step), so an
 * identity op there sees the total gradient dL/dc_t.
 */
export function lstmStep(
  weights: RecurrenceWeights,
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  c: tf.Tensor2D,
  watchCell: (c: tf.Tensor2D) => tf.Tensor2D = (cell) => cell,
): LSTMStepResult {
  return tf.tidy(() => {
    const z = tf.add(tf.add(tf.matMul(x, weights.kernel), tf.matMul(h, weights.recurrentKernel)), weights.bias) as tf.Tensor2D;
    const [zi, zf, zg, zo] = tf.split(z, 4, 1) as tf.Tensor2D[];
    const input = tf.sigmoid(zi);
    const forget = tf.sigmoid(zf);
    const candidate = tf.tanh(zg);
    const output = tf.sigmoid(zo);
    const cell = watchCell(tf.add(tf.mul(forget, c), tf.mul(input, candidate)) as tf.Tensor2D);
    const hNext = tf.mul(output, tf.tanh(cell)) as tf.Tensor2D;
    return { h: hNext, c: cell, gates: { input, forget, candidate, output, cell } };
  });
}
