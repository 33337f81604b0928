/**
 * A small next-word corpus from a tiny grammar with number agreement ("the cat near the
 * dogs sleeps" / "the cats near the dog sleep"): the verb agrees with the subject, not with
 * the nearer noun, so predicting it needs context from several words back.
 */
import { Vocabulary } from "../text/vocabulary";
import { RngLike, toRng } from "../random";

const NOUNS: [string, string][] = [
  ["cat", "cats"],
  ["dog", "dogs"],
  ["bird", "birds"],
  ["child", "children"],
  ["teacher", "teachers"],
];
// [singular verb, plural verb]
const VERBS: [string, string][] = [
  ["sleeps", "sleep"],
  ["sings", "sing"],
  ["runs", "run"],
  ["waits", "wait"],
];
const PREPOSITIONS = ["near", "behind", "with"];
const ADVERBS = ["quietly", "today", "again"];

export interface NextWordOptions {
  /** Sentences (default 200). */
  count?: number;
  /** Chance of a prepositional phrase between subject and verb (default 0.5). */
  attractorRate?: number;
  seed?: RngLike;
}

export interface NextWordCorpus {
  sentences: string[];
  tokens: string[][];
  /** Whether each sentence's subject is plural. */
  plural: boolean[];
  /** Index of the verb in each token list. */
  verbIndex: number[];
  vocab: Vocabulary;
  /** All sentences joined by " " and encoded, for getBatch-style windows. */
  encoded: Int32Array;
}

export function nextWordCorpus(options: NextWordOptions = {}): NextWordCorpus {
  const count = options.count ?? 200;
  const attractorRate = options.attractorRate ?? 0.5;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`nextWordCorpus: count must be a positive integer, got ${count}`);
  if (!(attractorRate >= 0 && attractorRate <= 1)) throw new RangeError(`nextWordCorpus: attractorRate must be in [0, 1], got ${attractorRate}`);
  const rng = toRng(options.seed);
  const tokens: string[][] = [];
  const plural: boolean[] = [];
  const verbIndex: number[] = [];
  for (let i = 0; i < count; i++) {
    const many = rng.next() < 0.5;
    const sentence = ["the", rng.pick(NOUNS)[many ? 1 : 0]];
    if (rng.next() < attractorRate) {
      // The attractor noun takes the other number half of the time.
      sentence.push(rng.pick(PREPOSITIONS), "the", rng.pick(NOUNS)[rng.next() < 0.5 ? 0 : 1]);
    }
    verbIndex.push(sentence.length);
    sentence.push(rng.pick(VERBS)[many ? 1 : 0]);
    if (rng.next() < 0.5) sentence.push(rng.pick(ADVERBS));
    sentence.push(".");
    tokens.push(sentence);
    plural.push(many);
  }
  const words = ["the", ".", ...NOUNS.flat(), ...VERBS.flat(), ...PREPOSITIONS, ...ADVERBS];
  const vocab = Vocabulary.fromWords([words], { lowercase: false });
  return {
    sentences: tokens.map((t) => t.join(" ")),
    tokens,
    plural,
    verbIndex,
    vocab,
    encoded: vocab.encode(tokens.flat()),
  };
}

/** Whether a verb is the plural form, for checking agreement in generated text. */
export function isPluralVerb(verb: string): boolean | undefined {
  for (const [singular, many] of VERBS) {
    if (verb === singular) return false;
    if (verb === many) return true;
  }
  return undefined;
}
