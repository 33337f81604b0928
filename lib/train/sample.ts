/**
 * Sampling text from a trained model one token at a time (batch 1), carrying the recurrent
 * state, with temperature and top-k, from a seedable RNG so a seed reproduces the text.
 */
import * as tf from "@tensorflow/tfjs";
import { ready } from "../backend";
import { currentAbortSignal, DISPLAY, yieldAndCheck, type MimeBundle } from "../runtime";
import { StatefulRng } from "../random";
import { layerStack, runStack, type StackLayer } from "./unroll";
import { simdStepper } from "./simd-stepper";
import { contextStepper } from "./context-stepper";
import type { Stepper, StepFunction } from "./stepper";

export type { Stepper, StepFunction } from "./stepper";

/** lib/text's Vocabulary fits; so does a plain array of tokens (id → token). */
export interface SampleVocabulary {
  encode(text: string): ArrayLike<number>;
  decode(ids: number[]): string;
  readonly size?: number;
  /** What joins tokens into text (" " between words); default "". */
  readonly separator?: string;
}

export interface SampleOptions {
  /** Tokens to generate after the seed. */
  length: number;
  /** Text to prime the model with (default: nothing; then give seedIds). */
  seedText?: string;
  seedIds?: number[];
  vocab: SampleVocabulary | readonly string[];
  /** > 0. Below 1 sharpens the distribution (→ greedy as T → 0); above 1 flattens it. Default 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens. */
  topK?: number;
  /** Seed (or a StatefulRng to continue). Default 0. */
  seed?: number | StatefulRng;
  /** Checked between tokens; default the host's current abort signal. */
  signal?: AbortSignal | null;
}

export class SampledText {
  constructor(
    readonly seedText: string,
    /** Generated text only (without the seed). */
    readonly generated: string,
    readonly ids: number[],
    /** What joins the seed to the generated tokens (the vocabulary's separator). */
    readonly separator = "",
  ) {}

  get text(): string {
    if (this.seedText === "" || this.generated === "") return this.seedText + this.generated;
    return this.seedText + this.separator + this.generated;
  }

  toString(): string {
    return this.text;
  }

  [DISPLAY](): MimeBundle {
    return { "text/plain": this.text };
  }
}

function arrayVocabulary(tokens: readonly string[]): SampleVocabulary {
  const index = new Map(tokens.map((t, i) => [t, i]));
  return {
    size: tokens.length,
    encode(text: string) {
      return Array.from(text).map((ch, i) => {
        const id = index.get(ch);
        if (id === undefined) throw new Error(`seed text character ${JSON.stringify(ch)} at position ${i} is not in the vocabulary; remove it or use a character from the training text`);
        return id;
      });
    },
    decode(ids: number[]) {
      return ids.map((id) => tokens[id]).join("");
    },
  };
}

/** A batch-1 stepper over a tf.layers token model, trained at any batch size. */
export function layersModelStepper(model: tf.LayersModel): Stepper {
  const stack: StackLayer[] = layerStack(model);
  if (!stack.some((s) => s.recurrentIndex !== undefined)) {
    throw new Error("sampling needs a recurrent model (Embedding → LSTM → Dense) or a causal Transformer (sl.buildTransformerModel); this model has neither");
  }
  let states: tf.Tensor[][] | null = null;
  return {
    step(ids: number[]) {
      return tf.tidy(() => {
        const run = runStack(stack, tf.tensor2d([ids], [1, ids.length], "int32"), { initialStates: states });
        const next = run.states.map((s) => s.map((t) => tf.keep(t)));
        if (states) tf.dispose(states.flat());
        states = next;
        return run.output;
      });
    },
    reset() {
      if (states) tf.dispose(states.flat());
      states = null;
    },
    dispose() {
      this.reset();
    },
  };
}

/** The last row of some logits as float64 numbers. */
function lastLogits(out: tf.Tensor | ArrayLike<number>, vocabSize?: number): Float64Array {
  let values: Float64Array;
  if (out instanceof tf.Tensor) {
    const size = out.shape[out.rank - 1];
    const all = out.dataSync();
    values = Float64Array.from(all.subarray(all.length - size));
    out.dispose();
  } else {
    values = Float64Array.from(out);
  }
  if (vocabSize !== undefined && values.length !== vocabSize) {
    throw new Error(`the model returned ${values.length} logits but the vocabulary has ${vocabSize} tokens; use the vocabulary the model was trained with`);
  }
  return values;
}

