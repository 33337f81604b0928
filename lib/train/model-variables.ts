/** A model's trainable weights as the variables that training and gradient inspection differentiate. */
import * as tf from "@tensorflow/tfjs";

/** The tf.Variables behind a model's trainable weights, in the model's order. */
export function modelVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
}
