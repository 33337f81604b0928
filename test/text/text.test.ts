import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as path from "path";
import {
  Vocabulary,
  getBatch,
  sampleWindows,
  makeRng,
  padSequences,
  padBatch,
  lengthsToMask,
  tokenizeWords,
  checkIdRows,
} from "../../lib/text";
import { toIds } from "../../lib/train/losses";

describe("text: rows of token ids", () => {
  it("says which row of ragged ids has which length, and what was expected", () => {
    const ragged = [[1, 2, 3, 4], [1, 2], [1, 2, 3, 4], [1, 2, 3, 4]];
    expect(() => toIds(ragged, "batch.x")).to.throw(RangeError, /^batch\.x has rows of different lengths: row 1 has 2 ids, but row 0 has 4; .*sl\.padSequences/);
    expect(() => checkIdRows([[[1, 2], [3]]], "x")).to.throw(/x has rows of different lengths: row 0, position 1 has 1 id, but row 0, position 0 has 2/);
    expect(() => checkIdRows([[1, "a"]], "x")).to.throw(TypeError, /x: row 0, position 1 is "a", expected an integer token id/);
    expect(toIds([[1, 2], [3, 4]]).shape).to.deep.equal([2, 2]);
  });
});

describe("text: vocabulary", () => {
  it("sorts characters like Python's sorted(set(text))", () => {
    const v = Vocabulary.fromText("hello world\n");
    expect(v.tokens).to.deep.equal(["\n", " ", "d", "e", "h", "l", "o", "r", "w"]);
    expect(v.size).to.equal(9);
  });

  it("round-trips encode and decode", () => {
    const text = "X:1\nT:tune\nK:D\n|:ABc|";
    const v = Vocabulary.fromText(text);
    const ids = v.encode(text);
    expect(ids).to.be.instanceOf(Int32Array);
    expect(ids.length).to.equal(text.length);
    expect(v.decode(ids)).to.equal(text);
    expect(v.idOf("\n")).to.equal(0);
  });

  it("treats an astral character as one token", () => {
    const v = Vocabulary.fromText("a🎵b");
    expect(v.size).to.equal(3);
    expect(v.encode("🎵").length).to.equal(1);
  });

  it("names the unknown character and where it is", () => {
    const v = Vocabulary.fromText("abc");
    expect(() => v.encode("abxc")).to.throw(/Unknown character "x" at position 2/);
  });

  it("maps unknown tokens to <unk> under the unk policy", () => {
    const v = Vocabulary.fromText("abc", { unknown: "unk" });
    expect(v.tokens[0]).to.equal("<unk>");
    expect(Array.from(v.encode("axb"))).to.deep.equal([v.idOf("a"), 0, v.idOf("b")]);
  });

  it("puts specials first in the given order", () => {
    const v = Vocabulary.fromWords("the cat sat", { specials: ["<pad>", "<bos>"], unknown: "unk" });
    expect(v.tokens.slice(0, 3)).to.deep.equal(["<pad>", "<bos>", "<unk>"]);
    expect(v.tokens.slice(3)).to.deep.equal(["cat", "sat", "the"]);
    expect(v.decode(v.encode("The dog sat"))).to.equal("the <unk> sat");
  });

  it("rejects an empty corpus with a clear error", () => {
    expect(() => Vocabulary.fromText("")).to.throw(/corpus is empty/);
    expect(() => Vocabulary.fromWords("  ")).to.throw(/no words/);
  });

  it("rejects out-of-range ids when decoding", () => {
    const v = Vocabulary.fromText("ab");
    expect(() => v.decode([0, 5])).to.throw(/id 5 is out of range/);
  });

  it("survives JSON and honours minCount", () => {
    const v = Vocabulary.fromWords(["a a b", "c a"], { minCount: 2, unknown: "unk" });
    expect(v.tokens).to.deep.equal(["<unk>", "a"]);
    const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.tokens).to.deep.equal(v.tokens);
    expect(Array.from(back.encode("a b"))).to.deep.equal([1, 0]);
  });

  it("splits words and punctuation", () => {
    expect(tokenizeWords("Good, not BAD! It's fine.")).to.deep.equal(["good", ",", "not", "bad", "!", "it's", "fine", "."]);
  });

  it("builds the lab's 83-character vocabulary from the corpus", function () {
    const file = path.join(process.env.SEQLAB_DATA_DIR ?? "", "irish.abc");
    if (!fs.existsSync(file)) this.skip();
    const text = fs.readFileSync(file, "utf8");
    const songs = [...text.matchAll(/(?=(^|\n\n)([\s\S]*?)\n\n)/g)].map((m) => m[2]);
    const joined = songs.join("\n\n");
    const v = Vocabulary.fromText(joined);
    expect(songs.length).to.equal(817);
    expect(v.size).to.equal(83);
    expect(v.decode(v.encode(joined.slice(0, 500)))).to.equal(joined.slice(0, 500));
  });
});

