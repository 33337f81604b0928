/**
 * The contract of the fused recurrence: one differentiable op for a whole sequence.
 * Gate layouts follow tfjs-layers/Keras so weights move freely between our layers,
 * the readable cells and tf.layers.simpleRNN/lstm/gru.
 */
import type * as tf from "@tensorflow/tfjs";

export type CellKind = "rnn" | "lstm" | "gru";

export interface RecurrenceWeights {
  /** [inputDim, gates*units]; gate order as in tfjs-layers (LSTM i,f,c,o; GRU z,r,h). */
  kernel: tf.Tensor2D;
  /** [units, gates*units] */
  recurrentKernel: tf.Tensor2D;
  /** [gates*units] */
  bias: tf.Tensor1D;
}

export interface RecurrenceState {
  h: tf.Tensor2D; // [batch, units]
  c?: tf.Tensor2D; // [batch, units], LSTM only
}

export interface RecurrenceOptions {
  /** Vanilla RNN only: the hidden activation. */
  activation?: "tanh" | "relu";
  /**
   * Called during backpropagation with dL/dh_t for every step, shape [batch, time, units]:
   * the total gradient reaching each hidden state (through the outputs and through later
   * steps). The callee owns the tensor (it is kept out of tidy) and must dispose it.
   */
  onHiddenGradient?: (dh: tf.Tensor3D) => void;
  /**
   * Which implementation runs: "auto" (default) uses seqlab's WebAssembly SIMD kernels on
   * the wasm and cpu backends and tfjs ops elsewhere (e.g. tfjs-node); "tfjs" forces the
   * backend-neutral tfjs path; "simd" insists on the SIMD kernels ("kernels" is its
   * deprecated old name).
   */
  engine?: "auto" | "tfjs" | "simd" | "kernels";
}

export interface RecurrenceResult {
  /** Every hidden state, [batch, time, units]. */
  outputs: tf.Tensor3D;
  /** The final state. */
  state: RecurrenceState;
}

/** Signature implemented by lib/nn/fused/index.ts (`fusedRecurrence`). */
export type FusedRecurrence = (
  kind: CellKind,
  x: tf.Tensor3D, // [batch, time, inputDim]
  weights: RecurrenceWeights,
  initial: RecurrenceState,
  options?: RecurrenceOptions,
) => RecurrenceResult;
