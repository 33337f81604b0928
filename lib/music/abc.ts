/** Parsing and checking ABC text with abcjs's parser (runs headless, no DOM needed). */
import type * as Abcjs from "abcjs";

export type Tune = Abcjs.TuneObject;

/** abcjs on first use: loading it costs about 0.1 s, which `import * as sl` should not pay. */
export function loadAbcjs(): typeof Abcjs {
  return require("abcjs") as typeof Abcjs;
}

export interface AbcCheck {
  /** True when the parser raised no warning and the tune has at least one note. */
  ok: boolean;
  /** The parser's warnings as plain text ("line:column: message: context"). */
  warnings: string[];
  title: string | undefined;
  /** Notes (not rests) in the tune, counting each note of a chord. */
  noteCount: number;
}

/** abcjs marks the offending character with HTML; keep the text, drop the markup. */
function plainWarning(warning: string): string {
  return warning
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/^Music Line:/, "line ")
    .trim();
}

/** Parse one tune; throws when the text holds no tune at all. */
export function parseTune(abc: string): Tune {
  if (typeof abc !== "string") throw new TypeError(`ABC text must be a string, got ${typeof abc}`);
  if (abc.trim() === "") throw new Error("The ABC text is empty: there is no tune to parse.");
  const tunes: Tune[] = loadAbcjs().parseOnly(abc);
  if (tunes.length === 0) throw new Error("abcjs found no tune in the ABC text.");
  return tunes[0];
}

/** Number of notes in a parsed tune (rests and bars are not notes). */
export function countNotes(tune: Tune): number {
  let count = 0;
  for (const line of tune.lines ?? []) {
    for (const staff of line.staff ?? []) {
      for (const voice of staff.voices ?? []) {
        for (const el of voice) {
          const item = el as { el_type?: string; pitches?: unknown[]; rest?: unknown };
          if (item.el_type === "note" && !item.rest && Array.isArray(item.pitches)) count += item.pitches.length;
        }
      }
    }
  }
  return count;
}

export function tuneTitle(tune: Tune): string | undefined {
  const title = tune.metaText?.title;
  return typeof title === "string" && title.trim() !== "" ? title.trim() : undefined;
}

export function warningsOf(tune: Tune): string[] {
  return (tune.warnings ?? []).map(plainWarning);
}

/** Check one song: does abcjs parse it cleanly, and does it have notes to play? */
export function checkAbc(abc: string): AbcCheck {
  let tune: Tune;
  try {
    tune = parseTune(abc);
  } catch (err) {
    return { ok: false, warnings: [(err as Error).message], title: undefined, noteCount: 0 };
  }
  const warnings = warningsOf(tune);
  const noteCount = countNotes(tune);
  if (noteCount === 0) warnings.push("The tune has no notes.");
  return { ok: warnings.length === 0, warnings, title: tuneTitle(tune), noteCount };
}

export interface SongsCheck {
  /** Indices of songs that parse cleanly. */
  valid: number[];
  /** Songs that do not, with the reasons. */
  invalid: { index: number; warnings: string[] }[];
}

/** Check many songs (e.g. what a model generated) and sort them into valid and invalid. */
export function checkSongs(songs: readonly string[]): SongsCheck {
  const result: SongsCheck = { valid: [], invalid: [] };
  songs.forEach((song, index) => {
    const check = checkAbc(song);
    if (check.ok) result.valid.push(index);
    else result.invalid.push({ index, warnings: check.warnings });
  });
  return result;
}
