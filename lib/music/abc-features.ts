/**
 * Per-character features of ABC text that a character model could learn to track, for
 * finding interpretable units (lib/inspect/units.ts): where in a bar, line or header a
 * character sits, and whether it is inside a chord or a quoted chord name.
 */

export interface AbcStructureFeatures {
  /** Characters since the last bar line `|` (or the start of the line). */
  positionInBar: number[];
  /** 1 between `[` and `]` (a chord or an inline field such as `[K:G]`), else 0. */
  insideBrackets: number[];
  /** 1 between a pair of double quotes (a chord name such as `"Am"`), else 0. */
  insideQuotes: number[];
  /** Characters left before the end of the line (0 on the newline itself). */
  toLineEnd: number[];
  /** 1 on header lines (`X:`, `T:`, `M:`, `K:` ... at the start of a line), else 0. */
  headerLine: number[];
}

/** One value per character of `text` for each feature. */
export function abcStructureFeatures(text: string): AbcStructureFeatures {
  if (typeof text !== "string") throw new Error("abcStructureFeatures: give the ABC text as a string");
  const n = text.length;
  const f: AbcStructureFeatures = {
    positionInBar: new Array(n), insideBrackets: new Array(n), insideQuotes: new Array(n), toLineEnd: new Array(n), headerLine: new Array(n),
  };
  let sinceBar = 0;
  let brackets = false;
  let quotes = false;
  let header = false;
  let lineStart = 0;
  for (let i = 0; i < n; i++) {
    const ch = text[i];
    if (i === lineStart) header = /^[A-Za-z]:/.test(text.slice(i, i + 2));
    // A character that opens a span counts as inside it; the one that closes it does not.
    if (ch === '"') quotes = !quotes;
    else if (ch === "[" && !quotes) brackets = true;
    else if (ch === "]" && !quotes) brackets = false;
    f.positionInBar[i] = sinceBar;
    f.insideBrackets[i] = brackets ? 1 : 0;
    f.insideQuotes[i] = quotes ? 1 : 0;
    f.headerLine[i] = header ? 1 : 0;
    sinceBar = ch === "|" || ch === "\n" ? 0 : sinceBar + 1;
    if (ch === "\n") {
      for (let j = lineStart; j <= i; j++) f.toLineEnd[j] = i - j;
      lineStart = i + 1;
      // An unclosed chord or quote does not run on past the end of its line.
      brackets = quotes = false;
    }
  }
  for (let j = lineStart; j < n; j++) f.toLineEnd[j] = n - j;
  return f;
}
