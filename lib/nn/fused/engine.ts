/**
 * What a fused-recurrence implementation provides: a forward pass over the whole sequence that
 * returns the packed output and the per-step activations to keep, and a backward pass that
 * turns the output gradient into gradients for every input plus dL/dh_t for every step.
 */
import type * as tf from "@tensorflow/tfjs";
import type { CellKind } from "./types";
import type { Dims } from "./validate";

export interface StepArgs {
  kind: CellKind;
  /** Vanilla RNN with ReLU instead of tanh. */
  relu: boolean;
  dims: Dims;
  x: tf.Tensor3D; // [B, T, D]
  kernel: tf.Tensor2D; // [D, G*U]
  recurrentKernel: tf.Tensor2D; // [U, G*U]
  bias: tf.Tensor1D; // [G*U]
  h0: tf.Tensor2D; // [B, U]
  c0?: tf.Tensor2D; // [B, U], LSTM only
  /** False when no gradient is being recorded (inference, sampling): skip saving activations. */
  keepActivations: boolean;
}

export interface ForwardResult {
  /**
   * Every hidden state [B, T, U]; for an LSTM one more slot on the time axis carries the
   * final cell state, so a single tensor holds everything differentiable (customGrad
   * returns one tensor).
   */
  value: tf.Tensor3D;
  /** Per-step activations the backward pass needs (O(T*B*U)); the caller keeps them. */
  saved: tf.Tensor[];
}

export interface BackwardResult {
  /** Gradients in input order: x, kernel, recurrentKernel, bias, h0, then c0 for an LSTM. */
  grads: tf.Tensor[];
  /** dL/dh_t for every step, [B, T, U]. */
  dh: tf.Tensor3D;
}

export interface RecurrenceEngine {
  readonly name: string;
  forward(args: StepArgs): ForwardResult;
  backward(args: StepArgs, dValue: tf.Tensor3D, saved: tf.Tensor[]): BackwardResult;
}
