/**
 * Template sentences with negation and word order that matter, for comparing a bag of words
 * with an RNN. "the film was good , not bad" and "the film was bad , not good" hold the same
 * words with opposite labels, so only a model that reads order can tell them apart.
 */
import { Vocabulary } from "../text/vocabulary";
import { tokenizeWords } from "../text/tokenize";
import { RngLike, toRng } from "../random";

export const POSITIVE_WORDS = ["good", "great", "fun", "wonderful", "excellent"];
export const NEGATIVE_WORDS = ["bad", "boring", "awful", "dull", "terrible"];
const NOUNS = ["movie", "film", "plot", "acting", "ending", "soundtrack"];

/** plain: "the plot was fun"; negated: "the plot was not fun"; contrast: "the plot was fun , not dull". */
export type SentimentTemplate = "plain" | "negated" | "contrast";

export interface SentimentOptions {
  /** Sentences (default 200). Contrast sentences come with their swapped twin. */
  count?: number;
  /** Share of each template (default plain 0.3, negated 0.3, contrast 0.4). */
  mix?: Partial<Record<SentimentTemplate, number>>;
  seed?: RngLike;
}

export interface SentimentSet {
  sentences: string[];
  tokens: string[][];
  /** 1 positive, 0 negative. */
  labels: number[];
  templates: SentimentTemplate[];
  vocab: Vocabulary;
}

export function sentimentSentences(options: SentimentOptions = {}): SentimentSet {
  const count = options.count ?? 200;
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`sentimentSentences: count must be an integer >= 2, got ${count}`);
  const mix = { plain: 0.3, negated: 0.3, contrast: 0.4, ...options.mix };
  const total = mix.plain + mix.negated + mix.contrast;
  if (!(total > 0) || Object.values(mix).some((v) => v < 0)) {
    throw new RangeError("sentimentSentences: mix weights must be non-negative with a positive sum");
  }
  const rng = toRng(options.seed);
  const out: SentimentSet = { sentences: [], tokens: [], labels: [], templates: [], vocab: undefined as unknown as Vocabulary };
  const add = (sentence: string, label: number, template: SentimentTemplate) => {
    out.sentences.push(sentence);
    out.tokens.push(tokenizeWords(sentence));
    out.labels.push(label);
    out.templates.push(template);
  };
  while (out.sentences.length < count) {
    const noun = rng.pick(NOUNS);
    const positive = rng.next() < 0.5;
    const word = rng.pick(positive ? POSITIVE_WORDS : NEGATIVE_WORDS);
    const u = rng.next() * total;
    if (u < mix.plain) {
      add(`the ${noun} was ${word}`, positive ? 1 : 0, "plain");
    } else if (u < mix.plain + mix.negated) {
      add(`the ${noun} was not ${word}`, positive ? 0 : 1, "negated");
    } else if (out.sentences.length + 2 <= count) {
      const other = rng.pick(positive ? NEGATIVE_WORDS : POSITIVE_WORDS);
      // The twin swaps the two words: same bag of words, opposite label.
      add(`the ${noun} was ${word} , not ${other}`, positive ? 1 : 0, "contrast");
      add(`the ${noun} was ${other} , not ${word}`, positive ? 0 : 1, "contrast");
    } else {
      add(`the ${noun} was ${word}`, positive ? 1 : 0, "plain");
    }
  }
  out.vocab = Vocabulary.fromWords([[...NOUNS, ...POSITIVE_WORDS, ...NEGATIVE_WORDS, "the", "was", "not", ","]], {
    specials: ["<pad>"],
    unknown: "unk",
  });
  return out;
}

/** Word counts per sentence over the vocabulary: the bag-of-words view of the same data. */
export function bagOfWords(tokens: readonly (readonly string[])[], vocab: Vocabulary): number[][] {
  return tokens.map((sentence) => {
    const row = new Array<number>(vocab.size).fill(0);
    for (const id of vocab.encode(sentence)) row[id] += 1;
    return row;
  });
}
