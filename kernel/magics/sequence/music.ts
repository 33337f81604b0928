/** Showing ABC text as music (lib/music's Song: sheet music SVG + offline WAV player). */
import type { MagicContext } from "../types";

/** Tunes found in text: each blank-line separated snippet with an X: or K: header (the tail too). */
export async function tunesIn(text: string): Promise<string[]> {
  const { extractSongs } = await import("../../../lib/music/songs");
  return extractSongs(text, { includeTail: true });
}

export interface ShowOptions {
  engine?: "builtin" | "timidity";
  /** Seconds of audio per tune at most (Song's maxSeconds). */
  maxSeconds?: number;
  /** Option that changes maxSeconds, named in the message when audio is cut. */
  maxSecondsOption?: string;
}

/**
 * Displays each tune as a Song after preparing it step by step (an interrupt stops it
 * between steps), with one line per tune: notes and the parser's verdict, and what a long
 * tune's sheet music and audio leave out.
 */
export async function showTunes(ctx: MagicContext, tunes: readonly string[], options: ShowOptions = {}): Promise<void> {
  const { Song } = await import("../../../lib/music/song");
  const { formatDuration, plural } = await import("../../../lib/viz/format");
  for (const [i, abc] of tunes.entries()) {
    const song = new Song(abc, { engine: options.engine, maxSeconds: options.maxSeconds });
    const check = song.check();
    const name = check.title ? `"${check.title}"` : `tune ${i + 1}`;
    if (check.noteCount === 0) {
      ctx.print(`${name}: no notes, nothing to play (${check.warnings.join("; ")})`);
      continue;
    }
    const verdict = check.ok ? "valid ABC" : `${plural(check.warnings.length, "parser warning")}: ${check.warnings.slice(0, 3).join("; ")}`;
    ctx.print(`${name}: ${plural(check.noteCount, "note")}, ${verdict}`);
    await song.prepare(ctx.signal);
    const cuts = song.cuts();
    if (cuts.sheet) ctx.print(`  sheet music shows the first ${cuts.sheet.drawnLines} of ${cuts.sheet.totalLines} lines of music`);
    if (cuts.audio) {
      const { renderedSeconds, totalSeconds } = cuts.audio;
      const hint = options.maxSecondsOption ? `; ${options.maxSecondsOption} ${Math.ceil(totalSeconds)} renders it all` : "";
      ctx.print(`  audio cut at ${formatDuration(renderedSeconds)} of ${formatDuration(totalSeconds)}${hint}`);
    }
    ctx.display(song);
  }
}
