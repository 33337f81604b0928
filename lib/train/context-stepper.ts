/**
 * Sampling from a causal self-attention model (sl.buildTransformerModel): it keeps no
 * recurrent state, so each step reads the last `contextLength` tokens again and takes the
 * logits at the last position. The causal mask makes those logits depend only on the tokens
 * before, exactly as in training.
 */
import * as tf from "@tensorflow/tfjs";
import { causalContextLength } from "../nn/transformer";
import type { Stepper } from "./stepper";

/** A Stepper over a causal Transformer, or undefined when the model is not one. */
export function contextStepper(model: tf.LayersModel): Stepper | undefined {
  const context = causalContextLength(model);
  if (context === undefined) return undefined;
  let history: number[] = [];
  return {
    step(ids: number[]) {
      history = history.concat(ids).slice(-context);
      return tf.tidy(() => {
        const logits = model.predict(tf.tensor2d([history], [1, history.length], "int32")) as tf.Tensor3D;
        return tf.slice(logits, [0, history.length - 1, 0], [1, 1, -1]);
      });
    },
    reset() {
      history = [];
    },
    dispose() {
      history = [];
    },
  };
}
