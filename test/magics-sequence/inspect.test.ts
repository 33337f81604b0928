import { InterruptedError } from "../../lib/runtime";
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import type { GradientsThroughTimeData } from "../../lib/inspect/types";
import { PLOTLY_MIME } from "../../lib/viz";
import { describeGradients, type AttentionResult, type SelfAttentionResult } from "../../kernel/magics/sequence";
import type { ModelSummary } from "../../kernel/magics/sequence/summary";
import { buildTransformerModel } from "../../lib/nn";
import { Vocabulary } from "../../lib/text/vocabulary";
import type { SampledText } from "../../lib/train";
import { FakeNotebook, usageErrorOf } from "./harness";
import { abcVocabulary, idBatches, scaledRnnModel, tinyLabModel, translationSetup } from "./fixtures";

type PlotlyJson = { data: Array<{ type: string; x?: unknown[]; y?: unknown[]; z?: number[][] }>; layout: Record<string, unknown> };

function gtt(norms: number[]): GradientsThroughTimeData {
  return { layers: ["rnn"], timeSteps: norms.length, norms: [norms], ratio: [norms[0] / norms[norms.length - 1]], verdict: "" };
}

describe("%gradients", function () {
  this.timeout(60000);

  it("plots the gradient norm through time for one batch and says what the ratio means", async () => {
    const nb = new FakeNotebook();
    const model = tinyLabModel(7);
    const [batch] = idBatches(7, 1, 2, 6);
    Object.assign(nb.namespace, { model, x: batch.x, y: batch.y, batch });
    const { host } = await nb.run("%gradients $model $x $y --out g");
    const data = nb.namespace.g as GradientsThroughTimeData;
    expect(data.layers).to.deep.equal(["lstm"]);
    expect(data.timeSteps).to.equal(6);
    expect(data.norms[0].every((n) => n > 0)).to.equal(true);
    const fig = host.firstShown.find((s) => PLOTLY_MIME in s.data);
    const json = fig!.data[PLOTLY_MIME] as PlotlyJson;
    expect(json.data[0].y).to.have.length(6);
    expect(String(fig!.data["text/html"])).to.contain("<div");
    expect(host.out).to.match(/lstm: ‖dL\/dh‖ is \S+ at the last time step \(t=5\) and \S+ at the first \(t=0\)/);
    // With the loss on every step each h_t also gets the gradient of its own prediction, so
    // over 6 steps the first and last norms stay of one order: the stable verdict.
    expect(host.out).to.contain("gradients neither vanish nor explode over 6 steps");

    // the { x, y } form and loss on the last step only
    const again = await nb.run("%gradients $model $batch --loss-on last --out g2");
    const last = nb.namespace.g2 as GradientsThroughTimeData;
    expect(last.norms[0]).to.have.length(6);
    expect(last.norms[0]).to.not.deep.equal(data.norms[0]);
    expect(again.host.out).to.contain("lstm:");
    model.dispose();
    tf.dispose([batch.x, batch.y]);
  });

  it("--interactive: a slider over the steps training recorded; without widgets, a plotly slider with one frame per step", async () => {
    const nb = new FakeNotebook();
    const model = tinyLabModel(7);
    const [batch] = idBatches(7, 1, 2, 6);
    const { trainModel } = await import("../../lib/train");
    const { history } = await trainModel(model, { batches: [batch], steps: 4, optimizer: "adam", gradientsThroughTime: { every: 2 } });
    const other = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], name: "only_dense" })] });
    Object.assign(nb.namespace, { model, history, other, batch });
    const { host } = await nb.run("%gradients $model --interactive");
    const json = host.firstShown.find((s) => PLOTLY_MIME in s.data)!.data[PLOTLY_MIME] as PlotlyJson & { frames: { name: string; data: PlotlyJson["data"] }[] };
    expect(json.frames.map((f) => f.name)).to.deep.equal(["step 2", "step 4"]);
    expect(json.frames[0].data[0].y).to.deep.equal(history.gradientsThroughTime[0].data.norms[0]);
    expect(json.frames[1].data[1].type).to.equal("heatmap");
    expect(host.out).to.contain("2 recorded step(s), 2–4: move the slider");

    const msg = async (cell: string) => (await usageErrorOf(nb, cell)).message;
    expect(await msg("%gradients $other --interactive")).to.contain("history was recorded on layer(s) lstm, which other does not have");
    nb.namespace.empty = new (await import("../../lib/train")).TrainingHistory();
    expect(await msg("%gradients $model --interactive --history $empty")).to.contain("$empty has no gradient records: train with --every N");
    expect(await msg("%gradients $model --interactive --layer nope")).to.contain('no layer "nope"');
    expect(await msg("%gradients $model $batch --interactive")).to.contain("with --interactive, give only the model");
    delete nb.namespace.history;
    expect(await msg("%gradients $model --interactive")).to.contain("no `history` in the notebook: train first");
    model.dispose();
    other.dispose();
    tf.dispose([batch.x, batch.y]);
  });

  it("says VANISH for a vanilla RNN with small recurrent weights over a long gap, EXPLODE for large ones, neither for the identity", async () => {
    const T = 12;
    // recurrent matrix scale·I and the loss on the last step: the ratio first/last is scale^11
    const cases: Array<[number, string]> = [
      [0.5, "gradients VANISH through time — the first step gets 4.88e-4× the last step's gradient"],
      [2, "gradients EXPLODE through time — the first step gets 2.05e+3× the last step's gradient"],
      [1, "gradients neither vanish nor explode over 12 steps — the first step gets 1.00× the last step's gradient"],
    ];
    const [batch] = idBatches(4, 1, 2, T);
    for (const [scale, verdict] of cases) {
      const nb = new FakeNotebook();
      const model = scaledRnnModel(scale, T, 4);
      nb.namespace.model = model;
      nb.namespace.batch = batch;
      const { host } = await nb.run("%gradients $model $batch --loss-on last");
      expect(host.out, `recurrent weights ${scale}·I`).to.contain(`rnn: ‖dL/dh‖ is`).and.contain(verdict);
      model.dispose();
    }
    tf.dispose([batch.x, batch.y]);
  });

  it("words the verdict from the ratio of the first to the last step", () => {
    expect(describeGradients(gtt([1e-5, 1e-3, 1]))[0]).to.contain("VANISH").and.contain("last/first = 1.00e+5");
    expect(describeGradients(gtt([1e4, 10, 1]))[0]).to.contain("EXPLODE").and.contain("--clip");
    expect(describeGradients(gtt([0.5, 0.8, 1]))[0]).to.contain("neither vanish nor explode over 3 steps");
    expect(describeGradients(gtt([1, 0]))[0]).to.contain("no gradient reaches the last step");
    // an overflowing first step is an explosion (lib/inspect/verdict's reading), not "no gradient"
    expect(describeGradients(gtt([Infinity, 1]))[0]).to.contain("EXPLODE");
  });

  it("rejects wrong-typed arguments and models without recurrence", async () => {
    const nb = new FakeNotebook();
    const model = tinyLabModel(5);
    const dense = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 5, outputDim: 3, inputShape: [null] }), tf.layers.dense({ units: 5 })] });
    const [batch] = idBatches(5, 1);
    Object.assign(nb.namespace, { model, dense, x: batch.x, y: batch.y, s: "abc", n: 1 });
    const msg = async (cell: string) => (await usageErrorOf(nb, cell)).message;
    expect(await msg("%gradients $x $x $y")).to.contain("`$x` is a Tensor, expected a model");
    expect(await msg("%gradients $model $s $y")).to.contain("`$s` is a string, expected token ids");
    expect(await msg("%gradients $model $n")).to.contain("`$n` is a number, expected a batch { x, y }");
    expect(await msg("%gradients $model")).to.contain("expected $model $x $y");
    expect(await msg("%gradients $model $x $y --loss-on first")).to.contain("--loss-on must be all or last");
    expect(await msg("%gradients $dense $x $y")).to.contain("no recurrent layers");
    nb.namespace.ragged = [[1, 2, 3, 4], [1, 2], [1, 2, 3, 4], [1, 2, 3, 4]];
    expect(await msg("%gradients $model $ragged $ragged")).to.contain("batch.x has rows of different lengths: row 1 has 2 ids, but row 0 has 4");
    tf.dispose([model, dense].flatMap((m) => m.weights.map((w) => w.read())));
    tf.dispose([batch.x, batch.y]);
  });
});

