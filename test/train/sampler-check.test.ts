/**
 * topChoiceAgreement: a text sampled at temperature T takes the model's top token about as
 * often as softmax(logits / T) predicts; samplers broken in the ways the lab notebook's claim is
 * meant to catch (temperature ignored, inverted, or the logits read one step late) miss by
 * many standard errors.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { buildLabModel } from "../../lib/nn";
import { layersModelStepper, sample, topChoiceAgreement, type Stepper } from "../../lib/train";

const TOKENS = ["a", "b", "c", "d", "e", "f"];

/** A tiny lab model with its embedding and output layer scaled up, so its predictions are sharp enough for temperature to matter. */
function sharpModel(): tf.Sequential {
  const model = buildLabModel({ vocabSize: TOKENS.length, embeddingDim: 8, units: 16, seed: 3 });
  const weights = model.getWeights();
  const scaled = weights.map((w, i) => (i === 0 ? tf.mul(w, 20) : i >= weights.length - 2 ? tf.mul(w, 10) : w));
  model.setWeights(scaled);
  tf.dispose(scaled.filter((w) => !weights.includes(w)));
  return model;
}

/** A stepper that answers each step with the logits of the step before: a sampler reading the wrong row. */
function staleStepper(model: tf.LayersModel): Stepper {
  const inner = layersModelStepper(model);
  let previous: Float32Array | undefined;
  return {
    step(ids) {
      const out = inner.step(ids) as tf.Tensor;
      const current = out.dataSync().slice(-TOKENS.length) as Float32Array;
      out.dispose();
      const answer = previous ?? current;
      previous = current;
      return answer;
    },
    reset: () => inner.reset(),
    dispose: () => inner.dispose(),
  };
}

const sampledIds = async (model: tf.LayersModel | Stepper, temperature: number) =>
  [0, ...(await sample(model, { seedText: "a", length: 300, vocab: TOKENS, temperature, seed: 11 })).ids];

describe("train: topChoiceAgreement (is a sampler drawing from softmax(logits / T)?)", () => {
  let model: tf.Sequential;
  before(() => {
    model = sharpModel();
  });
  after(() => model.dispose());

  it("a text from sl.sample agrees with the prediction at each temperature, and colder text follows the top choice more", async () => {
    const observed: number[] = [];
    for (const t of [0.5, 1, 1.5]) {
      const a = topChoiceAgreement(model, await sampledIds(model, t), t);
      expect(a.steps).to.equal(300);
      expect(Math.abs(a.z), `T = ${t}: ${JSON.stringify(a)}`).to.be.below(3);
      observed.push(a.observed);
    }
    expect(observed[0]).to.be.above(observed[2] + 0.1);
  });

  it("catches a sampler that ignores the temperature, inverts it, or reads the previous step's logits", async () => {
    const t = 0.5;
    const stepper = staleStepper(model);
    const broken = {
      "ignores T (draws at 1)": await sampledIds(model, 1),
      "inverts T (draws at 1/T)": await sampledIds(model, 1 / t),
      "reads the previous step's logits": await sampledIds(stepper, t),
    };
    stepper.dispose();
    for (const [name, ids] of Object.entries(broken)) {
      expect(Math.abs(topChoiceAgreement(model, ids, t).z), name).to.be.above(3);
    }
  });

  it("counts only the ids after the seed, and says what is wrong with its arguments", () => {
    expect(topChoiceAgreement(model, [0, 1, 2, 3, 4], 1, { seedLength: 3 }).steps).to.equal(2);
    expect(() => topChoiceAgreement(model, [0], 1)).to.throw(/needs sampled ids after the 1 seed id\(s\); got 1 id/);
    expect(() => topChoiceAgreement(model, [0, 1], 0)).to.throw(/temperature must be a finite number > 0, got 0/);
    expect(() => topChoiceAgreement(model, [0, 1], 1, { seedLength: 0 })).to.throw(/seedLength must be a positive integer/);
  });
});
