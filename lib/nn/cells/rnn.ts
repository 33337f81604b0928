/**
 * The vanilla RNN, one step: h_t = act(x_t W_xh + h_{t-1} W_hh + b), y_t = h_t W_hy.
 * Row-vector convention (batch rows), so W_xh is the layer's kernel [inputDim, units] and
 * W_hh its recurrentKernel [units, units], the layout of tf.layers.simpleRNN.
 */
import * as tf from "@tensorflow/tfjs";
import type { RecurrenceWeights } from "../fused/types";

export type RNNActivation = "tanh" | "relu";

export interface RNNGates {
  /** x_t W_xh + h_{t-1} W_hh + b, before the activation. */
  preActivation: tf.Tensor2D;
}

export interface RNNStepResult {
  h: tf.Tensor2D;
  gates: RNNGates;
}

export function applyActivation(name: RNNActivation, z: tf.Tensor2D): tf.Tensor2D {
  if (name === "tanh") return tf.tanh(z);
  if (name === "relu") return tf.relu(z);
  throw new Error(`Unknown RNN activation ${JSON.stringify(name)}; use "tanh" or "relu"`);
}

export function rnnStep(
  weights: RecurrenceWeights,
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  activation: RNNActivation = "tanh",
): RNNStepResult {
  return tf.tidy(() => {
    const fromInput = tf.matMul(x, weights.kernel);
    const fromPast = tf.matMul(h, weights.recurrentKernel);
    const preActivation = tf.add(tf.add(fromInput, fromPast), weights.bias) as tf.Tensor2D;
    return { h: applyActivation(activation, preActivation), gates: { preActivation } };
  });
}

/** The output projection y_t = h_t W_hy (+ b_y). */
export function rnnOutput(h: tf.Tensor2D, outputKernel: tf.Tensor2D, outputBias?: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    const y: tf.Tensor2D = tf.matMul(h, outputKernel);
    return outputBias ? (tf.add(y, outputBias) as tf.Tensor2D) : y;
  });
}
