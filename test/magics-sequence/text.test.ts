import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { Vocabulary } from "../../lib/text/vocabulary";
import type { TokenTable, ModelSummary } from "../../kernel/magics/sequence";
import { FakeNotebook, htmlOf, plainOf, usageErrorOf } from "./harness";
import { tinyLabModel, translationSetup } from "./fixtures";

describe("%tokenize", () => {
  it("shows characters, their ids in a vocabulary built from the text, and its size", async () => {
    const nb = new FakeNotebook();
    const { value } = await nb.run("%tokenize hello");
    const table = value as TokenTable;
    expect(table.tokens).to.deep.equal(["h", "e", "l", "l", "o"]);
    expect(table.ids).to.deep.equal([1, 0, 2, 2, 3]);
    expect(table.vocabularySize).to.equal(4);
    const html = await htmlOf(table);
    expect(html).to.contain("<table>").and.contain("vocabulary of 4");
    expect((html.match(/<tr>/g) ?? []).length).to.equal(6); // header + 5 tokens
    expect(await plainOf(table)).to.match(/5 character tokens; vocabulary of 4/);
  });

  it("keeps the spacing of quoted text", async () => {
    const nb = new FakeNotebook();
    const table = (await nb.run('%tokenize "a  b"')).value as TokenTable;
    expect(table.tokens).to.deep.equal(["a", " ", " ", "b"]);
  });

  it("splits words (lower-cased, punctuation apart) from a $variable", async () => {
    const nb = new FakeNotebook();
    nb.namespace.sentence = "The cat sat on the mat.";
    const table = (await nb.run("%tokenize --level word $sentence")).value as TokenTable;
    expect(table.tokens).to.deep.equal(["the", "cat", "sat", "on", "the", "mat", "."]);
    expect(table.vocabularySize).to.equal(6);
    expect(table.ids[0]).to.equal(table.ids[4]);
  });

  it("encodes with a given vocabulary and reports a token it lacks", async () => {
    const nb = new FakeNotebook();
    nb.namespace.v = Vocabulary.fromText("abc");
    expect(((await nb.run("%tokenize --vocab $v cab")).value as TokenTable).ids).to.deep.equal([2, 0, 1]);
    const err = await usageErrorOf(nb, "%tokenize --vocab $v abz");
    expect(err.message).to.contain('Unknown character "z"');
  });

  it("rejects wrong-typed and missing input with the magic's usage", async () => {
    const nb = new FakeNotebook();
    nb.namespace.n = 5;
    nb.namespace.t = tf.tensor1d([1, 2]);
    expect((await usageErrorOf(nb, "%tokenize $n")).message).to.contain("`$n` is a number, expected a string").and.contain("Usage: %tokenize");
    expect((await usageErrorOf(nb, "%tokenize --vocab $t abc")).message).to.contain("`$t` is a Tensor, expected a Vocabulary");
    expect((await usageErrorOf(nb, "%tokenize --level sentence hi")).message).to.contain("--level must be char or word");
    expect((await usageErrorOf(nb, "%tokenize")).message).to.contain("give the text to tokenize");
    expect((await usageErrorOf(nb, "%tokenize $nothing")).message).to.contain("$nothing is not defined");
    (nb.namespace.t as tf.Tensor).dispose();
  });
});

describe("%summary", () => {
  it("lists a layers model's layers, output shapes and parameter counts", async () => {
    const nb = new FakeNotebook();
    const model = tinyLabModel(7);
    nb.namespace.model = model;
    const summary = (await nb.run("%summary $model")).value as ModelSummary;
    expect(summary.layers.map((l) => l.name)).to.deep.equal(["embedding", "lstm", "logits"]);
    // embedding 7·4; LSTM 4·6·(4+6) + 4·6; dense 6·7 + 7
    expect(summary.layers.map((l) => l.params)).to.deep.equal([28, 264, 49]);
    expect(summary.totalParams).to.equal(model.countParams());
    expect(summary.trainableParams).to.equal(341);
    expect(summary.layers[2].outputShape).to.deep.equal([null, null, 7]);
    expect(await plainOf(summary)).to.contain("[null, null, 7]");
    const text = await plainOf(summary);
    expect(text).to.contain("Total parameters: 341").and.contain("logits");
    expect(await htmlOf(summary)).to.contain("<td").and.contain("341");
    model.dispose();
  });

  it("lists the weights of an sl.Seq2Seq", async () => {
    const nb = new FakeNotebook();
    const { model, batch } = translationSetup();
    nb.namespace.s2s = model;
    const summary = (await nb.run("%summary $s2s")).value as ModelSummary;
    expect(summary.layers).to.have.length(model.trainableVariables.length);
    expect(summary.totalParams).to.equal(model.trainableVariables.reduce((n, v) => n + v.size, 0));
    expect(await plainOf(summary)).to.contain("attention: yes");
    model.dispose();
    tf.dispose(Object.values(batch));
  });

  it("asks to build a model whose layers have no weights yet", async () => {
    const nb = new FakeNotebook();
    const unbuilt = tf.sequential();
    unbuilt.add(tf.layers.dense({ units: 3, inputShape: [2] }));
    unbuilt.add(tf.layers.dense({ units: 1 }));
    nb.namespace.built = unbuilt;
    expect(((await nb.run("%summary $built")).value as ModelSummary).totalParams).to.equal(2 * 3 + 3 + 3 + 1);
    const lazy = tf.sequential();
    nb.namespace.lazy = lazy;
    const summary = (await nb.run("%summary $lazy")).value as ModelSummary;
    expect(summary.layers).to.deep.equal([]);
    expect(summary.totalParams).to.equal(0);
    unbuilt.dispose();
  });

  it("says what the value is when it is not a model", async () => {
    const nb = new FakeNotebook();
    nb.namespace.x = tf.zeros([2, 2]);
    expect((await usageErrorOf(nb, "%summary $x")).message).to.contain("`$x` is a Tensor, expected a model");
    expect((await usageErrorOf(nb, "%summary")).message).to.contain("expected one model");
    expect((await usageErrorOf(nb, "%summary model")).message).to.contain("`model` is a string, expected a model");
    (nb.namespace.x as tf.Tensor).dispose();
  });
});