describe("text: padding and masks", () => {
  it("pads on the right by default and marks the padding", () => {
    const p = padSequences([[1, 2, 3], [4]], { padId: 9 });
    expect(p.ids).to.deep.equal([[1, 2, 3], [4, 9, 9]]);
    expect(p.mask).to.deep.equal([[1, 1, 1], [1, 0, 0]]);
    expect(p.lengths).to.deep.equal([3, 1]);
  });

  it("pads on the left and truncates either end", () => {
    const p = padSequences([Int32Array.from([1, 2, 3, 4]), [5]], { side: "left", maxLength: 3, truncate: "left" });
    expect(p.ids).to.deep.equal([[2, 3, 4], [0, 0, 5]]);
    expect(p.mask).to.deep.equal([[1, 1, 1], [0, 0, 1]]);
    expect(lengthsToMask([3, 1], 3, "left")).to.deep.equal(p.mask);
  });

  it("returns tensors of the right type", () => {
    const b = padBatch([[1, 2], [3]]);
    expect(b.ids.dtype).to.equal("int32");
    expect(b.mask.dtype).to.equal("float32");
    expect(b.ids.shape).to.deep.equal([2, 2]);
    tf.dispose([b.ids, b.mask]);
  });

  it("rejects bad options and mismatched lengths", () => {
    expect(() => padSequences([])).to.throw(/non-empty/);
    expect(() => lengthsToMask([2, 5], 4)).to.throw(/length 5 is not an integer in \[0, 4\]/);
    expect(() => padSequences([[1, 2]], { maxLength: 0 })).to.throw(/maxLength must be a positive integer/);
    expect(() => Vocabulary.fromJSON({ level: "char", tokens: ["a", "a"], specials: [], unknown: "error", unkToken: "<unk>", lowercase: false })).to.throw(/appears twice/);
    expect(() => padSequences([[1]], { side: "middle" as never })).to.throw(/side must be/);
  });
});

describe("text: getBatch (the lab's three checks)", () => {
  const encoded = Vocabulary.fromText("abcdefghij".repeat(20)).encode("abcdefghij".repeat(20));

  it("returns int32 tensors (types)", () => {
    const { x, y } = getBatch(encoded, 10, 2, makeRng(1));
    expect(x).to.be.instanceOf(tf.Tensor);
    expect(y).to.be.instanceOf(tf.Tensor);
    expect(x.dtype).to.equal("int32");
    expect(y.dtype).to.equal("int32");
    tf.dispose([x, y]);
  });

  it("returns [batchSize, seqLength] (shapes)", () => {
    const { x, y } = getBatch(encoded, 7, 5, 3);
    expect(x.shape).to.deep.equal([5, 7]);
    expect(y.shape).to.deep.equal([5, 7]);
    tf.dispose([x, y]);
  });

  it("shifts the target one step ahead (x[:, 1:] == y[:, :-1])", () => {
    const { x, y, starts } = getBatch(encoded, 12, 4, 5);
    const xs = x.arraySync();
    const ys = y.arraySync();
    for (let b = 0; b < 4; b++) {
      expect(xs[b].slice(1)).to.deep.equal(ys[b].slice(0, -1));
      expect(ys[b][11]).to.equal(encoded[starts[b] + 12]);
    }
    tf.dispose([x, y]);
  });

  it("is deterministic under a seed and reaches the last window", () => {
    const a = sampleWindows(encoded, 5, 8, 42);
    const b = sampleWindows(encoded, 5, 8, 42);
    const c = sampleWindows(encoded, 5, 8, 43);
    expect(a).to.deep.equal(b);
    expect(a.starts).to.not.deep.equal(c.starts);
    const tiny = [0, 1, 2, 3];
    const many = sampleWindows(tiny, 3, 50, 0);
    expect(new Set(many.starts)).to.deep.equal(new Set([0]));
    const all = sampleWindows([0, 1, 2, 3, 4], 2, 200, 0);
    expect([...new Set(all.starts)].sort()).to.deep.equal([0, 1, 2]);
  });

  it("accepts any random source with next()", () => {
    let calls = 0;
    const source = { next: () => ((calls++ * 0.37) % 1) };
    const { starts } = sampleWindows(encoded, 5, 3, source);
    expect(calls).to.equal(3);
    expect(starts).to.deep.equal([0, Math.floor(0.37 * 195), Math.floor(0.74 * 195)]);
    expect(() => sampleWindows(encoded, 5, 3, {} as never)).to.throw(/object with next\(\)/);
  });

  it("rejects a sequence shorter than the window", () => {
    expect(() => getBatch([1, 2, 3], 3, 1)).to.throw(/has 3 ids, but a window of seqLength 3 needs at least 4/);
    expect(() => getBatch(encoded, 0, 1)).to.throw(/seqLength must be a positive integer/);
    expect(() => getBatch(encoded, 4, 1.5)).to.throw(/batchSize must be a positive integer/);
  });
});
