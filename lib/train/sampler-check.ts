/**
 * Checking a sampler against the model it samples from: did the text take the model's most
 * likely next token about as often as softmax(logits / T) says it should? A sampler that
 * ignores the temperature, applies it the wrong way round or reads another step's logits
 * misses that count by many standard errors; a correct one stays within a few.
 */
import * as tf from "@tensorflow/tfjs";
import { toIds } from "./losses";
import { samplingDistribution } from "./sample";

export interface TopChoiceAgreement {
  /** Sampled steps checked (the ids after the seed). */
  steps: number;
  /** Share of those steps that took the model's most likely token. */
  observed: number;
  /** The share softmax(logits / T) predicts: the mean over the steps of p_T(top). */
  predicted: number;
  /** (taken - expected count) / its standard deviation, sqrt(sum p_T(top) (1 - p_T(top))). */
  z: number;
}

export interface TopChoiceOptions {
  /** Leading ids that were given, not sampled (the seed); default 1. */
  seedLength?: number;
}

/**
 * `ids` is a seed followed by tokens sampled from `model` (ids [1, time] → logits
 * [1, time, vocab]) at `temperature`; one forward pass gives the logits at every step.
 */
export function topChoiceAgreement(model: tf.LayersModel, ids: ArrayLike<number>, temperature: number, options: TopChoiceOptions = {}): TopChoiceAgreement {
  const seedLength = options.seedLength ?? 1;
  if (!Number.isInteger(seedLength) || seedLength < 1) throw new Error(`seedLength must be a positive integer (the ids given before sampling), got ${seedLength}`);
  if (ids.length <= seedLength) throw new Error(`topChoiceAgreement needs sampled ids after the ${seedLength} seed id(s); got ${ids.length} id(s) in all`);
  samplingDistribution([0], temperature); // checks the temperature before the forward pass
  const rows = tf.tidy(() => {
    const x = toIds([Array.from(ids)], "ids");
    const logits = model.predict(x) as tf.Tensor;
    if (logits.rank !== 3) throw new Error(`the model must return logits [batch, time, vocab] for every step; got shape [${logits.shape}]`);
    return (logits.arraySync() as number[][][])[0];
  });
  let taken = 0;
  let expected = 0;
  let variance = 0;
  // The logits at step i predict id i + 1.
  for (let i = seedLength - 1; i + 1 < ids.length; i++) {
    const p = samplingDistribution(rows[i], temperature);
    let top = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[top]) top = k;
    if (ids[i + 1] === top) taken++;
    expected += p[top];
    variance += p[top] * (1 - p[top]);
  }
  const steps = ids.length - seedLength;
  const miss = taken - expected;
  // With every p_T(top) at 1 there is no spread: any miss is infinitely unlikely.
  const z = variance > 0 ? miss / Math.sqrt(variance) : Math.abs(miss) < 1e-9 ? 0 : Math.sign(miss) * Infinity;
  return { steps, observed: taken / steps, predicted: expected / steps, z };
}
