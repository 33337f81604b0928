/**
 * train() for a tf.LayersModel that maps token ids [batch, time] to logits
 * [batch, time, vocab] (the lab's Embedding → LSTM → Dense), with batches { x, y }.
 */
import * as tf from "@tensorflow/tfjs";
import { sparseCrossEntropy, toIds } from "./losses";
import { train, type GradientRecording, type TrainOptions, type TrainResult } from "./loop";
import { modelVariables } from "./model-variables";
import { layerStack, runStack, stateCount } from "./unroll";

/** Token ids as tensors or arrays; getBatch's TensorBatch fits. */
export interface SequenceBatch {
  x: tf.Tensor | number[][];
  y: tf.Tensor | number[][];
}

export interface TrainModelOptions<B extends SequenceBatch>
  extends Omit<TrainOptions<B>, "loss" | "variables" | "tbptt" | "gradientsThroughTime"> {
  /** Truncated BPTT: update every K time steps, carrying the recurrent state (no gradient) across. */
  tbptt?: number;
  /**
   * Record gradients through time every N steps (an extra forward/backward pass on that
   * step's batch), or give your own measurement.
   */
  gradientsThroughTime?: { every: number } | GradientRecording<B>;
}

/** Mean next-token cross-entropy of `model` on `batch` (logits out of the model). */
export function modelLoss(model: tf.LayersModel, batch: SequenceBatch, training = true): tf.Scalar {
  return tf.tidy(() => {
    const x = toIds(batch.x, "batch.x");
    const y = toIds(batch.y, "batch.y");
    const logits = model.apply(x, { training }) as tf.Tensor;
    return sparseCrossEntropy(y, logits);
  });
}

export async function trainModel<B extends SequenceBatch>(model: tf.LayersModel, options: TrainModelOptions<B>): Promise<TrainResult> {
  if (!model || typeof (model as tf.LayersModel).apply !== "function" || !Array.isArray(model.trainableWeights)) {
    throw new Error("trainModel needs a tf.LayersModel (e.g. tf.sequential or the lab model)");
  }
  const variables = modelVariables(model);
  if (variables.some((v) => !(v instanceof tf.Variable))) throw new Error("trainModel: the model is not built yet; call model.build or run it once first");
  const { tbptt, gradientsThroughTime, ...rest } = options;
  let recording: GradientRecording<B> | undefined;
  if (gradientsThroughTime) {
    if ("measure" in gradientsThroughTime) {
      recording = gradientsThroughTime;
    } else {
      // Loaded lazily so lib/train does not need lib/inspect unless this is used.
      const { gradientsThroughTime: measure, hiddenGradientCapture } = await import("../inspect/gradients");
      // Layers with an onHiddenGradient hook report during the step itself (no extra pass);
      // under truncated BPTT the steps run step by step, so measure on the whole batch instead.
      const capture = tbptt === undefined ? hiddenGradientCapture(model) : undefined;
      recording = capture
        ? { every: gradientsThroughTime.every, capture }
        : { every: gradientsThroughTime.every, measure: (b) => measure(model, b) };
    }
  }
  if (tbptt === undefined) {
    return train<B>({ ...rest, variables, loss: (b) => modelLoss(model, b), gradientsThroughTime: recording });
  }
  const stack = layerStack(model);
  return train<B>({
    ...rest,
    variables,
    gradientsThroughTime: recording,
    tbptt: {
      chunk: tbptt,
      loss: (chunk, state) => {
        const counts = stack.filter((s) => s.recurrentIndex !== undefined).map((s) => stateCount(s.layer));
        // The carried state is flat: regroup it per recurrent layer.
        let k = 0;
        const initialStates = state ? counts.map((n) => state.slice(k, (k += n))) : null;
        const run = runStack(stack, toIds(chunk.x, "batch.x"), { initialStates, training: true });
        const loss = sparseCrossEntropy(toIds(chunk.y, "batch.y"), run.output);
        return { loss, state: run.states.flat() };
      },
    },
  });
}
