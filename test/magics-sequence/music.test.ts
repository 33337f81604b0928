import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import type { SampledText } from "../../lib/train/sample";
import { FakeNotebook, usageErrorOf } from "./harness";
import { Vocabulary } from "../../lib/text/vocabulary";
import { decodeWav, wavSeconds } from "../../lib/music/wav";
import { InterruptedError } from "../../lib/runtime";
import { OTHER_TUNE, TUNE, abcVocabulary, tinyLabModel } from "./fixtures";

/** A tune the ABC parser gives exactly one warning for. */
const ONE_WARNING = "X:3\nT:One Warning\nK:C\nCDEF ^| GAB";

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
    expect(host.out).to.match(/[01] of 1 tune in the generated text (is|are) valid ABC/);
  });

  it("counts valid tunes over all tunes in the text (lib/music's checkSongs), showing the first three", async () => {
    const nb = new FakeNotebook();
    const start = [TUNE, OTHER_TUNE, TUNE, OTHER_TUNE, ONE_WARNING].join("\n\n");
    const textVocab = Vocabulary.fromText(start);
    const textModel = tinyLabModel(textVocab.size);
    Object.assign(nb.namespace, { textModel, textVocab, start });
    const { host } = await nb.run("%generate $textModel --vocab $textVocab --start $start --length 1 --seed 1");
    textModel.dispose();
    expect(host.firstShown.filter((s) => isSong(s.data))).to.have.length(3);
    expect(host.out).to.contain("(2 more tunes not shown)");
    expect(host.out).to.contain("4 of 5 tunes in the generated text are valid ABC");
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
    expect(first.host.out).to.contain("(1 more tune in the text; --all plays them all)");
  });

  it("plays a one-line tune written with \\n", async () => {
    const nb = new FakeNotebook();
    const { host } = await nb.run("%play X:1\\nT:One Line\\nL:1/8\\nK:C\\nCDEF GABc|");
    expect(host.out).to.contain('"One Line": 8 notes, valid ABC');
    expect(host.firstShown.filter((s) => isSong(s.data))).to.have.length(1);
  });

  it("fails on a tune the parser warns about, listing the warnings; --lenient plays it", async () => {
    const nb = new FakeNotebook();
    nb.namespace.broken = "X:2\nT:Broken\nM:4/4\nL:1/8\nK:D\nAB[c|d}} ^^^ zz||::";
    nb.namespace.warned = ONE_WARNING;
    let failure: Error | undefined;
    await nb.run("%play $broken").catch((err: Error) => (failure = err));
    expect(failure?.name).to.equal("InvalidTuneError");
    expect(failure?.message).to.contain("8 parser warnings:").and.contain("Expected ']' to end the chords").and.contain("--lenient");
    expect(nb.lastHost?.shown).to.have.length(0);
    const lenient = await nb.run("%play --lenient $warned");
    expect(lenient.host.out).to.match(/"One Warning": 7 notes, 1 parser warning: line 4:6: Unknown character ignored/);
    expect(lenient.host.firstShown.filter((s) => isSong(s.data))).to.have.length(1);
    expect(lenient.host.out + lenient.host.err).to.not.contain("see the warnings above");
  });

  it("a tune without notes is an error saying so", async () => {
    const nb = new FakeNotebook();
    nb.namespace.silent = "X:1\nT:Silent\nK:C\n";
    let failure: Error | undefined;
    await nb.run("%play $silent").catch((err: Error) => (failure = err));
    expect(failure?.message).to.contain("1 parser warning:").and.contain("The tune has no notes.");
    const lenient = await nb.run("%play --lenient $silent");
    expect(lenient.host.out).to.contain('"Silent": no notes, nothing to play');
  });

  it("cuts a long tune's audio at --max-seconds and its sheet music at 64 lines, saying so", async () => {
    const nb = new FakeNotebook();
    nb.namespace.long = `X:1\nT:Long\nL:1/8\nQ:1/4=120\nK:C\n${"CDEF GABc|\n".repeat(70)}`;
    const { host } = await nb.run("%play --max-seconds 3 $long");
    expect(host.out).to.contain("sheet music shows the first 64 of 70 lines of music");
    expect(host.out).to.contain("audio cut at 0:03 of 2:20; --max-seconds 140 renders it all");
    const html = String(host.firstShown[0].data["text/html"]);
    const wav = Buffer.from(/data:audio\/wav;base64,([^"]+)"/.exec(html)![1], "base64");
    expect(wavSeconds(decodeWav(wav))).to.be.closeTo(3.3, 0.05); // 3 s and the 0.3 s release tail
    expect(html.match(/<svg/g)).to.have.length(1);
    expect((await usageErrorOf(nb, "%play --max-seconds 0 $long")).message).to.contain("--max-seconds must be a number greater than 0");
  });

  it("stops preparing a long tune when interrupted, and shows nothing", async () => {
    const nb = new FakeNotebook();
    nb.namespace.long = `X:1\nT:Long\nL:1/8\nK:C\n${"CDEF GABc|\n".repeat(400)}`;
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    let failure: Error | undefined;
    await nb.run("%play --max-seconds 10000 $long", controller.signal).catch((err: Error) => (failure = err));
    expect(failure).to.be.instanceOf(InterruptedError);
    expect(nb.lastHost?.shown).to.have.length(0);
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
