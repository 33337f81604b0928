/**
 * Completion and quick info from TypeScript 7 (cell-project.ts) in the shapes tslab's
 * converter gives the engine, filtered and written as TypeScript 5 and tslab wrote them.
 */

/** Completion candidates for the text between start and end (tslab's shape). */
export interface CellCompletion {
  start: number;
  end: number;
  candidates: string[];
}

/** What inspection shows of the name at a position (TypeScript's QuickInfo, in the parts tslab prints). */
export interface CellQuickInfo {
  displayParts: { text: string }[];
  documentation: { text: string }[];
  tags: { name: string; text?: { text: string }[] }[];
}

/** A character that can continue an identifier (and, but for digits and marks, start one). */
const IDENTIFIER_PART = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_]/u;

/** The identifier that ends at `cursor` ("" if none). */
export function wordBefore(source: string, cursor: number): string {
  return /[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_]*$/u.exec(source.slice(0, cursor))?.[0] ?? "";
}

/** Whether an identifier touches `cursor` (a character of one at it or right before it). */
export function atIdentifier(source: string, cursor: number): boolean {
  return IDENTIFIER_PART.test(source[cursor] ?? "") || IDENTIFIER_PART.test(source[cursor - 1] ?? "");
}

/**
 * tslab's filtering of completions: with an identifier at the cursor, the entries that start
 * with it, then those that start with it ignoring case, then those that contain it; else all;
 * within each, by TypeScript's sort text, then by name (TypeScript 5 listed them by name;
 * TypeScript 7 lists members as declared).
 */
export function completionAt(source: string, cursor: number, entries: { name: string; sortText?: string }[]): CellCompletion {
  const word = wordBefore(source, cursor);
  let after = cursor;
  while (after < source.length && IDENTIFIER_PART.test(source[after])) after++;
  const byOrder = (a: { name: string; sortText?: string }, b: { name: string; sortText?: string }) =>
    (a.sortText ?? "").localeCompare(b.sortText ?? "") || a.name.localeCompare(b.name);
  if (!word) return { start: cursor, end: cursor, candidates: entries.sort(byOrder).map((e) => e.name) };
  const lower = word.toLowerCase();
  const rank = (name: string) => (name.startsWith(word) ? 0 : name.toLowerCase().startsWith(lower) ? 1 : name.toLowerCase().includes(lower) ? 2 : 3);
  const candidates = entries
    .map((entry, index) => ({ entry, index, rank: rank(entry.name) }))
    .filter((c) => c.rank < 3)
    .sort((a, b) => a.rank - b.rank || (a.entry.sortText ?? "").localeCompare(b.entry.sortText ?? "") || a.entry.name.localeCompare(b.entry.name) || a.index - b.index)
    .map((c) => c.entry.name);
  return { start: cursor - word.length, end: after, candidates };
}

/**
 * A function type as a signature: `<T>(a: T) => R` becomes `<T>(a: T): R`; undefined for
 * anything else (an object type with several call signatures, say).
 */
export function asSignature(type: string): string | undefined {
  if (!/^[<(]/.test(type)) return undefined;
  let depth = 0;
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (c === "=" && type[i + 1] === ">" && depth === 0) return `${type.slice(0, i).trimEnd()}: ${type.slice(i + 2).trimStart()}`;
    if (c === "=" && type[i + 1] === ">") i++;
    else if ("([{<".includes(c)) depth++;
    else if (")]}>".includes(c)) depth--;
  }
  return undefined;
}
