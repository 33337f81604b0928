/** Splitting text into the units a vocabulary counts: characters or words. */

/** Characters by Unicode code point (so an emoji or an accented letter is one unit). */
export function splitChars(text: string): string[] {
  return Array.from(text);
}

export interface WordTokenizeOptions {
  /** Lower-case before splitting (default true). */
  lowercase?: boolean;
}

// A word is a run of letters, digits and inner apostrophes; every other visible symbol
// (punctuation) is a token of its own; whitespace separates and is dropped.
const WORD_OR_SYMBOL = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

/** Words and punctuation marks, in order. */
export function tokenizeWords(text: string, options: WordTokenizeOptions = {}): string[] {
  const source = options.lowercase === false ? text : text.toLowerCase();
  return source.match(WORD_OR_SYMBOL) ?? [];
}

/** Order by code point, as Python's sorted() orders strings. */
export function compareCodePoints(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = (ca[i].codePointAt(0) as number) - (cb[i].codePointAt(0) as number);
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}
