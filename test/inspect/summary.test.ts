import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { modelSummary } from "../../lib/inspect";
import { Seq2Seq } from "../../lib/nn";

describe("inspect: modelSummary", () => {
  it("lists a layers model's parts with output shapes and parameter counts", () => {
    const model = tf.sequential({ name: "tiny" });
    model.add(tf.layers.embedding({ inputDim: 5, outputDim: 3, inputShape: [null], name: "embedding" }));
    model.add(tf.layers.lstm({ units: 4, returnSequences: true, name: "lstm" }));
    model.add(tf.layers.dense({ units: 5, name: "logits", trainable: false }));
    const s = modelSummary(model);
    expect(s.name).to.equal("tiny");
    expect(s.layers.map((l) => [l.name, l.kind])).to.deep.equal([["embedding", "Embedding"], ["lstm", "LSTM"], ["logits", "Dense"]]);
    // embedding 5*3; LSTM 4 gates * 4 units * (3 inputs + 4 recurrent + 1 bias); dense 4*5 + 5
    expect(s.layers.map((l) => l.params)).to.deep.equal([15, 128, 25]);
    expect(s.layers[1].outputShape).to.deep.equal([null, null, 4]);
    expect(s.totalParams).to.equal(168);
    expect(s.trainableParams).to.equal(143);
    expect(JSON.parse(JSON.stringify(s))).to.deep.equal(s);
    model.dispose();
  });

  it("lists a Seq2Seq's weights and says what it is", () => {
    const m = new Seq2Seq({ sourceVocabSize: 6, targetVocabSize: 7, bosId: 1, eosId: 2, embeddingDim: 3, units: 4, cell: "gru", attention: "none", seed: 1 });
    const s = modelSummary(m);
    expect(s.layers.every((l) => l.kind === "weight")).to.equal(true);
    expect(s.totalParams).to.equal(m.trainableVariables.reduce((n, v) => n + v.size, 0));
    expect(s.trainableParams).to.equal(s.totalParams);
    expect(s.layers.some((l) => l.name === "source_embedding" && JSON.stringify(l.outputShape) === "[6,3]")).to.equal(true);
    expect(s.description).to.match(/source vocabulary 6, target vocabulary 7, attention: no/);
    m.dispose();
  });

  it("names every weight of a Seq2Seq with attention, the attention's by their role", () => {
    const m = new Seq2Seq({ sourceVocabSize: 6, targetVocabSize: 7, bosId: 1, eosId: 2, embeddingDim: 3, units: 4, attention: "additive", seed: 1 });
    const names = modelSummary(m).layers.map((l) => l.name);
    expect(names).to.include.members(["attention/Wq", "attention/Wk", "attention/v", "encoder/kernel", "output_bias"]);
    expect(names.filter((n) => /^\d+$/.test(n))).to.deep.equal([]);
    m.dispose();
  });

  it("says what to do when a model is not built or not a model", () => {
    // A layer that was never built throws from countParams, as tfjs layers do.
    const unbuilt = tf.layers.dense({ units: 2, name: "dense_unbuilt" });
    const model = { name: "m", layers: [unbuilt], weights: [], trainableWeights: [] };
    expect(() => unbuilt.countParams()).to.throw();
    expect(() => modelSummary(model as unknown as tf.LayersModel)).to.throw(/layer "dense_unbuilt" has no weights yet; build the model first/);
    expect(() => modelSummary({} as never)).to.throw(/expects a tf.LayersModel/);
  });
});
