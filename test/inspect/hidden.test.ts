import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { hiddenStates } from "../../lib/inspect";
import { Vocabulary } from "../../lib/text";
import { buildLabModel } from "../../lib/nn";

describe("inspect: hidden states", () => {
  it("returns [t][unit] states equal to the layer's own outputs, with tokens and LSTM gates", async () => {
    const vocab = Vocabulary.fromText("abcd");
    const model = tf.sequential();
    model.add(tf.layers.embedding({ inputDim: 4, outputDim: 3, inputShape: [null] }));
    model.add(tf.layers.lstm({ units: 5, returnSequences: true }));
    model.add(tf.layers.dense({ units: 4 }));
    const before = tf.memory().numTensors;
    const h = await hiddenStates(model, "abdca", { vocab });
    expect(tf.memory().numTensors).to.equal(before);
    expect(h.tokens).to.deep.equal(["a", "b", "d", "c", "a"]);
    expect(h.states).to.have.length(5);
    expect(h.states[0]).to.have.length(5);
    const sub = tf.model({ inputs: model.inputs, outputs: model.layers[1].output as tf.SymbolicTensor });
    const want = (sub.predict(tf.tensor2d([Array.from(vocab.encode("abdca"))], [1, 5], "int32")) as tf.Tensor).arraySync() as number[][][];
    h.states.forEach((row, t) => row.forEach((v, u) => expect(v).to.be.closeTo(want[0][t][u], 1e-5)));
    expect(Object.keys(h.gates!)).to.have.members(["input", "forget", "candidate", "output"]);
    for (const name of ["input", "forget", "output"]) {
      for (const row of h.gates![name]) for (const v of row) expect(v).to.be.within(0, 1);
    }
    // h_t = o_t * tanh(c_t) with |tanh| ≤ 1: |h| never exceeds the output gate.
    h.states.forEach((row, t) => row.forEach((v, u) => expect(Math.abs(v)).to.be.at.most(h.gates!.output[t][u] + 1e-6)));
    model.dispose();
  });

  it("works with the lib/nn lab model and explains bad input", async () => {
    const model = buildLabModel({ vocabSize: 4, embeddingDim: 3, units: 6, seed: 2 });
    model.predict(tf.zeros([1, 1], "int32"));
    const h = await hiddenStates(model, [0, 1, 2]);
    expect(h.states).to.have.length(3);
    expect(h.states[2]).to.have.length(6);
    expect(h.gates!.forget).to.have.length(3);
    let error: Error | undefined;
    await hiddenStates(model, "abc").catch((e) => (error = e));
    expect(error?.message).to.match(/needs options.vocab/);
    await hiddenStates(model, [0], { layer: "nope" }).catch((e) => (error = e));
    expect(error?.message).to.match(/no recurrent layer "nope"/);
    model.dispose();
  });
});
