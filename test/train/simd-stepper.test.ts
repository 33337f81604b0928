import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { simdStepper, layersModelStepper, sample } from "../../lib/train";
import { buildLabModel, gruLayer, lstmLayer, simpleRNNLayer } from "../../lib/nn";
import { tinyTokenModel } from "./helpers";

const VOCAB = 7;

/** Embedding → two lib/nn recurrent layers (dropout between) → Dense logits. */
function stackedModel(kind: "rnn" | "relu" | "lstm" | "gru", seed = 3): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: VOCAB, outputDim: 5, inputShape: [null], embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed }) }));
  const make = (units: number, s: number) => {
    const args = { units, returnSequences: true, seed: s };
    if (kind === "lstm") return lstmLayer(args);
    if (kind === "gru") return gruLayer(args);
    return simpleRNNLayer({ ...args, activation: kind === "relu" ? "relu" : "tanh", recurrentInitializer: "glorotUniform" });
  };
  model.add(make(6, seed + 1));
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(make(9, seed + 2));
  model.add(tf.layers.dense({ units: VOCAB, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }), biasInitializer: tf.initializers.constant({ value: 0.1 }) }));
  return model;
}

/** The model's logits for the last token of `ids`, run over the whole prefix at once. */
function lastLogits(model: tf.LayersModel, ids: number[]): number[] {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor2d([ids], [1, ids.length], "int32")) as tf.Tensor;
    return Array.from(out.dataSync()).slice(-VOCAB);
  });
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  expect(got.length).to.equal(want.length);
  Array.from(got).forEach((v, i) => expect(v, `logit ${i}`).to.be.closeTo(want[i], tol));
}

describe("train: sampling on the SIMD kernels (simdStepper)", () => {
  for (const kind of ["rnn", "relu", "lstm", "gru"] as const) {
    it(`${kind}: token by token equals the model run over the whole prefix, and the layer-by-layer stepper`, () => {
      const model = stackedModel(kind);
      const ids = [1, 4, 0, 6, 2, 2, 5];
      const fast = simdStepper(model);
      expect(fast, "a stepper for Embedding → lib/nn recurrent → Dense").to.not.equal(undefined);
      const slow = layersModelStepper(model);
      fast!.step(ids.slice(0, 3)); // a seed of several tokens at once
      slow.step(ids.slice(0, 3));
      for (let t = 3; t < ids.length; t++) {
        const got = fast!.step([ids[t]]) as Float32Array;
        const reference = slow.step([ids[t]]) as tf.Tensor;
        expectClose(got, lastLogits(model, ids.slice(0, t + 1)));
        expectClose(got, reference.dataSync());
        reference.dispose();
      }
      fast!.reset();
      expectClose(fast!.step([ids[0]]) as Float32Array, lastLogits(model, [ids[0]]));
      fast!.dispose();
      slow.dispose();
      model.dispose();
    });
  }

  it("sample() on the lab model takes the kernel path and writes the same text as the layer-by-layer path, without leaks", async () => {
    const model = buildLabModel({ vocabSize: VOCAB, embeddingDim: 8, units: 16, seed: 2 });
    model.predict(tf.zeros([1, 1], "int32")); // build
    const tokens = "abcdefg".split("");
    const before = tf.memory().numTensors;
    const fast = await sample(model, { length: 150, seedText: "ab", vocab: tokens, temperature: 1.3, seed: 4 });
    expect(tf.memory().numTensors).to.equal(before);
    const slow = await sample(layersModelStepper(model), { length: 150, seedText: "ab", vocab: tokens, temperature: 1.3, seed: 4 });
    expect(fast.text).to.equal(slow.text);
    expect(new Set(fast.generated).size, "a varied text, so the comparison means something").to.be.greaterThan(3);
    model.dispose();
  });

  it("copies the weights again when they change (training between samples), keeping the state", () => {
    const model = stackedModel("lstm", 11);
    const stepper = simdStepper(model)!;
    stepper.step([1, 2]);
    const dense = model.layers[model.layers.length - 1];
    const [kernel, bias] = dense.getWeights();
    dense.setWeights([tf.mul(kernel, 2), tf.add(bias, 1)]);
    expectClose(stepper.step([3]) as Float32Array, lastLogits(model, [1, 2, 3]));
    stepper.dispose();
    model.dispose();
  });

  it("handles a Dense layer without bias whose outputs differ from the embedding's inputs", () => {
    const model = tf.sequential();
    model.add(tf.layers.embedding({ inputDim: VOCAB, outputDim: 4, inputShape: [null] }));
    model.add(lstmLayer({ units: 5, returnSequences: true, seed: 1 }));
    model.add(tf.layers.dense({ units: 11, useBias: false }));
    const stepper = simdStepper(model)!;
    const got = stepper.step([2, 6]) as Float32Array;
    const want = tf.tidy(() => Array.from((model.predict(tf.tensor2d([[2, 6]], [1, 2], "int32")) as tf.Tensor).dataSync()).slice(-11));
    expectClose(got, want);
    stepper.dispose();
    model.dispose();
  });

  it("declines models it cannot run (the caller falls back to the layer-by-layer stepper)", () => {
    const stock = tinyTokenModel({ cell: "lstm" }); // tfjs-layers' own LSTM
    expect(simdStepper(stock)).to.equal(undefined);
    const softmax = tf.sequential();
    softmax.add(tf.layers.embedding({ inputDim: VOCAB, outputDim: 3, inputShape: [null] }));
    softmax.add(lstmLayer({ units: 4, returnSequences: true }));
    softmax.add(tf.layers.dense({ units: VOCAB, activation: "softmax" })); // probabilities, not logits
    expect(simdStepper(softmax)).to.equal(undefined);
    tf.dispose([stock, softmax].flatMap((m) => m.getWeights()));
  });

  it("explains a token id outside the vocabulary", () => {
    const model = stackedModel("gru");
    const stepper = simdStepper(model)!;
    expect(() => stepper.step([VOCAB])).to.throw(/token id 7 is outside the model's vocabulary \(0\.\.6\)/);
    expect(() => stepper.step([1.5])).to.throw(/token id 1.5/);
    stepper.dispose();
    expect(() => stepper.step([1])).to.throw(/disposed/);
    model.dispose();
  });
});
