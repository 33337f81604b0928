/**
 * A toy translation task: number words -> digits, e.g. "three hundred two and forty , seven"
 * -> "3 4 2 , 7". In the default "units-first" wording (as German says zweiundvierzig) the
 * words for units come before the tens, so the alignment is not monotonic. Sentences hold
 * a varying count of numbers, so inputs grow long enough for a fixed-size encoder summary
 * (an encoder-decoder without attention) to become the bottleneck.
 */
import { Vocabulary } from "../text/vocabulary";
import { RngLike, toRng } from "../random";

const UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

export type NumberWording = "english" | "units-first";

/** Words for 0..999. */
export function numberToWords(n: number, wording: NumberWording = "units-first"): string[] {
  if (!Number.isInteger(n) || n < 0 || n > 999) throw new RangeError(`numberToWords: ${n} is not an integer in 0..999`);
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) words.push(UNITS[hundreds], "hundred");
  if (rest === 0) return hundreds > 0 ? words : ["zero"];
  if (rest < 10) words.push(UNITS[rest]);
  else if (rest < 20) words.push(TEENS[rest - 10]);
  else {
    const tens = TENS[Math.floor(rest / 10)];
    const unit = rest % 10;
    if (unit === 0) words.push(tens);
    else if (wording === "english") words.push(tens, UNITS[unit]);
    else words.push(UNITS[unit], "and", tens);
  }
  return words;
}

/** Digits of n as tokens: 342 -> ["3", "4", "2"]. */
export function numberToDigits(n: number): string[] {
  return String(n).split("");
}

export interface TranslationOptions {
  /** Sentence pairs (default 300). */
  count?: number;
  /** Numbers per sentence, drawn uniformly from [min, max] (default 1..4). */
  minNumbers?: number;
  maxNumbers?: number;
  /** Largest number (default 999). */
  maxValue?: number;
  wording?: NumberWording;
  seed?: RngLike;
}

export interface TranslationPair {
  source: string[];
  target: string[];
  values: number[];
}

export interface TranslationSet {
  pairs: TranslationPair[];
  /** Specials <pad>=0, <bos>=1, <eos>=2, then words. */
  sourceVocab: Vocabulary;
  /** Specials <pad>=0, <bos>=1, <eos>=2, then digits and ",". */
  targetVocab: Vocabulary;
}

export const TRANSLATION_SPECIALS = ["<pad>", "<bos>", "<eos>"];

export function numberTranslation(options: TranslationOptions = {}): TranslationSet {
  const { count = 300, minNumbers = 1, maxNumbers = 4, maxValue = 999, wording = "units-first" } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`numberTranslation: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(minNumbers) || minNumbers < 1 || !Number.isInteger(maxNumbers) || maxNumbers < minNumbers) {
    throw new RangeError(`numberTranslation: need integers 1 <= minNumbers <= maxNumbers, got ${minNumbers}..${maxNumbers}`);
  }
  if (!Number.isInteger(maxValue) || maxValue < 0 || maxValue > 999) {
    throw new RangeError(`numberTranslation: maxValue must be an integer in 0..999, got ${maxValue}`);
  }
  if (wording !== "english" && wording !== "units-first") {
    throw new Error(`numberTranslation: wording must be "english" or "units-first", got ${JSON.stringify(wording)}`);
  }
  const rng = toRng(options.seed);
  const pairs: TranslationPair[] = [];
  for (let i = 0; i < count; i++) {
    const k = minNumbers + rng.int(maxNumbers - minNumbers + 1);
    const values = Array.from({ length: k }, () => rng.int(maxValue + 1));
    const source: string[] = [];
    const target: string[] = [];
    values.forEach((v, j) => {
      if (j > 0) {
        source.push(",");
        target.push(",");
      }
      source.push(...numberToWords(v, wording));
      target.push(...numberToDigits(v));
    });
    pairs.push({ source, target, values });
  }
  const sourceWords = [...UNITS, ...TEENS, ...TENS.filter(Boolean), "hundred", "and", ","];
  return {
    pairs,
    sourceVocab: Vocabulary.fromWords([sourceWords], { specials: TRANSLATION_SPECIALS, lowercase: false }),
    targetVocab: Vocabulary.fromWords([[..."0123456789".split(""), ","]], { specials: TRANSLATION_SPECIALS, lowercase: false }),
  };
}

export interface IdPairs {
  /** Source ids followed by <eos>. */
  source: number[][];
  /** Decoder inputs: <bos> then the target ids (teacher forcing). */
  targetIn: number[][];
  /** Decoder outputs: the target ids then <eos>. */
  targetOut: number[][];
}

/** Encode pairs for an encoder-decoder (pad them with padSequences). */
export function translationIds(set: TranslationSet, pairs: readonly TranslationPair[] = set.pairs): IdPairs {
  const bos = set.targetVocab.idOf("<bos>") as number;
  const eos = set.targetVocab.idOf("<eos>") as number;
  const srcEos = set.sourceVocab.idOf("<eos>") as number;
  return {
    source: pairs.map((p) => [...set.sourceVocab.encode(p.source), srcEos]),
    targetIn: pairs.map((p) => [bos, ...set.targetVocab.encode(p.target)]),
    targetOut: pairs.map((p) => [...set.targetVocab.encode(p.target), eos]),
  };
}
