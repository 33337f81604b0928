/**
 * Vocabularies: a fixed, deterministic map between tokens and integer ids. Tokens are sorted
 * by code point (like the lab's `sorted(set(text))`) so the same corpus always gives the
 * same ids; special tokens (padding, unknown) come first, in the order given.
 */
import { DISPLAY, MimeBundle } from "../runtime";
import { compareCodePoints, splitChars, tokenizeWords } from "./tokenize";

export type TokenLevel = "char" | "word";

/**
 * What encode() does with a token the vocabulary lacks: "error" throws an error naming the
 * token and its position; "unk" maps it to the unknown token's id.
 */
export type UnknownPolicy = "error" | "unk";

export interface VocabularyOptions {
  /** Tokens placed first, with ids 0, 1, ... in this order (e.g. ["<pad>"]). */
  specials?: string[];
  /** Default "error". With "unk", `unkToken` is added to the specials when missing. */
  unknown?: UnknownPolicy;
  /** Default "<unk>". */
  unkToken?: string;
  /** Word level only: lower-case text before splitting (default true). */
  lowercase?: boolean;
  /** Word level only: drop words seen fewer times than this (they become unknown). */
  minCount?: number;
}

export interface VocabularyJSON {
  level: TokenLevel;
  tokens: string[];
  specials: string[];
  unknown: UnknownPolicy;
  unkToken: string;
  lowercase: boolean;
}

export class Vocabulary {
  readonly level: TokenLevel;
  /** Every token, indexed by id. */
  readonly tokens: readonly string[];
  readonly specials: readonly string[];
  readonly unknown: UnknownPolicy;
  readonly unkToken: string;
  readonly lowercase: boolean;
  private readonly ids: Map<string, number>;

  private constructor(json: VocabularyJSON) {
    this.level = json.level;
    this.tokens = Object.freeze(json.tokens.slice());
    this.specials = Object.freeze(json.specials.slice());
    this.unknown = json.unknown;
    this.unkToken = json.unkToken;
    this.lowercase = json.lowercase;
    this.ids = new Map();
    json.tokens.forEach((token, id) => {
      if (this.ids.has(token)) {
        throw new Error(`Vocabulary: token ${JSON.stringify(token)} appears twice (ids ${this.ids.get(token)} and ${id})`);
      }
      this.ids.set(token, id);
    });
    if (this.unknown === "unk" && !this.ids.has(this.unkToken)) {
      throw new Error(`Vocabulary: unknown policy "unk" needs the token ${JSON.stringify(this.unkToken)} in the vocabulary`);
    }
  }

  /** A character vocabulary: every distinct character of `text`, sorted. */
  static fromText(text: string, options: VocabularyOptions = {}): Vocabulary {
    if (typeof text !== "string") {
      throw new TypeError(`Vocabulary.fromText expects a string, got ${typeof text}`);
    }
    if (text.length === 0) {
      throw new Error("Vocabulary.fromText: the corpus is empty; load some text first (check the file path and that songs were found)");
    }
    return Vocabulary.build("char", splitChars(text), options);
  }

  /**
   * A word vocabulary from text (split with tokenizeWords) or from token lists that are
   * already split.
   */
  static fromWords(corpus: string | readonly string[] | readonly (readonly string[])[], options: VocabularyOptions = {}): Vocabulary {
    const lowercase = options.lowercase !== false;
    let words: string[];
    if (typeof corpus === "string") {
      words = tokenizeWords(corpus, { lowercase });
    } else {
      words = [];
      for (const item of corpus) {
        if (typeof item === "string") words.push(...tokenizeWords(item, { lowercase }));
        else words.push(...item);
      }
    }
    if (words.length === 0) {
      throw new Error("Vocabulary.fromWords: the corpus has no words; pass non-empty text or token lists");
    }
    return Vocabulary.build("word", words, options);
  }

  static fromJSON(json: VocabularyJSON): Vocabulary {
    return new Vocabulary(json);
  }

