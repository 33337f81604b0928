/**
 * The lecture's claim, checked: without attention an encoder-decoder squeezes the source
 * into one state and fails on longer inputs; with attention it keeps up. Minutes of
 * training, so it runs only with SEQLAB_SLOW=1:
 *   SEQLAB_SLOW=1 npx mocha --no-config --require dist/test/setup.js --timeout 900000 --exit dist/test/nn/bottleneck.test.js
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { Seq2Seq, makeSeq2SeqBatch, scoreTranslations, TranslationScore } from "../../lib/nn";
import { numberTranslation, translationIds } from "../../lib/data";
import { makeRng } from "../../lib/text";
import { restoreBackendAfterSuite } from "../backend/keep-backend";

const slow = process.env.SEQLAB_SLOW === "1";

(slow ? describe : describe.skip)("nn: the encoder-decoder bottleneck (slow)", function () {
  this.timeout(900000);
  restoreBackendAfterSuite();

  it("attention keeps exact translations as inputs grow; the plain encoder-decoder loses them", async () => {
    const train = numberTranslation({ count: 2000, minNumbers: 1, maxNumbers: 4, seed: 1 });
    const test = numberTranslation({ count: 200, minNumbers: 1, maxNumbers: 4, seed: 2 });
    const tr = translationIds(train);
    const te = translationIds(test);
    const scores: Record<string, TranslationScore> = {};
    for (const attention of ["none", "additive"] as const) {
      const model = new Seq2Seq({
        sourceVocabSize: train.sourceVocab.size,
        targetVocabSize: train.targetVocab.size,
        bosId: 1,
        eosId: 2,
        embeddingDim: 32,
        units: 64,
        attention,
        seed: 0,
      });
      const optimizer = tf.train.adam(0.01);
      const rng = makeRng(3);
      for (let step = 0; step < 400; step++) {
        const idx = Array.from({ length: 32 }, () => rng.int(tr.source.length));
        const batch = makeSeq2SeqBatch(idx.map((i) => tr.source[i]), idx.map((i) => tr.targetIn[i]), idx.map((i) => tr.targetOut[i]));
        tf.tidy(() => {
          optimizer.minimize(() => model.loss(batch), false, model.trainableVariables);
        });
        tf.dispose(Object.values(batch));
      }
      scores[attention] = scoreTranslations(model, te.source, te.targetOut.map((r) => r.slice(0, -1)), { groupBy: test.pairs.map((p) => p.values.length) });
      model.dispose();
      optimizer.dispose();
    }
    const long = (s: TranslationScore) => s.groups.filter((g) => g.key >= 3).reduce((a, g) => a + g.exact * g.count, 0) / s.groups.filter((g) => g.key >= 3).reduce((a, g) => a + g.count, 0);
    // Measured: with attention about 0.95 exact on 3-4 numbers, without it about 0.
    expect(long(scores.additive)).to.be.above(0.7);
    expect(long(scores.none)).to.be.below(0.3);
    // On single numbers both do well: the gap is about length, not about learning at all.
    expect(scores.none.groups[0].exact).to.be.above(0.5);
  });
});
