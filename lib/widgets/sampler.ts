/**
 * An interactive sampler: temperature and top-k sliders and a "Sample again" button over
 * sl.sample, the text shown in an Output. Runs one sample at a time (a stateful model's
 * state must not be shared by two), and shows only the newest.
 */
import type * as tf from "@tensorflow/tfjs";
import { sample, type SampleVocabulary } from "../train/sample";
import { Button, FloatSlider, IntSlider } from "./controls";
import { Interactive } from "./interact";

export interface SamplerOptions {
  vocab: SampleVocabulary | readonly string[];
  /** Tokens per sample (default 200). */
  length?: number;
  /** Text that primes the model (default "X", the start of an ABC tune). */
  seedText?: string;
  /** Starting temperature (default 1). */
  temperature?: number;
  /** Starting top-k; 0 or undefined: all tokens. */
  topK?: number;
  /** Seed of the first sample; each "Sample again" adds one (default 0). */
  seed?: number;
}

const sizeOf = (vocab: SamplerOptions["vocab"]): number =>
  Array.isArray(vocab) ? vocab.length : ((vocab as SampleVocabulary).size ?? (vocab as { tokens?: unknown[] }).tokens?.length ?? 100);

/** Controls and output for sampling from `model`; shown with display(), they resample on each change. */
export function sampler(model: tf.LayersModel, options: SamplerOptions): Interactive<{ temperature: FloatSlider; topK: IntSlider }> {
  if (!options?.vocab) throw new TypeError("sampler needs options.vocab (the vocabulary the model was trained with)");
  const temperature = new FloatSlider({ description: "temperature", min: 0.05, max: 2, step: 0.05, value: options.temperature ?? 1 });
  const topK = new IntSlider({ description: "top-k", min: 0, max: sizeOf(options.vocab), value: options.topK ?? 0, tooltip: "0: all tokens" });
  const again = new Button({ description: "Sample again", icon: "refresh" });
  let draw = 0;
  let previous: Promise<unknown> = Promise.resolve();
  const shown = new Interactive(
    (values: { temperature: number; topK: number }) => {
      const seed = (options.seed ?? 0) + draw;
      const run = previous.then(() => sample(model, { vocab: options.vocab, length: options.length ?? 200, seedText: options.seedText ?? "X", temperature: values.temperature, topK: values.topK || undefined, seed }));
      previous = run.catch(() => undefined);
      return run.then((text) => text.text);
    },
    { temperature, topK },
  );
  shown.children = [temperature, topK, again, shown.output];
  again.onClick(() => {
    draw += 1;
    return shown.update();
  });
  void shown.update();
  return shown;
}
