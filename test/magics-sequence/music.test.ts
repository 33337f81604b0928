import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import type { SampledText } from "../../lib/train/sample";
import { FakeNotebook, usageErrorOf } from "./harness";
import { Vocabulary } from "../../lib/text/vocabulary";
import { OTHER_TUNE, TUNE, abcVocabulary, tinyLabModel } from "./fixtures";

const isSong = (data: Record<string, unknown>) => String(data["text/html"] ?? "").includes("<svg") && String(data["text/html"] ?? "").includes("<audio");

describe("%generate", function () {
  this.timeout(60000);
  const vocab = abcVocabulary();
  let model: tf.Sequential;
  before(() => (model = tinyLabModel(vocab.size)));
  after(() => model.dispose());

  it("samples text of the asked length, reproducibly for a seed", async () => {
    const nb = new FakeNotebook();
    Object.assign(nb.namespace, { model, vocab });
    const { host } = await nb.run("%generate $model --vocab $vocab --start K --length 40 --temperature 0.8 --top-k 5 --seed 3 --out s");
    const s = nb.namespace.s as SampledText;
    expect(s.seedText).to.equal("K");
    expect(Array.from(s.generated)).to.have.length(40);
    expect(host.out.startsWith(s.text)).to.equal(true);
    await nb.run("%generate $model --vocab $vocab --start K --length 40 --temperature 0.8 --top-k 5 --seed 3 --out again");
    expect((nb.namespace.again as SampledText).text).to.equal(s.text);
  });

  it("word-level output keeps the space after the seed", async () => {
    const nb = new FakeNotebook();
    const words = Vocabulary.fromWords("the keeper watches the gate and the gate keeps the keeper");
    const wordModel = tinyLabModel(words.size);
    Object.assign(nb.namespace, { wordModel, words });
    const { host } = await nb.run('%generate $wordModel --vocab $words --start "the keeper" --length 5 --seed 2 --out w');
    wordModel.dispose();
    const w = nb.namespace.w as SampledText;
    expect(host.out.split("\n")[0]).to.equal(`the keeper ${w.generated}`);
    expect(w.generated.split(" ")).to.have.length(5);
  });

  it("shows generated ABC as sheet music with audio and says whether it parses", async () => {
    const nb = new FakeNotebook();
    Object.assign(nb.namespace, { model, vocab, start: "X:1\nT:Scale\nL:1/8\nK:C\n" });
    const { host } = await nb.run("%generate $model --vocab $vocab --start $start --length 20 --seed 1");
    expect(host.firstShown.some((s) => isSong(s.data))).to.equal(true);
    expect(host.out).to.match(/"Scale": \d+ notes, (valid ABC|\d+ parser warnings)/);
    expect(host.out).to.match(/[01] of 1 tunes in the generated text are valid ABC/);
  });

  it("rejects a missing or wrong vocabulary, bad temperatures and unknown seed characters", async () => {
    const nb = new FakeNotebook();
    Object.assign(nb.namespace, { model, vocab, n: 4 });
    const msg = async (cell: string) => (await usageErrorOf(nb, cell)).message;
    expect(await msg("%generate $model --length 5")).to.contain("missing --vocab");
    expect(await msg("%generate $model --vocab $n")).to.contain("`$n` is a number, expected a Vocabulary");
    expect(await msg("%generate $vocab --vocab $vocab")).to.contain("`$vocab` is a Vocabulary, expected a model");
    expect(await msg("%generate $model --vocab $vocab --temperature 0")).to.contain("--temperature must be a number greater than 0");
    expect(await msg("%generate $model --vocab $vocab --top-k 1.5")).to.contain("--top-k must be a positive integer");
    expect(await msg("%generate $model --vocab $vocab --start Z")).to.contain('Unknown character "Z"');
  });
});

describe("%play", function () {
  this.timeout(60000);

  it("shows a tune from a variable as sheet music with an audio player", async () => {
    const nb = new FakeNotebook();
    nb.namespace.tune = TUNE;
    const { host } = await nb.run("%play $tune");
    expect(host.firstShown).to.have.length(1);
    expect(isSong(host.firstShown[0].data)).to.equal(true);
    expect(host.out).to.contain('"Little Scale": 16 notes, valid ABC');
  });

  it("plays the cell body of %%play, and every tune of a list with --all", async () => {
    const nb = new FakeNotebook();
    const cell = await nb.run(`%%play\n${OTHER_TUNE}`);
    expect(cell.host.out).to.contain('"Second": 6 notes, valid ABC');
    nb.namespace.tunes = [TUNE, OTHER_TUNE];
    const all = await nb.run("%play --all $tunes");
    expect(all.host.firstShown.filter((s) => isSong(s.data))).to.have.length(2);
    const two = await nb.run("%play --all {tunes.slice(0, 2)}");
    expect(two.host.firstShown.filter((s) => isSong(s.data))).to.have.length(2);
    const first = await nb.run("%play $tunes");
    expect(first.host.firstShown).to.have.length(1);
    expect(first.host.out).to.contain("1 more tunes in the text; --all plays them all");
  });

  it("reports parser warnings instead of failing on broken ABC", async () => {
    const nb = new FakeNotebook();
    nb.namespace.broken = "X:2\nT:Broken\nM:4/4\nL:1/8\nK:D\nAB[c|d}} ^^^ zz||::";
    const { host } = await nb.run("%play $broken");
    expect(host.out).to.match(/"Broken": \d+ notes, \d+ parser warnings/);
    expect(host.err).to.contain("none of the tunes parsed cleanly");
  });

  it("rejects values that are not tunes", async () => {
    const nb = new FakeNotebook();
    nb.namespace.n = 3;
    nb.namespace.empty = "   ";
    const msg = async (cell: string) => (await usageErrorOf(nb, cell)).message;
    expect(await msg("%play $n")).to.contain("`$n` is a number, expected ABC text");
    expect(await msg("%play")).to.contain("give a tune");
    expect(await msg("%play $empty")).to.contain("no tune found");
    expect(await msg("%play --engine fluidsynth $n")).to.contain("--engine must be builtin or timidity");
  });
});

describe("sequence magics: help", () => {
  it("answers %name? with the usage and an example for every magic", async () => {
    const nb = new FakeNotebook();
    for (const name of ["tokenize", "summary", "gradients", "attention", "generate", "play"]) {
      const { host } = await nb.run(`%${name}?`);
      const text = String((host.payloads[0].data as Record<string, string>)["text/plain"]);
      expect(text, name).to.contain(`%${name}`).and.match(/Examples?:/);
    }
    const { host } = await nb.run("%%train?");
    expect(String((host.payloads[0].data as Record<string, string>)["text/plain"])).to.contain("%%train $model --data $batches").and.contain("Example:");
  });
});
