import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { sample, samplingDistribution, layersModelStepper, type StepFunction } from "../../lib/train";
import { Vocabulary } from "../../lib/text";
import { InterruptedError } from "../../lib/runtime";
import { buildLabModel } from "../../lib/nn";
import { tinyTokenModel } from "./helpers";

const TOKENS = ["a", "b", "c", "d", "e"];

/** A stateless toy "model": the next token's logits depend only on the last id fed. */
const toyStep: StepFunction = (ids) => {
  const last = ids[ids.length - 1];
  return TOKENS.map((_, j) => Math.cos(3 * last + 1.7 * j) * 2);
};
/** The toy step over a vocabulary of `size` tokens. */
const toyWordStep = (size: number): StepFunction => (ids) => Array.from({ length: size }, (_, j) => Math.cos(3 * ids[ids.length - 1] + 1.7 * j) * 2);
const argmax = (xs: ArrayLike<number>) => Array.from(xs).reduce((best, v, i, arr) => (v > arr[best] ? i : best), 0);

describe("train: sampling", () => {
  it("is reproducible under a seed and changes with the seed", async () => {
    const model = tinyTokenModel({ seed: 2 });
    const a = await sample(model, { length: 40, seedText: "ab", vocab: TOKENS, seed: 1 });
    const b = await sample(model, { length: 40, seedText: "ab", vocab: TOKENS, seed: 1 });
    const c = await sample(model, { length: 40, seedText: "ab", vocab: TOKENS, seed: 2 });
    expect(a.text).to.equal(b.text);
    expect(a.text.startsWith("ab")).to.equal(true);
    expect(a.generated).to.have.length(40);
    expect(c.text).to.not.equal(a.text);
    model.dispose();
  });

  it("word-level text joins the seed and every token with the vocabulary's separator", async () => {
    const words = Vocabulary.fromWords("the keeper watches the gate and the gate keeps the keeper");
    const r = await sample(toyWordStep(words.size), { length: 6, seedText: "the keeper", vocab: words, seed: 1 });
    expect(r.text).to.equal(`the keeper ${words.decodeTokens(r.ids).join(" ")}`);
    expect(r.generated.split(" ")).to.have.length(6);
    const chars = await sample(toyStep, { length: 5, seedText: "ab", vocab: TOKENS, seed: 1 });
    expect(chars.text).to.equal(`ab${chars.ids.map((id) => TOKENS[id]).join("")}`);
  });

  it("goes greedy as the temperature goes to 0, and topK = 1 is greedy at any temperature", async () => {
    const greedy: number[] = [];
    let last = 0;
    for (let i = 0; i < 30; i++) greedy.push((last = argmax(toyStep([last]) as number[])));
    const cold = await sample(toyStep, { length: 30, seedIds: [0], vocab: TOKENS, temperature: 1e-3, seed: 9 });
    expect(cold.ids).to.deep.equal(greedy);
    const top1 = await sample(toyStep, { length: 30, seedIds: [0], vocab: TOKENS, temperature: 5, topK: 1, seed: 9 });
    expect(top1.ids).to.deep.equal(greedy);
    const hot = await sample(toyStep, { length: 30, seedIds: [0], vocab: TOKENS, temperature: 5, seed: 9 });
    expect(hot.ids).to.not.deep.equal(greedy);
  });

  it("draws tokens with the softmax probabilities (T = 1) and keeps only the top k", async () => {
    const logits = [2, 1, 0, -1, -3];
    const p = samplingDistribution(logits, 1);
    const z = logits.reduce((s, l) => s + Math.exp(l), 0);
    p.forEach((v, i) => expect(v).to.be.closeTo(Math.exp(logits[i]) / z, 1e-12));
    const counts = new Array(5).fill(0);
    const r = await sample(() => logits, { length: 4000, seedIds: [0], vocab: TOKENS, seed: 3 });
    r.ids.forEach((id) => counts[id]++);
    counts.forEach((c, i) => expect(c / 4000).to.be.closeTo(p[i], 0.03));
    const top2 = samplingDistribution(logits, 1, 2);
    expect(Array.from(top2).filter((v) => v > 0)).to.have.length(2);
    expect(top2[0] + top2[1]).to.be.closeTo(1, 1e-12);
    const sharp = samplingDistribution(logits, 0.5);
    expect(sharp[0]).to.be.greaterThan(p[0]);
  });

  it("the batch-1 stepper carries state: feeding token by token equals running the whole prefix", () => {
    const model = tinyTokenModel({ seed: 4, cell: "lstm" });
    const stepper = layersModelStepper(model);
    stepper.step([1, 2, 3]);
    const stepped = stepper.step([4]) as tf.Tensor;
    const full = model.predict(tf.tensor2d([[1, 2, 3, 4]], [1, 4], "int32")) as tf.Tensor;
    const want = Array.from(full.dataSync()).slice(-5);
    Array.from(stepped.dataSync()).forEach((v, i) => expect(v).to.be.closeTo(want[i], 1e-5));
    tf.dispose([stepped, full]);
    stepper.dispose();
    model.dispose();
  });

  it("works with the lab model (Embedding → LSTM → Dense from lib/nn) and a text Vocabulary, without leaks", async () => {
    const vocab = Vocabulary.fromText("abcde");
    const model = buildLabModel({ vocabSize: vocab.size, embeddingDim: 3, units: 4, seed: 1 });
    model.predict(tf.zeros([1, 1], "int32")); // build
    const stepper = layersModelStepper(model);
    stepper.step(Array.from(vocab.encode("abc")));
    const stepped = stepper.step(Array.from(vocab.encode("d"))) as tf.Tensor;
    const full = model.predict(tf.tensor2d([Array.from(vocab.encode("abcd"))], [1, 4], "int32")) as tf.Tensor;
    const want = Array.from(full.dataSync()).slice(-vocab.size);
    Array.from(stepped.dataSync()).forEach((v, i) => expect(v).to.be.closeTo(want[i], 1e-5));
    tf.dispose([stepped, full]);
    stepper.dispose();

    const before = tf.memory().numTensors;
    const out = await sample(model, { length: 20, seedText: "ab", vocab, temperature: 0.8, topK: 3, seed: 5 });
    expect(tf.memory().numTensors).to.equal(before);
    expect(out.text).to.match(/^ab[a-e]{20}$/);
    model.dispose();
  });

  it("explains bad input", async () => {
    const reject = async (p: Promise<unknown>, re: RegExp) => {
      let e: Error | undefined;
      await p.catch((x) => (e = x));
      expect(e?.message ?? "no error").to.match(re);
    };
    await reject(sample(toyStep, { length: 5, seedText: "a", vocab: TOKENS, temperature: 0 }), /temperature must be a finite number > 0/);
    await reject(sample(toyStep, { length: 5, seedText: "a", vocab: TOKENS, temperature: -1 }), /temperature/);
    await reject(sample(toyStep, { length: 5, seedText: "az", vocab: TOKENS }), /"z" at position 1 is not in the vocabulary/);
    await reject(sample(toyStep, { length: 5, seedText: "", vocab: TOKENS }), /needs a seed/);
    await reject(sample(toyStep, { length: 5, seedText: "a", vocab: TOKENS, topK: 0 }), /topK must be an integer ≥ 1/);
    await reject(sample(toyStep, { length: 5, seedText: "a", vocab: ["a", "b"] }), /returned 5 logits but the vocabulary has 2/);
    await reject(sample(toyStep, { length: 5, seedIds: [7], vocab: TOKENS }), /seed id 7 is outside the vocabulary/);
    await reject(sample(toyStep, { length: 5, seedText: "a", vocab: Vocabulary.fromText("abcde") , seedIds: undefined, temperature: NaN }), /temperature/);
  });

  it("stops between tokens when the abort signal fires", async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const counting: StepFunction = (ids) => (calls++, toyStep(ids));
    const error = await sample(counting, { length: 1000, seedIds: [0], vocab: TOKENS, signal: controller.signal }).catch((e) => e);
    expect(error).to.be.instanceOf(InterruptedError);
    expect(calls).to.be.lessThan(100);
  });
});
