/**
 * tf.variableGrads that cleans up after a failing loss. tfjs keeps every tensor the
 * backward pass will need (the tape's saved tensors) outside all tidy scopes and frees them
 * only when the gradients are computed; a loss that throws (a label-shape mismatch, say)
 * left them all behind, on every failing call.
 */
import * as tf from "@tensorflow/tfjs";

interface TapeNode {
  saved?: tf.Tensor[];
}

/** tfjs's internal recording state: the tape, and how many recordings are nested. */
function engineState(): { activeTape: TapeNode[] | null; gradientDepth: number } {
  return (tf.engine() as unknown as { state: { activeTape: TapeNode[] | null; gradientDepth: number } }).state;
}

export function variableGrads(f: () => tf.Scalar, variables: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  let tape = null as TapeNode[] | null;
  // Inside an outer recording the tape is the outer one's, and its tensors are not ours.
  const ownTape = engineState().gradientDepth === 0;
  try {
    return tf.variableGrads(() => {
      if (ownTape) tape = engineState().activeTape;
      return f();
    }, variables);
  } catch (err) {
    for (const node of tape ?? []) tf.dispose(node.saved ?? []);
    throw err;
  }
}
