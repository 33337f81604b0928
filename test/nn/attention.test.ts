import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { attend, attentionScores, maskedSoftmax, Attention, Seq2Seq, makeSeq2SeqBatch, scoreTranslations } from "../../lib/nn";
import { numberTranslation, translationIds } from "../../lib/data";

const close = (actual: number[], wanted: number[], tol = 1e-5) => actual.forEach((a, i) => expect(a).to.be.closeTo(wanted[i], tol));

describe("nn: attention scores and weights", () => {
  const query = tf.tensor2d([[1, 2]]);
  const keys = tf.tensor3d([[[1, 0], [0, 1], [1, 1]]]);

  it("dot, general and additive scores by hand", () => {
    close(Array.from(attentionScores("dot", query, keys).dataSync()), [1, 2, 3]);
    const W = tf.tensor2d([[2, 0], [1, -1]]); // q W = [4, -2]
    close(Array.from(attentionScores("general", query, keys, { W }).dataSync()), [4, -2, 2]);
    const Wq = tf.tensor2d([[1], [0]]); // q Wq = 1
    const Wk = tf.tensor2d([[0.5], [-1]]); // k Wk = 0.5, -1, -0.5
    const v = tf.tensor1d([2]);
    close(Array.from(attentionScores("additive", query, keys, { Wq, Wk, v }).dataSync()), [2 * Math.tanh(1.5), 2 * Math.tanh(0), 2 * Math.tanh(0.5)]);
  });

  it("weights sum to 1, give padding exactly 0 and form the context", () => {
    const q = tf.randomNormal([3, 4], 0, 1, "float32", 1) as tf.Tensor2D;
    const k = tf.randomNormal([3, 5, 4], 0, 1, "float32", 2) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0]]);
    for (const kind of ["dot", "general", "additive"] as const) {
      const att = new Attention({ kind, queryDim: 4, keyDim: 4, attentionDim: 3, seed: 3 });
      const { weights, context } = att.apply(q, k, mask);
      const w = weights.arraySync();
      w.forEach((row) => expect(row.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-5));
      expect(w[1].slice(2)).to.deep.equal([0, 0, 0]);
      expect(w[2]).to.deep.equal([1, 0, 0, 0, 0]);
      // With one real position the context is that key.
      close(Array.from(context.slice([2, 0], [1, 4]).dataSync()), Array.from(k.slice([2, 0, 0], [1, 1, 4]).dataSync()));
      att.dispose();
    }
  });

  it("masked softmax equals softmax over the unmasked part, and large scores do not overflow", () => {
    const scores = tf.tensor2d([[1000, 1001, 5]]);
    const w = maskedSoftmax(scores, tf.tensor2d([[1, 1, 0]])).arraySync()[0];
    const e = Math.exp(-1);
    close(w, [e / (1 + e), 1 / (1 + e), 0]);
    expect(() => maskedSoftmax(scores, tf.tensor2d([[1, 1]]))).to.throw(/mask shape/);
    expect(() => attend("dot", tf.zeros([1, 3]) as tf.Tensor2D, keys)).to.throw(/queryDim == keyDim/);
  });
});

