/**
 * %attention: translate one input with an attending sl.Seq2Seq and draw its attention weights
 * (lib/viz); for a Transformer, draw its self-attention heads over a text (./self-attention).
 */
import type * as tf from "@tensorflow/tfjs";
import type { MagicContext, MagicSpec } from "../types";
import { showSelfAttention } from "./self-attention";
import { bindVariable, isLayersModel, isSeq2Seq, isVocabulary, nameOf, optionRef, outVariable, positiveInteger, type Seq2SeqLike, textArgument, type VocabularyLike } from "./values";

/** A tf.LayersModel with sl.MultiHeadSelfAttention layers (checked by class name: the kernel loads tfjs lazily). */
function hasSelfAttention(value: unknown): value is tf.LayersModel {
  return isLayersModel(value) && value.layers.some((l) => l.getClassName() === "SeqlabMultiHeadSelfAttention");
}

interface VocabularyPair {
  sourceVocab: VocabularyLike;
  targetVocab: VocabularyLike;
}

function isVocabularyPair(value: unknown): value is VocabularyPair {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return isVocabulary(v.sourceVocab) && isVocabulary(v.targetVocab);
}

/** What %attention returns and --out keeps. */
export interface AttentionResult {
  source: string[];
  target: string[];
  /** [target][source]. */
  weights: number[][];
  translation: string;
}

/** Output steps %attention decodes at most: more rows than a heatmap can show. */
const MAX_DECODE_STEPS = 200;

/**
 * model.translate for one source, in rounds of doubling length (greedy decoding repeats the
 * shorter rounds exactly), giving the event loop a turn between rounds so an interrupt stops
 * it; at most twice the work of one call.
 */
async function translateInterruptibly(model: Seq2SeqLike, ids: number[], maxLength: number, signal: AbortSignal) {
  const { yieldAndCheck } = await import("../../../lib/runtime");
  for (let length = Math.min(16, maxLength); ; length = Math.min(2 * length, maxLength)) {
    const translation = model.translate([ids], { maxLength: length });
    const ended = translation.tokens[0].length < length;
    if (ended || length === maxLength) return translation;
    await yieldAndCheck(signal, "while translating");
  }
}

