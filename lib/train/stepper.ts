/**
 * What sampling drives: something that takes token ids one step at a time and returns the
 * next token's logits (sample.ts's layer-by-layer stepper, simd-stepper's SIMD one).
 */
import type * as tf from "@tensorflow/tfjs";

/**
 * Feeds `ids` (the seed first, then one sampled id at a time) and returns the logits for
 * the next token: shape [vocab], or anything whose last row is it ([1, vocab], [1, T, vocab]).
 * The function keeps its own recurrent state between calls.
 */
export type StepFunction = (ids: number[]) => tf.Tensor | ArrayLike<number>;

export interface Stepper {
  step: StepFunction;
  /** Forget the state (start a new sequence). */
  reset(): void;
  /** Free held tensors. */
  dispose(): void;
}