  private static build(level: TokenLevel, units: string[], options: VocabularyOptions): Vocabulary {
    const unknown = options.unknown ?? "error";
    if (unknown !== "error" && unknown !== "unk") {
      throw new Error(`Vocabulary: unknown must be "error" or "unk", got ${JSON.stringify(unknown)}`);
    }
    const unkToken = options.unkToken ?? "<unk>";
    const specials = (options.specials ?? []).slice();
    if (unknown === "unk" && !specials.includes(unkToken)) specials.push(unkToken);
    const counts = new Map<string, number>();
    for (const u of units) counts.set(u, (counts.get(u) ?? 0) + 1);
    const minCount = options.minCount ?? 1;
    const regular = [...counts.entries()]
      .filter(([token, n]) => n >= minCount && !specials.includes(token))
      .map(([token]) => token)
      .sort(compareCodePoints);
    return new Vocabulary({
      level,
      tokens: [...specials, ...regular],
      specials,
      unknown,
      unkToken,
      lowercase: level === "word" ? options.lowercase !== false : false,
    });
  }

  get size(): number {
    return this.tokens.length;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The id of a token, or undefined when absent. */
  idOf(token: string): number | undefined {
    return this.ids.get(token);
  }

  tokenOf(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) {
      throw new RangeError(`Vocabulary: id ${id} is out of range; ids run from 0 to ${this.tokens.length - 1}`);
    }
    return this.tokens[id];
  }

  /** Split text into this vocabulary's units (characters or words). */
  split(text: string): string[] {
    return this.level === "char" ? splitChars(text) : tokenizeWords(text, { lowercase: this.lowercase });
  }

  /** Text (split as the vocabulary's level says) or a token list -> ids. */
  encode(input: string | readonly string[]): Int32Array {
    const units = typeof input === "string" ? this.split(input) : input;
    const out = new Int32Array(units.length);
    for (let i = 0; i < units.length; i++) {
      const id = this.ids.get(units[i]);
      if (id !== undefined) {
        out[i] = id;
      } else if (this.unknown === "unk") {
        out[i] = this.ids.get(this.unkToken) as number;
      } else {
        throw new Error(this.describeUnknown(units, i));
      }
    }
    return out;
  }

  /** Ids -> tokens. */
  decodeTokens(ids: ArrayLike<number> | Iterable<number>): string[] {
    return Array.from(ids as Iterable<number>, (id) => this.tokenOf(Number(id)));
  }

  /** What joins tokens into text: nothing between characters, a space between words. */
  get separator(): string {
    return this.level === "char" ? "" : " ";
  }

  /** Ids -> text: tokens joined by the separator. */
  decode(ids: ArrayLike<number> | Iterable<number>): string {
    return this.decodeTokens(ids).join(this.separator);
  }

  toJSON(): VocabularyJSON {
    return {
      level: this.level,
      tokens: this.tokens.slice(),
      specials: this.specials.slice(),
      unknown: this.unknown,
      unkToken: this.unkToken,
      lowercase: this.lowercase,
    };
  }

  toString(): string {
    const shown = this.tokens.slice(0, 20).map((t) => JSON.stringify(t)).join(" ");
    const more = this.size > 20 ? ` ... (${this.size - 20} more)` : "";
    return `Vocabulary(${this.level}, ${this.size} tokens): ${shown}${more}`;
  }

  [DISPLAY](): MimeBundle {
    return { "text/plain": this.toString() };
  }

  private describeUnknown(units: readonly string[], index: number): string {
    const what = this.level === "char" ? "character" : "word";
    const token = units[index];
    const from = Math.max(0, index - 10);
    const context = units.slice(from, index + 10).join(this.separator);
    return (
      `Unknown ${what} ${JSON.stringify(token)} at position ${index} (near ${JSON.stringify(context)}); ` +
      `it is not among the vocabulary's ${this.size} tokens. Build the vocabulary from text that ` +
      `includes it, or create the vocabulary with { unknown: "unk" } to map unknown tokens to ${JSON.stringify(this.unkToken)}.`
    );
  }
}