export const attentionMagic: MagicSpec = {
  name: "attention",
  kind: "line",
  arguments: "$model SOURCE|$var",
  help: [
    "Translates one source sentence with an sl.Seq2Seq built with attention (greedy decoding,",
    "model.translate) and draws which source tokens each output token attended to, as a heatmap",
    "(target rows × source columns, white = none, dark blue = all).",
    "SOURCE is text (split by the source vocabulary) or a $variable holding text or token ids.",
    "The vocabularies come from --vocab (anything with sourceVocab and targetVocab, such as",
    "sl.numberTranslation's set) or from --source-vocab and --target-vocab. An <eos> token in the",
    "source vocabulary is appended to the input, as the training pairs have it.",
    "--interactive: SOURCE is a $variable holding an array of texts; a dropdown picks the example",
    "whose heatmap is drawn (sl.widgets.attentionExplorer; a plotly slider without widgets).",
    "",
    "For a Transformer (sl.buildTransformerModel, or any model with sl.MultiHeadSelfAttention",
    "layers), --vocab is the Vocabulary it was trained with and SOURCE the text it reads; each",
    "self-attention layer is drawn as one heatmap per head (row t: which earlier positions the",
    "token at t attended to), with each head's mean distance looked back. --layer N shows one layer.",
    "",
    "Examples:",
    "  %attention $model --vocab $data seven and forty , two hundred",
    "  %attention $model --vocab $data $examples --interactive",
    "  %attention $transformer --vocab $vocab $tune --layer 2",
  ].join("\n"),
  options: {
    vocab: { type: "string", value: "$set", help: "Seq2Seq: an object with sourceVocab and targetVocab ($data); Transformer: its Vocabulary" },
    "source-vocab": { type: "string", value: "$vocab", help: "the source Vocabulary" },
    "target-vocab": { type: "string", value: "$vocab", help: "the target Vocabulary" },
    "max-length": { type: "number", help: "longest translation to decode", default: 50 },
    layer: { type: "number", help: "Transformer: show only this self-attention layer (1 = first)" },
    out: { type: "string", value: "NAME", help: "notebook variable to keep { source, target, weights, translation } in (Transformer: { tokens, layers })" },
    interactive: { type: "boolean", help: "a dropdown over an array of source texts; the heatmap follows" },
  },
  async run(ctx, args) {
    if (args.positionals.length < 2) ctx.usageError("expected the model ($model) and the source text");
    const modelRef = args.refs[0] ?? { written: args.positionals[0], value: args.positionals[0] };
    const model = ctx.expect(modelRef, "an sl.Seq2Seq model with attention or a Transformer (sl.buildTransformerModel)", (v): v is Seq2SeqLike | tf.LayersModel => isSeq2Seq(v) || hasSelfAttention(v));
    if (!isSeq2Seq(model)) {
      if (args.options.interactive) ctx.usageError("--interactive picks among examples for an sl.Seq2Seq; for a Transformer, --layer N picks the layer to show");
      return showSelfAttention(ctx, args, modelRef, model);
    }
    if (!model.attention) ctx.usageError(`${modelRef.written} was built without attention (attention: "none"), so it has no weights to show`);

    let vocabs: VocabularyPair;
    const pairRef = optionRef(args, "vocab");
    if (pairRef) {
      vocabs = ctx.expect(pairRef, "an object with sourceVocab and targetVocab (e.g. sl.numberTranslation())", isVocabularyPair);
    } else {
      const s = optionRef(args, "source-vocab");
      const t = optionRef(args, "target-vocab");
      if (!s || !t) ctx.usageError("give the vocabularies: --vocab $set, or --source-vocab $v and --target-vocab $v");
      vocabs = {
        sourceVocab: ctx.expect(s!, "a Vocabulary", isVocabulary),
        targetVocab: ctx.expect(t!, "a Vocabulary", isVocabulary),
      };
    }
    const out = outVariable(ctx, args);
    let maxLength = positiveInteger(ctx, "max-length", args.options["max-length"]);
    if (maxLength > MAX_DECODE_STEPS) {
      ctx.print(`(--max-length ${maxLength} is more than a heatmap can show; decoding at most ${MAX_DECODE_STEPS} steps)`);
      maxLength = MAX_DECODE_STEPS;
    }

    if (args.options.interactive) {
      if (out) ctx.usageError("--out keeps one translation; with --interactive, the examples are in the dropdown");
      const examples = args.positionals.length === 2 ? args.refs[1]?.value : undefined;
      if (!Array.isArray(examples) || examples.length === 0 || !examples.every((e) => typeof e === "string")) {
        ctx.usageError("with --interactive, SOURCE is a $variable holding an array of source texts, e.g. const examples = [\"seven\", \"forty two\"]");
      }
      const results: AttentionResult[] = [];
      for (const text of examples as string[]) results.push(await attend(ctx, model, vocabs, sourceIds(ctx, vocabs, text), maxLength));
      const shown = results.filter((r) => r.weights.length > 0);
      if (shown.length === 0) ctx.usageError("the model produced no output steps for any example, so there are no attention weights to show");
      const { widgets } = await import("../../../lib");
      ctx.display(widgets.attentionExplorer(shown));
      ctx.print(`${shown.length} example(s); pick one in the dropdown to draw its attention weights.`);
      return undefined;
    }
    // The source: ids given directly, or text split by the source vocabulary.
    const one = args.positionals.length === 2 ? args.refs[1] : undefined;
    const ids = one && Array.isArray(one.value) && one.value.every((x) => Number.isInteger(x)) ? (one.value as number[]) : sourceIds(ctx, vocabs, textArgument(ctx, args, 1) as string);
    const result = await attend(ctx, model, vocabs, ids, maxLength);
    const { source, weights } = result;
    if (out) await bindVariable(ctx, out, result, "{ source: string[]; target: string[]; weights: number[][]; translation: string }");
    ctx.print(`${source.join(" ")}  →  ${result.translation}`);
    if (weights.length === 0) {
      ctx.print("(the model produced no output steps, so there are no attention weights to draw)");
      return undefined;
    }
    const lib = await import("../../../lib/viz");
    ctx.display(lib.attentionFigure({ source, target: result.target, weights }, { title: `Attention of ${nameOf(modelRef)}` }));
    return undefined;
  },
};

/** The source text's ids, with <eos> appended when the source vocabulary has it (as training pairs do). */
function sourceIds(ctx: MagicContext, vocabs: VocabularyPair, text: string): number[] {
  let ids: number[];
  try {
    ids = Array.from(vocabs.sourceVocab.encode(text));
  } catch (err) {
    return ctx.usageError((err as Error).message);
  }
  const eos = vocabs.sourceVocab.idOf("<eos>");
  if (eos !== undefined && ids[ids.length - 1] !== eos) ids.push(eos);
  return ids;
}

/** Translates one source and reads its attention weights, rows named by the tokens produced. */
async function attend(ctx: MagicContext, model: Seq2SeqLike, vocabs: VocabularyPair, ids: number[], maxLength: number): Promise<AttentionResult> {
  if (ids.length === 0) ctx.usageError("the source has no tokens");
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= model.options.sourceVocabSize);
  if (bad !== undefined) ctx.usageError(`source id ${bad} is outside the model's source vocabulary (0..${model.options.sourceVocabSize - 1}); use the vocabulary the model was trained with`);
  const translation = await translateInterruptibly(model, ids, maxLength, ctx.signal);
  const weights = translation.attention?.[0] ?? [];
  const outTokens = vocabs.targetVocab.decodeTokens(translation.tokens[0]);
  const eosToken = vocabs.targetVocab.tokens[model.options.eosId] ?? "<eos>";
  // Rows: one per produced token, plus the step that produced <eos> when decoding ended.
  const target = weights.map((_, i) => (i < outTokens.length ? outTokens[i] : eosToken));
  return { source: vocabs.sourceVocab.decodeTokens(ids), target, weights, translation: vocabs.targetVocab.decode(translation.tokens[0]) };
}
