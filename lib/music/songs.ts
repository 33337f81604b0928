/**
 * Splitting ABC text into songs the way MIT 6.S191 Lab 1 does: a song is the text between
 * the start of the file (or a blank line) and the next blank line. The lab finds them with
 * the overlapping regex `(^|\n\n)(.*?)\n\n`; this walks the same positions without a regex
 * so that the result is identical (817 songs for the lab corpus) and linear in time.
 */

/** Songs of `text`, exactly as the lab's `extract_song_snippet` finds them. */
export function splitSongs(text: string): string[] {
  if (typeof text !== "string") {
    throw new TypeError(`splitSongs expects a string of ABC text, got ${typeof text}`);
  }
  const songs: string[] = [];
  for (let pos = 0; pos < text.length; pos++) {
    // A song may start at the very beginning (the regex's ^) or right after any "\n\n".
    let start = -1;
    if (pos === 0) start = 0;
    else if (text.startsWith("\n\n", pos)) start = pos + 2;
    if (start < 0) continue;
    // The lazy (.*?)\n\n ends at the first blank line; text after the last one is dropped.
    const end = text.indexOf("\n\n", start);
    if (end < 0) continue;
    songs.push(text.slice(start, end));
  }
  return songs;
}

/** The training text: songs joined by blank lines, as the lab builds it. */
export function joinSongs(songs: readonly string[]): string {
  return songs.join("\n\n");
}

/** Sorted distinct characters of a text (the lab's vocabulary: 83 for the corpus). */
export function distinctCharacters(text: string): string[] {
  return [...new Set(text)].sort();
}

export interface ExtractOptions {
  /**
   * Keep the text after the last blank line too. Generated text usually stops mid-song, and
   * the lab drops that tail; keep it when you want every fragment. Default false.
   */
  includeTail?: boolean;
}

/** A tune's reference number (X:) or key (K:, the last header line before the notes). */
const TUNE_HEADER = /^[XK]:/m;

/**
 * Songs in text a model generated: the lab's blank-line split, keeping only snippets that
 * look like ABC tunes (they contain an `X:` or `K:` header line), so that
 * stray fragments of notes between blank lines are not offered as songs.
 */
export function extractSongs(generated: string, options: ExtractOptions = {}): string[] {
  const snippets = splitSongs(generated);
  if (options.includeTail) {
    const lastBreak = generated.lastIndexOf("\n\n");
    const tail = lastBreak < 0 ? generated : generated.slice(lastBreak + 2);
    if (tail.trim() !== "") snippets.push(tail);
  }
  return snippets
    .map((s) => s.replace(/^\n+/, ""))
    .filter((s) => TUNE_HEADER.test(s));
}
