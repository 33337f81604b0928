/**
 * The lab's checks (lib/lab1-checks.ts) on right and wrong versions of each part a student
 * writes: the right one passes, each wrong one fails with a message that says what is wrong.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "chai";
import { checkGenerate, checkGetBatch, checkLoss, checkModel, checkTrainStep, checkVectorize, LabCheckError } from "../../lib/lab1-checks";
import { buildLabModel, lstmLayer } from "../../lib/nn";
import { StatefulRng } from "../../lib/random";
import { Vocabulary } from "../../lib/text";
import { runStack, samplingDistribution } from "../../lib/train";
import { captureConsole } from "../console-capture";

/** Runs a check with its ✔ lines kept out of the test output; returns what it printed, or throws what it threw. */
async function quietly(check: () => void | Promise<void>): Promise<string> {
  const run = await captureConsole(check);
  if (run.error !== undefined) throw run.error;
  return run.log;
}

async function failure(check: () => void | Promise<void>): Promise<string> {
  try {
    await quietly(check);
  } catch (err) {
    expect(err).to.be.instanceOf(LabCheckError);
    return (err as Error).message;
  }
  throw new Error("the check passed a wrong implementation");
}

const TEXT = "X:1\nT:Scale\nK:C\nCDEF GABc|cBAG FEDC|]\n\nX:2\nT:Other\nK:G\nGABc dedB|]\n".repeat(3);
const vocab = Vocabulary.fromText(TEXT);
const vectorized = vocab.encode(TEXT);

function getBatch(v: Int32Array, seqLength: number, batchSize: number, rng: StatefulRng, shift = 1, dtype: "int32" | "float32" = "int32") {
  const starts = Array.from({ length: batchSize }, () => rng.int(v.length - seqLength));
  const rows = (offset: number) => starts.map((i) => Array.from(v.subarray(i + offset, i + offset + seqLength)));
  return { x: tf.tensor2d(rows(0), [batchSize, seqLength], dtype), y: tf.tensor2d(rows(shift), [batchSize, seqLength], dtype) };
}

function buildModel(vocabSize: number, embeddingDim: number, units: number, activation?: "softmax") {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: vocabSize, outputDim: embeddingDim, inputShape: [null] }));
  model.add(lstmLayer({ units, returnSequences: true }));
  model.add(tf.layers.dense({ units: vocabSize, activation }));
  return model;
}

function generateText(model: tf.LayersModel, start: string, length: number, temperature: number, rng: StatefulRng, feedState = true): string {
  let input = Array.from(vocab.encode(start));
  let state: tf.Tensor[][] | null = null;
  const ids: number[] = [];
  for (let i = 0; i < length; i++) {
    const previous = state;
    const run = tf.tidy(() => {
      const r = runStack(model, tf.tensor2d([input], [1, input.length], "int32"), { initialStates: previous });
      return { logits: r.output.slice([0, input.length - 1, 0], [1, 1, -1]), states: r.states };
    });
    if (previous) tf.dispose(previous.flat());
    if (feedState) state = run.states;
    else tf.dispose(run.states.flat());
    ids.push(rng.categorical(samplingDistribution(run.logits.dataSync(), temperature)));
    run.logits.dispose();
    input = [ids[ids.length - 1]];
  }
  if (state) tf.dispose(state.flat());
  return vocab.decode(ids);
}

