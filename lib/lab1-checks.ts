/**
 * The checks that follow each part a student writes in the lab's student edition (as MIT's
 * `mdl.lab1.test_*` functions do): each runs the student's function on a small case, prints
 * ✔ lines for what holds, and throws LabCheckError saying what is wrong and what to look at.
 * The solution edition runs the same checks on the written solutions.
 */
import * as tf from "@tensorflow/tfjs";
import { buildLabModel } from "./nn/layers/lab-model";
import { StatefulRng } from "./random";
import { sparseCrossEntropy } from "./train/losses";
import { layersModelStepper, sample } from "./train/sample";
import type { Vocabulary } from "./text/vocabulary";

/** A part of the lab does not do what it should; the message says what and where to look. */
export class LabCheckError extends Error {
  constructor(part: string, problem: string) {
    super(`${part}: ${problem}`);
    this.name = "LabCheckError";
  }
}

function pass(what: string): void {
  console.log(`✔ ${what}`);
}

/** What the student's function threw, as a LabCheckError naming the part (a TODO left in it says so). */
function failure(part: string, err: unknown): LabCheckError {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith("TODO: ")) return new LabCheckError(part, `not written yet (${message})`);
  return new LabCheckError(part, `it threw ${err instanceof Error ? err.name : "an error"}: ${message}`);
}

/** Calls the student's function; a TODO left in it or a crash becomes a LabCheckError. */
function attempt<T>(part: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw failure(part, err);
  }
}

const shapeText = (shape: readonly (number | null)[]): string => `[${shape.join(", ")}]`;

/** vectorizeString(text): one id per character, the character's index in the vocabulary. */
export function checkVectorize(vectorizeString: (text: string) => ArrayLike<number>, vocab: Vocabulary, text: string): void {
  const part = "vectorizeString";
  const sample = text.slice(0, 2000);
  const chars = [...sample];
  const got = Array.from(attempt(part, () => vectorizeString(sample)));
  if (got.length !== chars.length) {
    throw new LabCheckError(part, `${chars.length} characters gave ${got.length} ids; return one id per character (spread the string, [...text], so each character counts once)`);
  }
  const want = vocab.encode(sample);
  const wrong = got.findIndex((id, i) => id !== want[i]);
  if (wrong >= 0) {
    throw new LabCheckError(part, `character ${wrong} (${JSON.stringify(chars[wrong])}) should be ${want[wrong]}, its index in the sorted vocabulary (char2idx), but is ${got[wrong]}`);
  }
  pass(`vectorizeString gives each of ${chars.length} characters its index in the vocabulary`);
}

