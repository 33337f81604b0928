/** Tiny models, vocabularies and batches for the sequence magic tests. */
import * as tf from "@tensorflow/tfjs";
import { buildLabModel } from "../../lib/nn/layers/lab-model";
import { Seq2Seq, makeSeq2SeqBatch } from "../../lib/nn/seq2seq";
import { numberTranslation, translationIds } from "../../lib/data/translation";
import { Vocabulary } from "../../lib/text/vocabulary";

export const TUNE = "X:1\nT:Little Scale\nM:4/4\nL:1/8\nK:C\nCDEF GABc|cBAG FEDC|]";
export const OTHER_TUNE = "X:2\nT:Second\nM:3/4\nL:1/4\nK:G\nGAB|dBG|]";

/** A character vocabulary that covers ABC headers and notes. */
export function abcVocabulary(): Vocabulary {
  return Vocabulary.fromText(`${TUNE}\n\n${OTHER_TUNE}\n`);
}

/** The lab's Embedding → LSTM → Dense at a toy size. */
export function tinyLabModel(vocabSize: number, seed = 3): tf.Sequential {
  const model = buildLabModel({ vocabSize, embeddingDim: 4, units: 6, seed });
  model.build([null, 8]);
  return model;
}

/**
 * A vanilla RNN (layer "rnn") whose recurrent matrix is scale·I, with no bias and inputs
 * scaled down to ~1e-6 so tanh stays linear: with the loss on the last step,
 * ‖dL/dh_0‖ / ‖dL/dh_{T-1}‖ = scale^(T-1), whatever the batch.
 */
export function scaledRnnModel(scale: number, time: number, vocabSize: number, seed = 5): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: vocabSize, outputDim: 2, inputShape: [time], embeddingsInitializer: tf.initializers.randomUniform({ minval: -1e-6, maxval: 1e-6, seed }) }));
  model.add(tf.layers.simpleRNN({ units: 3, returnSequences: true, useBias: false, recurrentInitializer: tf.initializers.identity({ gain: scale }), kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: "rnn" }));
  model.add(tf.layers.dense({ units: vocabSize, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }));
  return model;
}

/** Random id batches [batch, time] with y = x shifted by one. */
export function idBatches(vocabSize: number, count: number, batch = 2, time = 6, seed = 1): Array<{ x: tf.Tensor2D; y: tf.Tensor2D }> {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
  return Array.from({ length: count }, () => {
    const rows = Array.from({ length: batch }, () => Array.from({ length: time + 1 }, () => Math.floor(rand() * vocabSize)));
    return { x: tf.tensor2d(rows.map((r) => r.slice(0, time)), undefined, "int32"), y: tf.tensor2d(rows.map((r) => r.slice(1)), undefined, "int32") };
  });
}

export function translationSetup(attention: "additive" | "none" = "additive") {
  const set = numberTranslation({ count: 8, maxNumbers: 2, seed: 5 });
  const model = new Seq2Seq({
    sourceVocabSize: set.sourceVocab.size,
    targetVocabSize: set.targetVocab.size,
    bosId: set.targetVocab.idOf("<bos>") as number,
    eosId: set.targetVocab.idOf("<eos>") as number,
    embeddingDim: 6,
    units: 8,
    attention,
    seed: 11,
  });
  const ids = translationIds(set);
  const batch = makeSeq2SeqBatch(ids.source, ids.targetIn, ids.targetOut);
  return { set, model, batch };
}