describe("nn: seq2seq", function () {
  this.timeout(120000);
  const data = numberTranslation({ count: 16, minNumbers: 1, maxNumbers: 2, maxValue: 99, seed: 11 });
  const ids = translationIds(data);
  const make = (attention: "none" | "additive" | "dot" | "general", cell: "gru" | "lstm" = "gru") =>
    new Seq2Seq({
      sourceVocabSize: data.sourceVocab.size,
      targetVocabSize: data.targetVocab.size,
      bosId: 1,
      eosId: 2,
      embeddingDim: 12,
      units: 24,
      cell,
      attention,
      seed: 4,
    });

  for (const [attention, cell] of [["additive", "gru"], ["none", "lstm"], ["general", "lstm"]] as const) {
    it(`trains with teacher forcing (${attention} attention, ${cell}): the loss falls`, () => {
      const model = make(attention, cell);
      const batch = makeSeq2SeqBatch(ids.source, ids.targetIn, ids.targetOut);
      const optimizer = tf.train.adam(0.02);
      const first = model.loss(batch).dataSync()[0];
      for (let i = 0; i < 20; i++) {
        tf.tidy(() => {
          optimizer.minimize(() => model.loss(batch), false, model.trainableVariables);
        });
      }
      const last = model.loss(batch).dataSync()[0];
      // Starting near ln(15) = 2.7; 20 full-batch Adam steps on 16 pairs reliably reach well below 70% of it.
      expect(first).to.be.closeTo(Math.log(data.targetVocab.size), 0.3);
      expect(last).to.be.below(0.7 * first);
      model.dispose();
      optimizer.dispose();
    });
  }

  it("gives the same loss whether or not padding is present (GRU and LSTM encoders)", () => {
    for (const cell of ["gru", "lstm"] as const) {
      const model = make("additive", cell);
      // The shortest example, alone and next to the longest (so it is padded on both sides).
      const order = ids.source.map((_, i) => i).sort((a, b) => ids.source[a].length + ids.targetIn[a].length - ids.source[b].length - ids.targetIn[b].length);
      const [short, long] = [order[0], order[order.length - 1]];
      expect(ids.source[long].length).to.be.above(ids.source[short].length);
      expect(ids.targetIn[long].length).to.be.above(ids.targetIn[short].length);
      const alone = makeSeq2SeqBatch([ids.source[short]], [ids.targetIn[short]], [ids.targetOut[short]]);
      const both = makeSeq2SeqBatch([ids.source[short], ids.source[long]], [ids.targetIn[short], ids.targetIn[long]], [ids.targetOut[short], ids.targetOut[long]]);
      const logitsAlone = model.forward(alone);
      const logitsBoth = model.forward(both).slice([0, 0, 0], logitsAlone.shape);
      expect(tf.max(tf.abs(tf.sub(logitsAlone, logitsBoth))).dataSync()[0]).to.be.below(1e-5);
      model.dispose();
    }
  });

  it("scores translations overall and by group", () => {
    const model = make("additive");
    const refs = ids.targetOut.map((row) => row.slice(0, -1));
    const groupBy = data.pairs.map((p) => p.values.length);
    const score = scoreTranslations(model, ids.source, refs, { groupBy, batchSize: 5, maxLength: 12 });
    expect(score.outputs.length).to.equal(ids.source.length);
    expect(score.groups.map((g) => g.key)).to.deep.equal([1, 2]);
    expect(score.groups.reduce((a, g) => a + g.count, 0)).to.equal(ids.source.length);
    // Scoring the model's own outputs as references must be perfect.
    // Same batches as above, so the same float sums (an untrained model has near-tied logits).
    const self = scoreTranslations(model, ids.source, score.outputs, { maxLength: 12, batchSize: 5 });
    expect(self.exact).to.equal(1);
    expect(self.tokenAccuracy).to.equal(1);
    expect(() => scoreTranslations(model, ids.source, refs.slice(1))).to.throw(/as many references as sources/);
    // Token accuracy by hand: 2 of 3 positions right; an empty output for an empty reference is right.
    const fixed = { translate: (s: number[][]) => ({ tokens: s.map((x) => (x[0] === 9 ? [] : [5, 6])) }) } as unknown as Seq2Seq;
    const hand = scoreTranslations(fixed, [[1], [9]], [[5, 7, 6], []]);
    expect(hand.exact).to.equal(0.5);
    expect(hand.tokenAccuracy).to.be.closeTo((1 / 3 + 1) / 2, 1e-12);
    model.dispose();
  });

  it("decodes greedily and returns attention weights [target][source] per example", () => {
    const model = make("additive");
    const sources = [ids.source[0], ids.source[1]];
    const out = model.translate(sources, { maxLength: 6 });
    expect(out.tokens.length).to.equal(2);
    expect(out.attention).to.have.length(2);
    out.attention!.forEach((matrix, b) => {
      expect(matrix.length).to.be.at.least(Math.min(6, out.tokens[b].length));
      expect(matrix.length).to.be.at.most(6);
      matrix.forEach((row) => {
        expect(row.length).to.equal(sources[b].length);
        expect(row.reduce((a, c) => a + c, 0)).to.be.closeTo(1, 1e-5);
      });
    });
    expect(make("none").translate(sources, { maxLength: 3 }).attention).to.equal(undefined);
    expect(() => model.translate([])).to.throw(/non-empty/);
    expect(() => makeSeq2SeqBatch([[1]], [[1], [2]], [[1]])).to.throw(/must match/);
    expect(() => make("dot").translate([[3, 4]])).to.not.throw();
  });
});