export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** The lab's three getBatch tests (types, shapes, the shift), plus: the windows come from the text. */
export function checkGetBatch(getBatch: (vectorized: Int32Array, seqLength: number, batchSize: number, rng: StatefulRng) => Batch, vectorized: Int32Array): void {
  const part = "getBatch";
  const [seqLength, batchSize] = [10, 2];
  const batch = attempt(part, () => getBatch(vectorized, seqLength, batchSize, new StatefulRng(1)));
  try {
    for (const [name, t] of [["x", batch.x], ["y", batch.y]] as const) {
      if (!(t instanceof tf.Tensor)) throw new LabCheckError(part, `${name} is not a tensor; build it with tf.tensor2d(rows, [batchSize, seqLength], "int32")`);
      if (t.dtype !== "int32") throw new LabCheckError(part, `${name} has dtype ${t.dtype}; character ids are integers: pass "int32" to tf.tensor2d`);
      if (String(t.shape) !== String([batchSize, seqLength])) {
        throw new LabCheckError(part, `${name} has shape ${shapeText(t.shape)}, not [batchSize, seqLength] = ${shapeText([batchSize, seqLength])}`);
      }
    }
    pass("getBatch gives int32 x and y of shape [batchSize, seqLength]");
    const xs = batch.x.arraySync() as number[][];
    const ys = batch.y.arraySync() as number[][];
    for (let b = 0; b < batchSize; b++) {
      if (!xs[b].slice(1).every((id, t) => id === ys[b][t])) {
        throw new LabCheckError(part, `row ${b}: y is not x shifted one character ahead (y[t] must be x[t + 1]); slice the target from i + 1 to i + 1 + seqLength`);
      }
      const row = [...xs[b], ys[b][seqLength - 1]];
      if (!occursIn(vectorized, row)) {
        throw new LabCheckError(part, `row ${b}: the input and target are not a window of the text; take both from the same start i, vectorized[i .. i + seqLength] and one later`);
      }
    }
    pass("getBatch gives y = x shifted one character ahead, both windows of the text");
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
}

/** Whether `row` appears as consecutive ids of `ids`. */
function occursIn(ids: Int32Array, row: number[]): boolean {
  outer: for (let s = 0; s + row.length <= ids.length; s++) {
    for (let t = 0; t < row.length; t++) if (ids[s + t] !== row[t]) continue outer;
    return true;
  }
  return false;
}

/** buildModel(vocabSize, embeddingDim, rnnUnits): Embedding → LSTM (all steps) → Dense logits, with the lab model's weights. */
export function checkModel(buildModel: (vocabSize: number, embeddingDim: number, rnnUnits: number) => tf.LayersModel, vocabSize: number): void {
  const part = "buildModel";
  const [embeddingDim, units] = [8, 16];
  const model = attempt(part, () => buildModel(vocabSize, embeddingDim, units));
  const reference = buildLabModel({ vocabSize, embeddingDim, units, seed: 0 });
  try {
    const input = tf.zeros([2, 5], "int32");
    const out = tf.tidy(() => attempt(part, () => model.predict(input) as tf.Tensor).clone());
    input.dispose();
    const outShape = out.shape;
    out.dispose();
    if (String(outShape) !== String([2, 5, vocabSize])) {
      throw new LabCheckError(part, `ids of shape [2, 5] gave output of shape ${shapeText(outShape)}, not [batch, time, vocabSize] = [2, 5, ${vocabSize}]; the LSTM needs returnSequences: true and the Dense layer vocabSize units`);
    }
    pass(`buildModel turns ids [batch, time] into logits [batch, time, vocabSize] = [2, 5, ${vocabSize}]`);
    const got = model.getWeights().map((w) => w.shape);
    const want = reference.getWeights().map((w) => w.shape);
    const names = ["embedding", "LSTM kernel", "LSTM recurrent kernel", "LSTM bias", "dense kernel", "dense bias"];
    if (got.length !== want.length) {
      throw new LabCheckError(part, `the model has ${got.length} weight tensors, the lab's has ${want.length} (${names.join(", ")}); use Embedding, one LSTM and one Dense layer`);
    }
    const bad = got.findIndex((s, i) => String(s) !== String(want[i]));
    if (bad >= 0) throw new LabCheckError(part, `the ${names[bad]} has shape ${shapeText(got[bad])}, the lab's ${shapeText(want[bad])}`);
    const activation = (model.layers[model.layers.length - 1].getConfig() as { activation?: string }).activation;
    if (activation && activation !== "linear") {
      throw new LabCheckError(part, `the last layer applies "${activation}"; it must output raw logits (no activation): the loss and the sampler apply the softmax`);
    }
    pass("buildModel is Embedding → LSTM → Dense, with the lab model's weight shapes and raw logits");
  } finally {
    model.dispose();
    reference.dispose();
  }
}

/** computeLoss(labels, logits): the mean sparse softmax cross-entropy, from logits. */
export function checkLoss(computeLoss: (labels: tf.Tensor, logits: tf.Tensor) => tf.Tensor): void {
  const part = "computeLoss";
  const rng = new StatefulRng(3);
  const [batch, time, vocab] = [2, 3, 5];
  const labels = tf.tensor2d(Array.from({ length: batch }, () => Array.from({ length: time }, () => rng.int(vocab))), [batch, time], "int32");
  const logits = tf.tensor3d(Array.from({ length: batch * time * vocab }, () => 4 * rng.next() - 2), [batch, time, vocab]);
  try {
    const loss = attempt(part, () => computeLoss(labels, logits));
    const got = loss.rank === 0 ? loss.dataSync()[0] : NaN;
    const rank = loss.rank;
    loss.dispose();
    if (rank !== 0) throw new LabCheckError(part, `it returned a tensor of rank ${rank}; the loss is one number, the mean over every batch row and time step (tf.mean)`);
    const want = sparseCrossEntropy(labels, logits);
    const expected = want.dataSync()[0];
    want.dispose();
    if (Math.abs(got - expected) > 1e-4) {
      const hint =
        Math.abs(got - expected * batch * time) < 1e-3
          ? "it is the sum; take the mean over all positions"
          : "take -log softmax(logits) at each label (tf.logSoftmax, tf.oneHot) and average it; do not apply a softmax to the logits first";
      throw new LabCheckError(part, `on a small case it gives ${got.toFixed(4)} where the cross-entropy is ${expected.toFixed(4)}: ${hint}`);
    }
    pass(`computeLoss is the mean cross-entropy from logits (${got.toFixed(4)} on a small case)`);
  } finally {
    tf.dispose([labels, logits]);
  }
}

/** trainStep(model, optimizer, x, y): the loss before the step; the weights move and the loss falls. */
export function checkTrainStep(
  trainStep: (model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor, y: tf.Tensor) => number,
  vocabSize: number,
): void {
  const part = "trainStep";
  const model = buildLabModel({ vocabSize, embeddingDim: 8, units: 16, seed: 1 });
  const optimizer = tf.train.adam(1e-2);
  const rng = new StatefulRng(5);
  const x = tf.tensor2d([Array.from({ length: 12 }, () => rng.int(vocabSize))], [1, 12], "int32");
  const y = tf.tensor2d([Array.from({ length: 12 }, () => rng.int(vocabSize))], [1, 12], "int32");
  try {
    const lossOf = (): number => tf.tidy(() => sparseCrossEntropy(y, model.predict(x) as tf.Tensor).dataSync()[0]);
    const before = lossOf();
    const weightsBefore = model.getWeights().map((w) => w.clone());
    const reported = attempt(part, () => trainStep(model, optimizer, x, y));
    if (typeof reported !== "number" || Math.abs(reported - before) > 1e-4) {
      throw new LabCheckError(part, `it returned ${String(reported)}; return the loss of the batch before the update, as a number (${before.toFixed(4)} here): value.dataSync()[0]`);
    }
    const moved = model.getWeights().map((w, i) => tf.tidy(() => tf.any(tf.notEqual(w, weightsBefore[i])).dataSync()[0] === 1));
    tf.dispose(weightsBefore);
    if (!moved.every(Boolean)) {
      throw new LabCheckError(part, `${moved.filter((m) => !m).length} of ${moved.length} weight tensors did not change; take the gradients of every trainable variable (tf.variableGrads) and apply them all (optimizer.applyGradients)`);
    }
    for (let i = 0; i < 20; i++) attempt(part, () => trainStep(model, optimizer, x, y));
    const after = lossOf();
    // Adam at 1e-2 fits one batch of 12 characters quickly (4.42 to 2.53 in 21 steps); a wrong sign climbs.
    if (!(after < 0.8 * before)) {
      throw new LabCheckError(part, `21 steps on one batch took its loss from ${before.toFixed(3)} to ${after.toFixed(3)}; it should fall by at least a fifth: step against the gradient (optimizer.applyGradients, not an update of your own with the wrong sign)`);
    }
    pass(`trainStep returns the batch's loss, updates every weight, and 21 steps on one batch take its loss from ${before.toFixed(3)} to ${after.toFixed(3)}`);
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * generateText(model, startString, length, temperature, rng) against seqlab's sampler, which
 * feeds the state and the sampled character back and draws with
 * rng.categorical(samplingDistribution(logits, temperature)): the same seed must give the same text.
 */
export async function checkGenerate(
  generateText: (model: tf.LayersModel, startString: string, length: number, temperature: number, rng: StatefulRng) => string | Promise<string>,
  model: tf.LayersModel,
  vocab: Vocabulary,
): Promise<void> {
  const part = "generateText";
  const length = 200;
  let got: string;
  try {
    got = await generateText(model, "X", length, 1, new StatefulRng(7));
  } catch (err) {
    throw failure(part, err);
  }
  const chars = [...String(got)];
  if (chars.length !== length) throw new LabCheckError(part, `asked for ${length} characters it gave ${chars.length}; return only the generated characters, not the start string`);
  const stepper = layersModelStepper(model);
  let want: string[];
  try {
    want = [...(await sample(stepper, { seedText: "X", length, vocab: [...vocab.tokens], temperature: 1, seed: new StatefulRng(7) })).generated];
  } finally {
    stepper.dispose();
  }
  const first = chars.findIndex((c, i) => c !== want[i]);
  if (first >= 0) {
    const hint =
      first === 0
        ? "the first character already differs: feed the whole start string first, and draw with rng.categorical(sl.samplingDistribution(logits, temperature)) from the last step's logits"
        : "the text goes wrong after the first character: feed back the state the model returned (and the character just drawn) at every step";
    throw new LabCheckError(part, `with the same seed it differs from seqlab's sampler at character ${first} (${JSON.stringify(chars[first])} instead of ${JSON.stringify(want[first])}): ${hint}`);
  }
  pass(`generateText gives the same ${length} characters as seqlab's sampler with the same seed`);
}
