/** %tokenize: text → tokens and ids, shown as a table (lib/text's Vocabulary does the work). */
import type { MagicSpec } from "../types";
import { Table } from "./table";
import { isVocabulary, optionRef, textArgument, type VocabularyLike } from "./values";

/** What %tokenize returns: the numbers behind the table, for use in later cells. */
export class TokenTable extends Table {
  constructor(
    readonly tokens: string[],
    readonly ids: number[],
    readonly vocabularySize: number,
    readonly level: "char" | "word",
    vocabSource: string,
  ) {
    super({
      caption: `${tokens.length} ${level === "char" ? "character" : "word"} tokens; vocabulary of ${vocabularySize} (${vocabSource})`,
      columns: ["position", "token", "id"],
      rows: tokens.map((t, i) => [i, JSON.stringify(t), ids[i]]),
    });
  }
}

export const tokenizeMagic: MagicSpec = {
  name: "tokenize",
  kind: "line",
  arguments: "TEXT|$var",
  help: [
    "Splits text into tokens and shows each token with its id and the vocabulary size, as a table.",
    "Without --vocab the vocabulary is built from the text itself (sorted distinct tokens, as",
    "sl.Vocabulary.fromText / fromWords do); with --vocab the text is split and encoded by that",
    "vocabulary (its level wins over --level), and a token it lacks is an error.",
    "Words on the line are joined by single spaces; quote the text (\"a  b\") or use a $variable",
    "to keep its spacing and line breaks exactly.",
    "The value of the magic is a TokenTable { tokens, ids, vocabularySize, level }.",
    "",
    "Examples:",
    "  %tokenize hello world",
    "  %tokenize --level word The cat sat on the mat.",
    "  %tokenize --vocab $vocab $tune",
  ].join("\n"),
  options: {
    level: { type: "string", short: "l", value: "char|word", help: "char or word (ignored with --vocab)", default: "char" },
    vocab: { type: "string", value: "$vocab", help: "a Vocabulary ($vocab) to encode with" },
  },
  async run(ctx, args) {
    const level = args.options.level;
    if (level !== "char" && level !== "word") ctx.usageError(`--level must be char or word, got ${JSON.stringify(level)}`);
    const text = textArgument(ctx, args);
    if (text === undefined || text === "") ctx.usageError("give the text to tokenize, or a $variable holding it");
    const vocabRef = optionRef(args, "vocab");
    const { Vocabulary } = await import("../../../lib/text/vocabulary");
    let vocab: VocabularyLike;
    let source: string;
    if (vocabRef) {
      vocab = ctx.expect(vocabRef, "a Vocabulary (sl.Vocabulary.fromText or fromWords)", isVocabulary);
      source = `from ${vocabRef.written}`;
    } else {
      try {
        vocab = level === "char" ? Vocabulary.fromText(text as string) : Vocabulary.fromWords(text as string);
      } catch (err) {
        ctx.usageError((err as Error).message);
      }
      source = "built from this text";
    }
    const tokens = vocab!.split(text as string);
    let ids: number[];
    try {
      ids = Array.from(vocab!.encode(tokens));
    } catch (err) {
      ctx.usageError((err as Error).message);
    }
    return new TokenTable(tokens, ids!, vocab!.size, vocab!.level ?? (level as "char" | "word"), source!);
  },
};