describe("lab checks: right parts pass, wrong parts are told what is wrong", function () {
  it("vectorizeString", async () => {
    const right = (text: string) => vocab.encode(text);
    expect(await quietly(() => checkVectorize(right, vocab, TEXT))).to.match(/^✔ vectorizeString gives each of \d+ characters its index/);
    expect(await failure(() => checkVectorize((t) => vocab.encode(t).map((id) => id + 1), vocab, TEXT))).to.match(/character 0 \("X"\) should be \d+, its index .* but is \d+/);
    expect(await failure(() => checkVectorize((t) => vocab.encode(t).slice(1), vocab, TEXT))).to.match(/characters gave \d+ ids; return one id per character/);
    expect(await failure(() => checkVectorize(() => { throw new Error("TODO: write it"); }, vocab, TEXT))).to.equal("vectorizeString: not written yet (TODO: write it)");
  });

  it("getBatch: the lab's three tests", async () => {
    expect(await quietly(() => checkGetBatch((v, s, b, r) => getBatch(v, s, b, r), vectorized))).to.contain("✔ getBatch gives y = x shifted");
    expect(await failure(() => checkGetBatch((v, s, b, r) => getBatch(v, s, b, r, 1, "float32"), vectorized))).to.match(/x has dtype float32; .*"int32"/);
    expect(await failure(() => checkGetBatch((v, s, b, r) => getBatch(v, s, b, r, 0), vectorized))).to.match(/row 0: y is not x shifted one character ahead/);
    expect(await failure(() => checkGetBatch((v, s, b, r) => getBatch(v, s + 1, b, r), vectorized))).to.match(/x has shape \[2, 11\], not \[batchSize, seqLength\] = \[2, 10\]/);
  });

  it("buildModel", async () => {
    expect(await quietly(() => checkModel((v, e, u) => buildModel(v, e, u), vocab.size))).to.contain("✔ buildModel is Embedding → LSTM → Dense");
    expect(await failure(() => checkModel((v, e, u) => buildModel(v, e, u, "softmax"), vocab.size))).to.match(/applies "softmax"; it must output raw logits/);
    const lastStepOnly = (v: number, e: number, u: number) => {
      const m = tf.sequential();
      m.add(tf.layers.embedding({ inputDim: v, outputDim: e, inputShape: [null] }));
      m.add(lstmLayer({ units: u }));
      m.add(tf.layers.dense({ units: v }));
      return m;
    };
    expect(await failure(() => checkModel(lastStepOnly, vocab.size))).to.match(/output of shape \[2, \d+\], not \[batch, time, vocabSize\].*returnSequences: true/);
  });

  it("computeLoss", async () => {
    const mean = (labels: tf.Tensor, logits: tf.Tensor) =>
      tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.reshape(labels, [-1]) as tf.Tensor1D, 5), tf.reshape(tf.logSoftmax(logits), [-1, 5])), -1))));
    expect(await quietly(() => checkLoss(mean))).to.match(/✔ computeLoss is the mean cross-entropy/);
    expect(await failure(() => checkLoss((l, z) => tf.tidy(() => tf.mul(mean(l, z), 6))))).to.match(/it is the sum; take the mean/);
    expect(await failure(() => checkLoss((l, z) => tf.tidy(() => tf.sum(tf.mul(tf.oneHot(tf.reshape(l, [-1]) as tf.Tensor1D, 5), tf.reshape(z, [-1, 5])), -1))))).to.match(/rank 1; the loss is one number/);
  });

  it("trainStep", async () => {
    const lossOf = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
      tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(y, [-1]) as tf.Tensor1D, vocab.size), tf.reshape(model.apply(x) as tf.Tensor, [-1, vocab.size])) as tf.Scalar);
    const right = (model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor, y: tf.Tensor) => {
      const { value, grads } = tf.variableGrads(() => lossOf(model, x, y));
      optimizer.applyGradients(grads);
      const loss = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      return loss;
    };
    expect(await quietly(() => checkTrainStep(right, vocab.size))).to.match(/✔ trainStep returns the batch's loss, updates every weight/);
    const noUpdate = (model: tf.LayersModel, _o: tf.Optimizer, x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => lossOf(model, x, y).dataSync()[0]);
    expect(await failure(() => checkTrainStep(noUpdate, vocab.size))).to.match(/6 of 6 weight tensors did not change; .*tf.variableGrads/);
  });

  it("generateText: the state fed back", async function () {
    this.timeout(120000);
    const model = buildLabModel({ vocabSize: vocab.size, embeddingDim: 8, units: 16, seed: 2 });
    try {
      expect(await quietly(() => checkGenerate((m, s, n, t, r) => generateText(m, s, n, t, r), model, vocab))).to.match(/✔ generateText gives the same 200 characters/);
      expect(await failure(() => checkGenerate((m, s, n, t, r) => generateText(m, s, n, t, r, false), model, vocab))).to.match(/differs from seqlab's sampler at character [1-9]\d* .*feed back the state/);
      expect(await failure(() => checkGenerate((m, s, n, t, r) => generateText(m, s, n - 1, t, r), model, vocab))).to.match(/asked for 200 characters it gave 199/);
    } finally {
      model.dispose();
    }
  });
});
