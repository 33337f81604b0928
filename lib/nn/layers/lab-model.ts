/**
 * The model of MIT 6.S191 Lab 1 Part 2: Embedding -> LSTM (every step) -> Dense logits,
 * initialised as the lab's Keras model is (embedding uniform +-0.05, Glorot-uniform kernels
 * including the recurrent one, zero biases with the forget gate's at 1).
 */
import * as tf from "@tensorflow/tfjs";
import { LSTMLayer } from "./recurrent-layer";
import type { RecurrenceImplementation } from "../recurrence";
import { makeRng } from "../../random";

export interface LabModelOptions {
  vocabSize: number;
  /** Default 256. */
  embeddingDim?: number;
  /** LSTM units; default 1024. */
  units?: number;
  /** Fixed batch size; required when stateful (generation uses 1). */
  batchSize?: number;
  /** Carry the LSTM state across calls (for sampling one character at a time). */
  stateful?: boolean;
  /**
   * "matrix" (default): Glorot over each whole weight matrix, as Keras. "gate": per gate
   * block, as the PyTorch reference script's xavier_uniform_ on each gate's slice.
   */
  initFan?: "matrix" | "gate";
  seed?: number;
  implementation?: RecurrenceImplementation;
}

export interface LabModel {
  model: tf.Sequential;
  embedding: tf.layers.Layer;
  lstm: LSTMLayer;
  dense: tf.layers.Layer;
}

/** Build (not compile) the lab's model; the training loop picks loss and optimiser. */
export function buildLabModelParts(options: LabModelOptions): LabModel {
  const { vocabSize, embeddingDim = 256, units = 1024, batchSize, stateful = false, seed } = options;
  for (const [name, v] of [["vocabSize", vocabSize], ["embeddingDim", embeddingDim], ["units", units]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`buildLabModel: ${name} must be a positive integer, got ${v}`);
  }
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw new Error(`buildLabModel: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (stateful && batchSize === undefined) {
    throw new Error("buildLabModel: a stateful model needs a fixed batchSize (use 1 for generation)");
  }
  // One seed per part, drawn from the model's seed. Offsets such as seed+1, seed+2 collide
  // with the seeds the LSTM derives for its own gate blocks, and tfjs initialisers with equal
  // seeds draw the same numbers: the dense kernel then copied rows of the recurrent input
  // gate, which slowed learning at 1024 units by a fifth against the PyTorch reference.
  const [embeddingSeed, lstmSeed, denseSeed] = partSeeds(seed, 3);
  const model = tf.sequential({ name: "lab1_music_rnn" });
  const embedding = tf.layers.embedding({
    inputDim: vocabSize,
    outputDim: embeddingDim,
    ...(batchSize !== undefined ? { batchInputShape: [batchSize, null] } : { inputShape: [null] }),
    embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: embeddingSeed }),
    name: "embedding",
  });
  const lstm = new LSTMLayer({
    units,
    returnSequences: true,
    stateful,
    kernelInitializer: "glorotUniform",
    recurrentInitializer: "glorotUniform",
    unitForgetBias: true,
    initFan: options.initFan ?? "matrix",
    seed: lstmSeed,
    implementation: options.implementation,
    name: "lstm",
  });
  const dense = tf.layers.dense({
    units: vocabSize,
    kernelInitializer: tf.initializers.glorotUniform({ seed: denseSeed }),
    name: "logits",
  });
  model.add(embedding);
  model.add(lstm);
  model.add(dense);
  return { model, embedding, lstm, dense };
}

/** `count` independent seeds derived from `seed` (all undefined when it is). */
function partSeeds(seed: number | undefined, count: number): Array<number | undefined> {
  if (seed === undefined) return Array.from({ length: count }, () => undefined);
  const rng = makeRng(seed);
  return Array.from({ length: count }, () => rng.int(2 ** 30));
}

/** The lab's model: int32 ids [batch, time] -> logits [batch, time, vocabSize]. */
export function buildLabModel(options: LabModelOptions): tf.Sequential {
  return buildLabModelParts(options).model;
}
