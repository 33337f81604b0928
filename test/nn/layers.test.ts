import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LSTMLayer, GRULayer, SimpleRNNLayer, buildLabModel, buildLabModelParts, lstmLayer, fileModelHandler, unroll } from "../../lib/nn";

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).to.deep.equal(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const V = 7;
const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");

describe("nn: recurrent layers in tf.sequential", () => {
  it("fits one step and changes every weight", async () => {
    const model = buildLabModel({ vocabSize: V, embeddingDim: 5, units: 6, seed: 1 });
    model.compile({ optimizer: tf.train.adam(0.01), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
    const before = model.getWeights().map((w) => w.clone());
    const x = ids([[1, 2, 3, 4], [4, 3, 2, 1]]);
    const y = tf.oneHot(ids([[2, 3, 4, 5], [3, 2, 1, 0]]), V);
    const history = await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    expect(Number.isFinite(history.history.loss[0] as number)).to.equal(true);
    model.getWeights().forEach((w, i) => expect(maxDiff(w, before[i]), model.weights[i].name).to.be.above(0));
  });

  it("save and load through an in-memory handler give identical predictions", async () => {
    const model = tf.sequential();
    model.add(tf.layers.embedding({ inputDim: V, outputDim: 4, inputShape: [null] }));
    model.add(new GRULayer({ units: 5, returnSequences: true, seed: 2 }));
    model.add(new SimpleRNNLayer({ units: 3, activation: "relu", seed: 3 }));
    model.add(tf.layers.dense({ units: 2 }));
    const x = ids([[1, 2, 3], [6, 5, 4]]);
    const before = model.predict(x) as tf.Tensor;
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    expect(JSON.stringify(saved!.modelTopology)).to.contain("SeqlabGRU").and.to.contain("SeqlabSimpleRNN");
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const after = loaded.predict(x) as tf.Tensor;
    expect(maxDiff(before, after)).to.equal(0);
    expect((loaded.layers[2] as SimpleRNNLayer).activation).to.equal("relu");
  });

  it("saves to file:// and loads back with identical predictions (no tfjs-node needed)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-model-"));
    try {
      const model = buildLabModel({ vocabSize: V, embeddingDim: 3, units: 4, seed: 6 });
      model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
      const x = ids([[1, 2, 3]]);
      const before = model.predict(x) as tf.Tensor;
      await model.save(`file://${dir}`);
      expect(fs.readdirSync(dir).sort()).to.deep.equal(["model.json", "weights.bin"]);
      const loaded = await tf.loadLayersModel(`file://${path.join(dir, "model.json")}`);
      expect(maxDiff(before, loaded.predict(x) as tf.Tensor)).to.equal(0);
      expect(loaded.layers[1]).to.be.instanceOf(LSTMLayer);
      const again = await tf.loadLayersModel(fileModelHandler(dir));
      expect(maxDiff(before, again.predict(x) as tf.Tensor)).to.equal(0);
      let failure: Error | undefined;
      await tf.loadLayersModel(fileModelHandler(path.join(dir, "missing"))).catch((e: Error) => (failure = e));
      expect(failure?.message).to.match(/No model at .*missing.*model\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("moves weights to and from tf.layers.lstm with getWeights/setWeights", () => {
    const ours = new LSTMLayer({ units: 4, returnSequences: true, seed: 9 });
    const x = tf.randomNormal([2, 5, 3], 0, 1, "float32", 4);
    const a = ours.apply(x) as tf.Tensor;
    const theirs = tf.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: "sigmoid" });
    theirs.apply(x);
    theirs.setWeights(ours.getWeights());
    expect(maxDiff(a, theirs.apply(x) as tf.Tensor)).to.be.below(1e-5);
  });

  it("unit forget bias and the lab's initialisation", () => {
    const { lstm, embedding } = buildLabModelParts({ vocabSize: V, embeddingDim: 8, units: 3, seed: 0 });
    const [kernel, recurrent, bias] = lstm.getWeights();
    expect(Array.from(bias.dataSync())).to.deep.equal([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(kernel.shape).to.deep.equal([8, 12]);
    // Glorot-uniform over the whole matrix, recurrent included (not orthogonal).
    expect(tf.max(tf.abs(recurrent)).dataSync()[0]).to.be.at.most(Math.sqrt(6 / (3 + 12)));
    expect(tf.max(tf.abs(embedding.getWeights()[0])).dataSync()[0]).to.be.at.most(0.05);
  });

  it("the lab model's parts draw independent initial weights (no part copies another's numbers)", () => {
    for (const initFan of ["matrix", "gate"] as const) {
      const { lstm, dense, embedding } = buildLabModelParts({ vocabSize: V, embeddingDim: 8, units: 16, seed: 0, initFan });
      const flat = (t: tf.Tensor) => Array.from(t.dataSync());
      const parts = [flat(embedding.getWeights()[0]), ...lstm.getWeights().slice(0, 2).map(flat), flat(dense.getWeights()[0])];
      // Normalised, equal-seeded uniform draws are identical; independent ones are not.
      const unit = (xs: number[]) => {
        const m = Math.max(...xs.map(Math.abs));
        return xs.map((x) => x / m);
      };
      for (let i = 0; i < parts.length; i++) {
        for (let j = i + 1; j < parts.length; j++) {
          const [a, b] = [unit(parts[i]), unit(parts[j])];
          const n = Math.min(a.length, b.length, 16);
          const same = a.slice(0, n).filter((x, k) => Math.abs(x - b[k]) < 0.02).length;
          expect(same, `${initFan}: parts ${i} and ${j} share ${same} of their first ${n} numbers`).to.be.below(n / 4);
        }
      }
    }
  });

  it("returns the final state when asked", () => {
    const layer = lstmLayer({ units: 3, returnState: true });
    const x = tf.randomNormal([2, 4, 5]);
    const out = layer.apply(x) as tf.Tensor[];
    expect(out.map((t) => t.shape)).to.deep.equal([[2, 3], [2, 3], [2, 3]]);
    expect(maxDiff(out[0], out[1])).to.equal(0);
    const input = tf.input({ shape: [4, 5] });
    const sym = lstmLayer({ units: 3, returnSequences: true, returnState: true }).apply(input) as tf.SymbolicTensor[];
    expect(sym.map((s) => s.shape)).to.deep.equal([[null, 4, 3], [null, 3], [null, 3]]);
  });

  it("starts from a given initial state in eager calls", () => {
    const layer = new LSTMLayer({ units: 3, returnSequences: true, seed: 2, implementation: "unrolled" });
    const x = tf.randomNormal([2, 4, 5], 0, 1, "float32", 8);
    const h = tf.randomNormal([2, 3], 0, 1, "float32", 9);
    const c = tf.randomNormal([2, 3], 0, 1, "float32", 10);
    const fromState = layer.apply(x, { initialState: [h, c] }) as tf.Tensor;
    const fromZero = layer.apply(x) as tf.Tensor;
    expect(maxDiff(fromState, fromZero)).to.be.above(1e-3);
    const cell = unroll("lstm", x as tf.Tensor3D, layer.recurrenceWeights(), { h: h as tf.Tensor2D, c: c as tf.Tensor2D });
    expect(maxDiff(fromState, cell.outputs)).to.be.below(1e-6);
    expect(() => layer.apply(x, { initialState: [h] })).to.throw(/initialState must be \[h, c\]/);
  });

  it("honours Embedding masks on right-padded batches, stacked layers included", () => {
    const model = tf.sequential();
    model.add(tf.layers.embedding({ inputDim: V, outputDim: 3, maskZero: true, inputShape: [null], embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 }) }));
    model.add(new GRULayer({ units: 4, returnSequences: true, seed: 2 }));
    model.add(new LSTMLayer({ units: 3, seed: 3 }));
    const padded = model.predict(ids([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0], [6, 1, 2, 3, 4]])) as tf.Tensor;
    const alone = [[1, 2, 3], [4, 5], [6, 1, 2, 3, 4]].map((row) => model.predict(ids([row])) as tf.Tensor);
    expect(maxDiff(padded, tf.concat(alone, 0))).to.be.below(1e-5);
    // Without the mask the padding would change the answer.
    const unmasked = tf.sequential({ layers: [tf.layers.embedding({ inputDim: V, outputDim: 3, inputShape: [null] }), ...model.layers.slice(1)] });
    unmasked.layers[0].setWeights(model.layers[0].getWeights());
    expect(maxDiff(unmasked.predict(ids([[4, 5, 0, 0, 0]])) as tf.Tensor, alone[1])).to.be.above(1e-4);
    expect(() => model.predict(ids([[0, 0, 1, 2, 3]]))).to.throw(/not right-padded.*side: "right"/);
  });

  it("hands dL/dh_t to onHiddenGradient during training", () => {
    const { model, lstm } = buildLabModelParts({ vocabSize: V, embeddingDim: 4, units: 5, seed: 3 });
    const seen: number[][] = [];
    lstm.onHiddenGradient = (dh) => {
      seen.push(dh.shape);
      dh.dispose();
    };
    const x = ids([[1, 2, 3], [3, 2, 1]]);
    const { grads } = tf.variableGrads(() => tf.mean(model.apply(x) as tf.Tensor) as tf.Scalar);
    expect(Object.keys(grads).length).to.be.above(0);
    expect(seen).to.deep.equal([[2, 3, 5]]);
  });
});

describe("nn: layer implementations and the lab size", () => {
  it("fused and unrolled layers give the same predictions and gradients", () => {
    const fused = buildLabModelParts({ vocabSize: V, embeddingDim: 4, units: 5, seed: 8 });
    const unrolled = buildLabModelParts({ vocabSize: V, embeddingDim: 4, units: 5, seed: 8, implementation: "unrolled" });
    expect(unrolled.lstm.implementation).to.equal("unrolled");
    const x = ids([[1, 2, 3, 4], [0, 6, 5, 4]]);
    const y = tf.oneHot(ids([[2, 3, 4, 5], [6, 5, 4, 3]]), V);
    const lossOf = (m: tf.LayersModel) => () => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar;
    const a = tf.variableGrads(lossOf(fused.model));
    const b = tf.variableGrads(lossOf(unrolled.model));
    expect(a.value.dataSync()[0]).to.be.closeTo(b.value.dataSync()[0], 1e-6);
    const ga = Object.values(a.grads);
    const gb = Object.values(b.grads);
    expect(ga.length).to.equal(gb.length);
    ga.forEach((g, i) => expect(maxDiff(g, gb[i])).to.be.below(1e-5));
  });

  it("builds the lab's model at its real size", () => {
    const model = buildLabModel({ vocabSize: 83, batchSize: 4 });
    const lstmParams = 256 * 4096 + 1024 * 4096 + 4096;
    expect(model.countParams()).to.equal(83 * 256 + lstmParams + 1024 * 83 + 83);
    expect(model.outputs[0].shape).to.deep.equal([4, null, 83]);
    model.dispose();
  });
});

describe("nn: stateful generation", () => {
  it("carries state across calls, equal to one long call, and resets", () => {
    const parts = buildLabModelParts({ vocabSize: V, embeddingDim: 4, units: 6, batchSize: 1, stateful: true, seed: 5 });
    const plain = buildLabModel({ vocabSize: V, embeddingDim: 4, units: 6, seed: 99 });
    plain.setWeights(parts.model.getWeights());
    const whole = plain.predict(ids([[1, 2, 3, 4, 5]])) as tf.Tensor;
    const first = parts.model.predict(ids([[1, 2, 3]])) as tf.Tensor;
    const rest = parts.model.predict(ids([[4, 5]])) as tf.Tensor;
    expect(maxDiff(tf.concat([first, rest], 1), whole)).to.be.below(1e-5);
    parts.model.resetStates();
    const again = parts.model.predict(ids([[4, 5]])) as tf.Tensor;
    const fresh = plain.predict(ids([[4, 5]])) as tf.Tensor;
    expect(maxDiff(again, fresh)).to.be.below(1e-5);
    expect(maxDiff(again, rest)).to.be.above(1e-4);
  });

  it("refuses a different batch size without a reset, and keeps its state", () => {
    const layer = new LSTMLayer({ units: 2, stateful: true, seed: 1 });
    layer.apply(tf.ones([1, 3, 2]));
    const held = layer.carriedState!;
    expect(() => layer.apply(tf.ones([2, 3, 2]))).to.throw(/batch size 1, but got a batch of 2.*resetStates/);
    expect(maxDiff(layer.carriedState!.h, held.h)).to.equal(0);
    layer.resetStates();
    expect((layer.apply(tf.ones([2, 3, 2])) as tf.Tensor).shape).to.deep.equal([2, 2]);
    layer.resetStates([tf.ones([2, 2]), tf.zeros([2, 2])]);
    expect(Array.from(layer.carriedState!.h.dataSync())).to.deep.equal([1, 1, 1, 1]);
  });

  it("rejects bad arguments clearly", () => {
    expect(() => new LSTMLayer({ units: 0 })).to.throw(/units must be a positive integer/);
    expect(() => buildLabModel({ vocabSize: 5, stateful: true })).to.throw(/needs a fixed batchSize/);
    expect(() => new LSTMLayer({ units: 2 }).resetStates()).to.throw(/not stateful/);
  });
});