/** Probabilities after temperature and top-k; exposed for tests and for plotting. */
export function samplingDistribution(logits: ArrayLike<number>, temperature = 1, topK?: number): Float64Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`temperature must be a finite number > 0, got ${temperature}; use a small value such as 0.01 for nearly greedy output`);
  }
  const n = logits.length;
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) throw new Error(`topK must be an integer ≥ 1, got ${topK}`);
  const scaled = Float64Array.from(logits, (v) => v / temperature);
  if (scaled.some((v) => Number.isNaN(v))) throw new Error("the model returned NaN logits; its weights are probably broken (check training for NaN)");
  let keep: boolean[] = new Array(n).fill(true);
  if (topK !== undefined && topK < n) {
    const threshold = Array.from(scaled).sort((a, b) => b - a)[topK - 1];
    let kept = 0;
    keep = Array.from(scaled, (v) => v > threshold);
    kept = keep.filter(Boolean).length;
    // Ties at the threshold: keep the lowest ids until k are kept.
    for (let i = 0; i < n && kept < topK; i++) if (!keep[i] && scaled[i] === threshold) (keep[i] = true), kept++;
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (keep[i] && scaled[i] > max) max = scaled[i];
  const p = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) if (keep[i]) total += p[i] = Math.exp(scaled[i] - max);
  for (let i = 0; i < n; i++) p[i] /= total;
  return p;
}

/** Generates `length` tokens from `model` (a tf.layers model, a step function or a Stepper). */
export async function sample(model: tf.LayersModel | StepFunction | Stepper, options: SampleOptions): Promise<SampledText> {
  const { length, temperature = 1, topK } = options;
  if (!Number.isInteger(length) || length < 0) throw new Error(`length must be a non-negative integer, got ${length}`);
  samplingDistribution([0], temperature, topK === undefined ? undefined : 1); // validates temperature and topK up front
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) throw new Error(`topK must be an integer ≥ 1, got ${topK}`);
  await ready();
  if (!options.vocab) throw new Error("sample needs options.vocab (the vocabulary the model was trained with)");
  const vocab = Array.isArray(options.vocab) ? arrayVocabulary(options.vocab) : (options.vocab as SampleVocabulary);
  const vocabSize = Array.isArray(options.vocab) ? options.vocab.length : (vocab.size ?? (vocab as { tokens?: unknown[] }).tokens?.length);
  const seedText = options.seedText ?? "";
  const seedIds = options.seedIds ?? Array.from(vocab.encode(seedText));
  if (seedIds.length === 0) throw new Error("sample needs a seed: give seedText (e.g. \"X\" for ABC tunes) or seedIds");
  if (vocabSize !== undefined) {
    const bad = seedIds.find((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
    if (bad !== undefined) throw new Error(`seed id ${bad} is outside the vocabulary (0..${vocabSize - 1})`);
  }
  const rng = options.seed instanceof StatefulRng ? options.seed : new StatefulRng(options.seed ?? 0);
  const signal = options.signal === undefined ? currentAbortSignal() : options.signal ?? undefined;

  let stepper: Stepper;
  let ownsStepper = false;
  if (typeof model === "function") {
    stepper = { step: model, reset() {}, dispose() {} };
  } else if ("step" in model && typeof (model as Stepper).step === "function") {
    stepper = model as Stepper;
  } else {
    stepper = simdStepper(model as tf.LayersModel) ?? contextStepper(model as tf.LayersModel) ?? layersModelStepper(model as tf.LayersModel);
    ownsStepper = true;
  }
  const generated: number[] = [];
  try {
    let logits = lastLogits(stepper.step(seedIds), vocabSize);
    for (let i = 0; i < length; i++) {
      const id = rng.categorical(samplingDistribution(logits, temperature, topK));
      generated.push(id);
      if (i + 1 < length) logits = lastLogits(stepper.step([id]), vocabSize);
      if (i % 64 === 63) {
        await yieldAndCheck(signal, `sampling after ${generated.length} of ${length} tokens`);
      }
    }
  } finally {
    if (ownsStepper) stepper.dispose();
  }
  return new SampledText(options.seedText ?? vocab.decode(seedIds), vocab.decode(generated), generated, vocab.separator ?? "");
}
