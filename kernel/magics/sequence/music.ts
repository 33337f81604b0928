/** Showing ABC text as music (lib/music's Song: sheet music SVG + offline WAV player). */
import type { MagicContext } from "../types";

/** Tunes found in text: each blank-line separated snippet with an X: or K: header (the tail too). */
export async function tunesIn(text: string): Promise<string[]> {
  const { extractSongs } = await import("../../../lib/music/songs");
  return extractSongs(text, { includeTail: true });
}

/**
 * Displays each tune as a Song and says whether abcjs parsed it cleanly; returns how many
 * parsed without warnings. A tune the parser cannot read at all is reported, not thrown.
 */
export async function showTunes(ctx: MagicContext, tunes: readonly string[], options: { engine?: "builtin" | "timidity"; limit?: number } = {}): Promise<number> {
  const { Song } = await import("../../../lib/music/song");
  const limit = options.limit ?? tunes.length;
  let valid = 0;
  tunes.slice(0, limit).forEach((abc, i) => {
    const song = new Song(abc, { engine: options.engine });
    let check;
    try {
      check = song.check();
    } catch (err) {
      ctx.print(`tune ${i + 1}: not readable as ABC (${(err as Error).message})`);
      return;
    }
    const name = check.title ? `"${check.title}"` : `tune ${i + 1}`;
    if (check.noteCount === 0) {
      ctx.print(`${name}: no notes, nothing to play`);
      return;
    }
    if (check.ok) valid++;
    ctx.print(`${name}: ${check.noteCount} notes, ${check.ok ? "valid ABC" : `${check.warnings.length} parser warnings: ${check.warnings.slice(0, 3).join("; ")}`}`);
    ctx.display(song);
  });
  if (tunes.length > limit) ctx.print(`(${tunes.length - limit} more tunes not shown)`);
  return valid;
}
