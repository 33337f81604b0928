/**
 * Recognising the notebook values the sequence magics take (models, tensors, vocabularies,
 * batch sources) by shape rather than by class, so a value made by another copy of
 * TensorFlow.js or of the library is still accepted.
 */
import type * as tf from "@tensorflow/tfjs";
import type { TrainingHistory } from "../../../lib/train/history";
import type { MagicArgs, MagicContext, ValueRef } from "../types";

/** A tf.LayersModel (tf.sequential, tf.model, the lab model). */
export function isLayersModel(value: unknown): value is tf.LayersModel {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.layers) && typeof v.apply === "function" && typeof v.countParams === "function";
}

/** What the library's Seq2Seq offers (a loss for training, translate for attention). */
export interface Seq2SeqLike {
  readonly trainableVariables: tf.Variable[];
  loss(batch: unknown): tf.Scalar;
  translate(sources: number[][], options?: { maxLength?: number }): { tokens: number[][]; attention?: number[][][] };
  readonly attention?: unknown;
  readonly options: { sourceVocabSize: number; targetVocabSize: number; bosId: number; eosId: number; padId: number };
}

export function isSeq2Seq(value: unknown): value is Seq2SeqLike {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.translate === "function" && typeof v.loss === "function" && Array.isArray(v.trainableVariables) && typeof v.options === "object";
}

export function isTensor(value: unknown): value is tf.Tensor {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.shape) && typeof v.dtype === "string" && typeof v.dataSync === "function";
}

/** Token ids as a tensor or a nested number array ([batch][time]). */
export function isIdBatch(value: unknown): value is tf.Tensor | number[][] {
  if (isTensor(value)) return value.shape.length === 2;
  return Array.isArray(value) && value.length > 0 && value.every((row) => Array.isArray(row) && row.every((x) => typeof x === "number"));
}

/** lib/text's Vocabulary, or anything with the same encode/decode/tokens. */
export interface VocabularyLike {
  readonly tokens: readonly string[];
  readonly size: number;
  readonly level?: "char" | "word";
  split(text: string): string[];
  encode(input: string | readonly string[]): ArrayLike<number>;
  decode(ids: ArrayLike<number>): string;
  decodeTokens(ids: ArrayLike<number>): string[];
  idOf(token: string): number | undefined;
}

export function isVocabulary(value: unknown): value is VocabularyLike {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.tokens) && typeof v.encode === "function" && typeof v.decode === "function" && typeof v.split === "function";
}

/** lib/train's TrainingHistory (what %%train keeps in `history`). */
export function isHistory(value: unknown): value is TrainingHistory {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.steps) && Array.isArray(v.loss) && typeof v.record === "function" && Array.isArray(v.gradientsThroughTime);
}

export function isString(value: unknown): value is string {
  return typeof value === "string";
}

/** The nth positional's value, required; a UsageError naming what is missing otherwise. */
export function positionalRef(ctx: MagicContext, args: MagicArgs, index: number, what: string): ValueRef {
  if (args.positionals.length <= index) ctx.usageError(`missing ${what}`);
  return args.refs[index] ?? { written: args.positionals[index], value: args.positionals[index] };
}

/** What a value is called in titles: `model` for `$model`, `models[0]` for `{models[0]}`. */
export function nameOf(ref: ValueRef): string {
  return ref.written.replace(/^\$/, "").replace(/^\{([\s\S]*)\}$/, "$1");
}

/** An option's value as written: the notebook value for `--opt $x`, else the text. */
export function optionRef(args: MagicArgs, name: string): ValueRef | undefined {
  const value = args.options[name];
  if (value === undefined) return undefined;
  return args.optionRefs[name] ?? { written: String(value), value };
}

/**
 * A text argument: one `$var` holding a string, or the words written (joined by spaces).
 * Returns undefined when nothing was written.
 */
export function textArgument(ctx: MagicContext, args: MagicArgs, from = 0): string | undefined {
  const words = args.positionals.slice(from);
  if (words.length === 0) return undefined;
  const ref = args.refs[from];
  if (words.length === 1 && ref) return ctx.expect(ref, "a string", isString);
  return words.join(" ");
}

/**
 * Token ids from the positionals from `from` on: a $variable holding ids as they are, else
 * text (or a $variable holding text) split by the vocabulary; a UsageError when it cannot.
 */
export function tokenIdsArgument(ctx: MagicContext, args: MagicArgs, from: number, vocab: VocabularyLike): number[] {
  const one = args.positionals.length === from + 1 ? args.refs[from] : undefined;
  if (one && Array.isArray(one.value) && one.value.every((x) => Number.isInteger(x))) return one.value as number[];
  const text = textArgument(ctx, args, from) as string;
  try {
    return Array.from(vocab.encode(text));
  } catch (err) {
    return ctx.usageError((err as Error).message);
  }
}

/** Rejects a number option that is not a positive integer. */
export function positiveInteger(ctx: MagicContext, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    ctx.usageError(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

export function positiveNumber(ctx: MagicContext, name: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    ctx.usageError(`--${name} must be a number greater than 0, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

/** A notebook variable name (for --history, --out). */
export function variableName(ctx: MagicContext, option: string, value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z_$][\w$]*$/.test(value)) {
    ctx.usageError(`--${option} must be a variable name such as history, got ${JSON.stringify(value)}`);
  }
  return value as string;
}

/** The notebook variable named by --out (checked), or undefined when --out was not given. */
export function outVariable(ctx: MagicContext, args: MagicArgs): string | undefined {
  return args.options.out === undefined ? undefined : variableName(ctx, "out", args.options.out);
}

const HANDOFF = "seqlab.sequenceMagics.handoff";

/**
 * Puts a value into a notebook variable and declares it to TypeScript with its type, so
 * later cells can use it (`history.loss`) without a "Cannot find name" error. The value is
 * set first and always; the declaration is best effort (a host whose runCode is not
 * TypeScript just leaves the name untyped), but an interrupt that lands meanwhile goes through.
 */
export async function bindVariable(ctx: MagicContext, name: string, value: unknown, type: string): Promise<void> {
  ctx.namespace[name] = value;
  const slot = globalThis as Record<symbol, unknown>;
  const key = Symbol.for(HANDOFF);
  slot[key] = value;
  try {
    await ctx.runCode(`let ${name}: ${type} = (globalThis as any)[Symbol.for(${JSON.stringify(HANDOFF)})];`);
  } catch (err) {
    // An interrupt stops the magic here (an interrupted cell's runCode fails with it).
    if (ctx.signal.aborted) throw err;
    // Any other failure: the variable holds the value already; only its static type is missing.
  } finally {
    delete slot[key];
  }
}