describe("%attention", function () {
  this.timeout(60000);

  /** A model whose decoder never says <eos> (its output bias rules it out), so decoding runs to --max-length. */
  function endlessTranslator() {
    const setup = translationSetup();
    const eos = setup.model.options.eosId;
    const bias = setup.model.trainableVariables[setup.model.trainableVariables.length - 1];
    bias.assign(tf.tensor1d(Array.from({ length: bias.shape[0] }, (_, i) => (i === eos ? -100 : 0))));
    return setup;
  }

  it("caps a huge --max-length, saying so, and decodes at most that many steps", async () => {
    const nb = new FakeNotebook();
    const { set, model } = endlessTranslator();
    Object.assign(nb.namespace, { model, data: set });
    const { host } = await nb.run("%attention $model --vocab $data --max-length 1e12 --out a seven");
    expect(host.out).to.contain("(--max-length 1000000000000 is more than a heatmap can show; decoding at most 200 steps)");
    expect((nb.namespace.a as AttentionResult).weights).to.have.length(200);
    model.dispose();
  });

  it("stops decoding when interrupted", async () => {
    const nb = new FakeNotebook();
    const { set, model } = endlessTranslator();
    Object.assign(nb.namespace, { model, data: set });
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    let failure: unknown;
    await nb.run("%attention $model --vocab $data --max-length 1e12 seven", controller.signal).catch((err) => (failure = err));
    expect(failure).to.be.instanceOf(InterruptedError);
    expect(nb.lastHost?.shown).to.have.length(0);
    model.dispose();
  });

  it("translates one input and draws its attention weights with source and target tokens", async () => {
    const nb = new FakeNotebook();
    const { set, model, batch } = translationSetup();
    Object.assign(nb.namespace, { model, data: set, sv: set.sourceVocab, tv: set.targetVocab });
    const { host } = await nb.run("%attention $model --vocab $data --max-length 6 --out a seven and forty , two");
    const a = nb.namespace.a as AttentionResult;
    expect(a.source).to.deep.equal(["seven", "and", "forty", ",", "two", "<eos>"]);
    expect(a.weights.length).to.equal(a.target.length).and.to.be.within(1, 6);
    for (const row of a.weights) {
      expect(row).to.have.length(6);
      expect(row.reduce((s, w) => s + w, 0)).to.be.closeTo(1, 1e-4);
    }
    const fig = host.firstShown.find((s) => PLOTLY_MIME in s.data);
    const json = fig!.data[PLOTLY_MIME] as PlotlyJson;
    expect(json.data[0].type).to.equal("heatmap");
    expect(json.data[0].z).to.deep.equal(a.weights);
    expect(host.out).to.contain("seven and forty , two <eos>  →");

    nb.namespace.ids = [set.sourceVocab.idOf("two"), set.sourceVocab.idOf("<eos>")];
    await nb.run("%attention $model --vocab $data --max-length 3 --out byIds $ids");
    expect((nb.namespace.byIds as AttentionResult).source).to.deep.equal(["two", "<eos>"]);
    nb.namespace.badIds = [999];
    expect((await usageErrorOf(nb, "%attention $model --vocab $data $badIds")).message).to.contain("source id 999 is outside");
    await nb.run("%attention $model --source-vocab $sv --target-vocab $tv --max-length 3 --out b two");
    expect((nb.namespace.b as AttentionResult).source).to.deep.equal(["two", "<eos>"]);
    model.dispose();
    tf.dispose(Object.values(batch));
  });

  it("--interactive: a dropdown over an array of sources; without widgets, a plotly slider with each example's heatmap", async () => {
    const nb = new FakeNotebook();
    const { set, model, batch } = translationSetup();
    Object.assign(nb.namespace, { model, data: set, examples: ["seven", "forty , two"] });
    const { host } = await nb.run("%attention $model --vocab $data --max-length 4 $examples --interactive");
    const json = host.firstShown.find((s) => PLOTLY_MIME in s.data)!.data[PLOTLY_MIME] as PlotlyJson & { frames: { name: string; data: PlotlyJson["data"] }[] };
    expect(json.frames.map((f) => f.name)).to.deep.equal(["seven <eos>", "forty , two <eos>"]);
    await nb.run("%attention $model --vocab $data --max-length 4 --out one forty , two");
    expect(json.frames[1].data[0].z).to.deep.equal((nb.namespace.one as AttentionResult).weights);
    expect(host.out).to.contain("2 example(s); pick one in the dropdown");
    const msg = async (cell: string) => (await usageErrorOf(nb, cell)).message;
    expect(await msg("%attention $model --vocab $data seven --interactive")).to.contain("with --interactive, SOURCE is a $variable holding an array of source texts");
    model.dispose();
    tf.dispose(Object.values(batch));
  });

  it("says what is wrong with the model, the vocabularies or the source", async () => {
    const nb = new FakeNotebook();
    const plain = translationSetup("none");
    const { set, model, batch } = translationSetup();
    Object.assign(nb.namespace, { model, plain: plain.model, data: set, t: tf.zeros([1]) });
    const msg = async (cell: string) => (await usageErrorOf(nb, cell)).message;
    expect(await msg("%attention $t --vocab $data two")).to.contain("`$t` is a Tensor, expected an sl.Seq2Seq model with attention");
    expect(await msg("%attention $plain --vocab $data two")).to.contain("built without attention");
    expect(await msg("%attention $model two")).to.contain("give the vocabularies");
    expect(await msg("%attention $model --vocab $t two")).to.contain("`$t` is a Tensor, expected an object with sourceVocab and targetVocab");
    expect(await msg("%attention $model --vocab $data seventy-two")).to.contain("Unknown word");
    expect(await msg("%attention $model")).to.contain("expected the model");
    model.dispose();
    plain.model.dispose();
    tf.dispose([...Object.values(batch), ...Object.values(plain.batch), nb.namespace.t as tf.Tensor]);
  });
});

