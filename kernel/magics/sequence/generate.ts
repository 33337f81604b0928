/** %generate: sample text from a trained model (lib/train's sample); ABC tunes in it are also shown as music. */
import type * as tf from "@tensorflow/tfjs";
import type { SampleVocabulary } from "../../../lib/train/sample";
import type { MagicSpec } from "../types";
import { showTunes, tunesIn } from "./music";
import { bindVariable, isLayersModel, isVocabulary, optionRef, outVariable, positionalRef, positiveInteger, positiveNumber } from "./values";

function isSampleVocabulary(value: unknown): value is SampleVocabulary | string[] {
  if (Array.isArray(value)) return value.length > 0 && value.every((t) => typeof t === "string");
  return isVocabulary(value);
}

/** Tunes shown as music (the count of valid ones covers them all). */
const SHOWN_TUNES = 3;

export const generateMagic: MagicSpec = {
  name: "generate",
  kind: "line",
  arguments: "$model",
  help: [
    "Generates text one token at a time from a trained token model (sl.sample: the seed text",
    "primes the recurrent state, or for a Transformer the window it re-reads at every step, then",
    "each token is drawn from softmax(logits / T), optionally among the k most likely).",
    "Low temperatures (0.2) repeat the likeliest patterns; 1 samples",
    "the model's own distribution; higher ones get more random. The same --seed gives the same text.",
    "--vocab is the Vocabulary the model was trained with (or an array of its tokens).",
    "When the text holds ABC tunes (a line such as X:1 or K:D), each is also shown as sheet",
    "music with an audio player, and checked with the abcjs parser.",
    "--out NAME keeps the sl.SampledText in a notebook variable.",
    "--interactive shows sliders for the temperature and top-k (0: all tokens) and a \"Sample",
    "again\" button (next seed) instead, with the text in an output below (sl.widgets.sampler).",
    "",
    "Example:",
    "  %generate $model --vocab $vocab --start \"X:\" --length 400 --temperature 0.8 --top-k 10",
  ].join("\n"),
  options: {
    vocab: { type: "string", short: "v", value: "$vocab", help: "the model's Vocabulary ($vocab)" },
    start: { type: "string", short: "s", value: "TEXT", help: "seed text", default: "X" },
    length: { type: "number", short: "n", help: "tokens to generate", default: 200 },
    temperature: { type: "number", short: "t", help: "sampling temperature > 0", default: 1 },
    "top-k": { type: "number", short: "k", help: "sample among the k most likely tokens" },
    seed: { type: "number", help: "random seed", default: 0 },
    out: { type: "string", value: "NAME", help: "notebook variable to keep the SampledText in" },
    music: { type: "boolean", help: "always try to show the text as music (default: only when it has ABC headers)" },
    interactive: { type: "boolean", help: "temperature and top-k sliders and a \"Sample again\" button" },
  },
  async run(ctx, args) {
    if (args.positionals.length !== 1) ctx.usageError(`expected one model ($model) before the options, got ${args.positionals.length} arguments`);
    const modelRef = positionalRef(ctx, args, 0, "the model ($model)");
    const model = ctx.expect(modelRef, "a model (a tf.LayersModel mapping ids to logits)", isLayersModel) as tf.LayersModel;
    const vocabRef = optionRef(args, "vocab");
    if (!vocabRef) ctx.usageError("missing --vocab $vocab (the Vocabulary the model was trained with)");
    const vocab = ctx.expect(vocabRef!, "a Vocabulary or an array of tokens", isSampleVocabulary);
    const length = positiveInteger(ctx, "length", args.options.length);
    const temperature = positiveNumber(ctx, "temperature", args.options.temperature);
    const topK = args.options["top-k"] === undefined ? undefined : positiveInteger(ctx, "top-k", args.options["top-k"]);
    const seed = args.options.seed;
    if (typeof seed !== "number" || !Number.isInteger(seed)) ctx.usageError(`--seed must be an integer, got ${JSON.stringify(seed)}`);
    const out = outVariable(ctx, args);
    const start = String(args.options.start).replace(/\\n/g, "\n");

    if (args.options.interactive) {
      if (out) ctx.usageError("--out keeps one sample; with --interactive, each change samples again (read the sampler's output instead)");
      const { widgets } = await import("../../../lib");
      ctx.display(widgets.sampler(model, { vocab, length, seedText: start, temperature, topK, seed: seed as number }));
      return undefined;
    }
    const { sample } = await import("../../../lib/train/sample");
    let text;
    try {
      text = await sample(model, { length, seedText: start, vocab, temperature, topK, seed: seed as number, signal: ctx.signal });
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : err;
      return ctx.usageError((err as Error).message);
    }
    if (out) await bindVariable(ctx, out, text, `import("seqlab").SampledText`);
    ctx.print(text.text);
    const tunes = await tunesIn(args.options.music ? `X:1\n${text.text}` : text.text);
    if (tunes.length > 0) {
      const { checkSongs } = await import("../../../lib/music/abc");
      const { plural } = await import("../../../lib/viz/format");
      ctx.print("");
      await showTunes(ctx, tunes.slice(0, SHOWN_TUNES));
      if (tunes.length > SHOWN_TUNES) ctx.print(`(${plural(tunes.length - SHOWN_TUNES, "more tune")} not shown)`);
      const valid = checkSongs(tunes).valid.length;
      ctx.print(`${valid} of ${plural(tunes.length, "tune")} in the generated text ${valid === 1 ? "is" : "are"} valid ABC`);
    }
    return undefined;
  },
};