describe("%attention, %summary and %generate on a Transformer", function () {
  this.timeout(60000);
  const vocab = abcVocabulary();
  const transformer = () => buildTransformerModel({ vocabSize: vocab.size, contextLength: 16, modelDim: 8, heads: 2, layers: 2, seed: 3 });

  it("%attention draws one heatmap per head for every self-attention layer, causal rows, and keeps them with --out", async () => {
    const nb = new FakeNotebook();
    const model = transformer();
    Object.assign(nb.namespace, { model, vocab, tune: "X:1\nK:D\n|ABc|" });
    const { host } = await nb.run("%attention $model --vocab $vocab --out maps $tune");
    const result = nb.namespace.maps as SelfAttentionResult;
    expect(result.tokens.join("")).to.equal("X:1\nK:D\n|ABc|");
    expect(result.layers.map((l) => l.layer)).to.deep.equal(["block1_attention", "block2_attention"]);
    const figures = host.firstShown.filter((s) => PLOTLY_MIME in s.data).map((s) => s.data[PLOTLY_MIME] as PlotlyJson);
    expect(figures).to.have.length(2);
    for (const [i, fig] of figures.entries()) {
      expect(fig.data.map((t) => t.type)).to.deep.equal(["heatmap", "heatmap"]);
      expect(fig.data[1].z).to.deep.equal(result.layers[i].heads[1]);
      fig.data[0].z!.forEach((row, t) => expect(row.slice(t + 1).every((w) => w === 0)).to.equal(true));
    }
    expect(host.out).to.match(/block1_attention: 2 heads; mean distance looked back, per head: \d+\.\d, \d+\.\d tokens/);

    const one = await nb.run("%attention $model --vocab $vocab --layer 2 K:D");
    expect(one.host.firstShown.filter((s) => PLOTLY_MIME in s.data)).to.have.length(1);
    expect(one.host.out).to.contain("block2_attention").and.not.to.contain("block1_attention");
    model.dispose();
  });

  it("%attention says what is wrong: vocabulary, layer, too long a text, unknown characters", async () => {
    const nb = new FakeNotebook();
    const model = transformer();
    Object.assign(nb.namespace, { model, vocab, long: "ABC".repeat(10), pair: translationSetup("none").set });
    const msg = async (cell: string) => (await usageErrorOf(nb, cell)).message;
    expect(await msg("%attention $model ABC")).to.contain("--vocab $vocab");
    expect(await msg("%attention $model --vocab $pair ABC")).to.contain("expected a Vocabulary (for a Transformer, the one it was trained with)");
    expect(await msg("%attention $model --vocab $vocab --layer 3 ABC")).to.contain("--layer 3: model has 2 self-attention layers (1..2)");
    expect(await msg("%attention $model --vocab $vocab $long")).to.contain("the text has 30 tokens but model reads at most 16; give a shorter text");
    expect(await msg("%attention $model --vocab $vocab ABC@")).to.match(/"@"|@/);
    nb.namespace.small = Vocabulary.fromText("ABC");
    expect(await msg("%attention $model --vocab $small AB")).to.contain(`model predicts ${vocab.size} tokens but the vocabulary has 3; use the vocabulary the model was trained with`);
    model.dispose();
  });

  it("%summary lists its blocks and %generate samples from it", async () => {
    const nb = new FakeNotebook();
    const model = transformer();
    Object.assign(nb.namespace, { model, vocab });
    const summary = (await nb.run("%summary $model")).value as ModelSummary;
    const names = summary.layers.map((l) => l.name);
    expect(names).to.include.members(["embedding", "positions", "block1_attention", "block2_mlp1", "final_norm", "logits"]);
    expect(summary.trainableParams).to.equal(model.countParams() - 16 * 8); // the sinusoidal table is fixed
    const { host } = await nb.run("%generate $model --vocab $vocab --start X: --length 40 --out text");
    const text = nb.namespace.text as SampledText;
    expect(text.generated).to.have.length(40); // longer than the 16-token context
    expect(host.out).to.contain(text.text);
    model.dispose();
  });
});
