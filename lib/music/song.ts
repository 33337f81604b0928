/**
 * A song in ABC notation that shows itself in a notebook: sheet music (SVG), a player with
 * audio made offline (WAV in a data: URL), and the parser's warnings when there are any.
 */
import { DISPLAY, MimeBundle } from "../runtime";
import { escapeHtml } from "../viz/format";
import { AbcCheck, checkAbc, parseTune } from "./abc";
import { NoteSchedule, scheduleNotes } from "./notes";
import { renderSvg } from "./sheet";
import { synthesize } from "./synth";
import { renderWithTimidity } from "./timidity";
import { encodeWav } from "./wav";

export type AudioEngine = "builtin" | "timidity";

export interface SongOptions {
  /** "builtin" (default, pure JS) or "timidity" (abc2midi + timidity, when installed). */
  engine?: AudioEngine;
  /** Samples per second of the audio. Default 16000 (keeps the data: URL small; melodies need no more). */
  sampleRate?: number;
  /** Tempo override in quarter notes per minute (default: the tune's Q:, else 120). */
  qpm?: number;
  /** Play chord symbols too. Default false. */
  chords?: boolean;
  /** Staff width of the sheet music in pixels. */
  staffwidth?: number;
}

export class Song {
  readonly abc: string;
  private checked: AbcCheck | undefined;
  private scheduled: NoteSchedule | undefined;
  private sheet: string | undefined;
  private audio: Buffer | undefined;

  constructor(
    abc: string,
    readonly options: SongOptions = {},
  ) {
    if (typeof abc !== "string") throw new TypeError(`Song expects ABC text (a string), got ${typeof abc}`);
    const engine = options.engine ?? "builtin";
    if (engine !== "builtin" && engine !== "timidity") {
      throw new RangeError(`Unknown audio engine "${engine}": use "builtin" or "timidity".`);
    }
    this.abc = abc;
  }

  /** Parser verdict: ok, warnings, title, number of notes. */
  check(): AbcCheck {
    return (this.checked ??= checkAbc(this.abc));
  }

  get title(): string | undefined {
    return this.check().title;
  }

  /** Notes in seconds; throws when the text is not a tune. */
  schedule(): NoteSchedule {
    return (this.scheduled ??= scheduleNotes(parseTune(this.abc), { qpm: this.options.qpm, chords: this.options.chords }));
  }

  /** Length in seconds (end of the last note). */
  get seconds(): number {
    return this.schedule().seconds;
  }

  /** Sheet music as a standalone SVG string. */
  svg(): string {
    return (this.sheet ??= renderSvg(this.abc, { staffwidth: this.options.staffwidth }));
  }

  /** WAV bytes from the built-in synthesizer (synchronous, no system tools). */
  wav(): Buffer {
    if ((this.options.engine ?? "builtin") !== "builtin") {
      throw new Error('wav() uses the built-in synthesizer; with { engine: "timidity" } call renderAudio().');
    }
    return (this.audio ??= this.synthesize());
  }

  /** WAV bytes from the chosen engine. */
  async renderAudio(): Promise<Buffer> {
    if ((this.options.engine ?? "builtin") === "builtin") return this.wav();
    return (this.audio ??= await renderWithTimidity(this.abc, { sampleRate: this.options.sampleRate }));
  }

  private synthesize(): Buffer {
    const rate = this.options.sampleRate ?? 16000;
    const { notes, seconds } = this.schedule();
    if (notes.length === 0) throw new Error("This tune has no notes to play.");
    return encodeWav(synthesize(notes, seconds, { sampleRate: rate }), rate);
  }

  /** `data:` URL of the audio, for an <audio> element. */
  audioDataUrl(): string {
    return `data:audio/wav;base64,${this.wav().toString("base64")}`;
  }

  toString(): string {
    const c = this.check();
    const name = c.title ? `"${c.title}"` : "(untitled)";
    if (!c.ok && c.noteCount === 0) return `Song ${name}: not playable (${c.warnings[0] ?? "no notes"})`;
    let length = "";
    try {
      const s = this.schedule();
      length = `, ${s.seconds.toFixed(1)} s at ${Math.round(s.quarterNotesPerMinute)} quarter notes/min`;
    } catch {
      // leave the length out when the tune cannot be scheduled
    }
    const verdict = c.ok ? "parses cleanly" : `${c.warnings.length} parser warning(s)`;
    return `Song ${name}: ${c.noteCount} notes${length}, ${verdict}`;
  }

  private html(audioUrl: string | undefined, audioError: string | undefined): string {
    const c = this.check();
    const parts: string[] = ['<div class="seqlab-song">'];
    if (c.noteCount > 0) {
      try {
        parts.push(`<div class="seqlab-sheet" style="background:white;color:black;max-width:100%;overflow-x:auto">${this.svg()}</div>`);
      } catch (err) {
        parts.push(`<p><i>Sheet music could not be drawn: ${escapeHtml((err as Error).message)}</i></p>`);
      }
    }
    if (audioUrl) parts.push(`<audio controls preload="none" src="${audioUrl}"></audio>`);
    else if (audioError) parts.push(`<p><i>No audio: ${escapeHtml(audioError)}</i></p>`);
    if (c.warnings.length > 0) {
      const shown = c.warnings.slice(0, 10).map((w) => `<li>${escapeHtml(w)}</li>`).join("");
      const more = c.warnings.length > 10 ? `<li>… ${c.warnings.length - 10} more</li>` : "";
      parts.push(`<details${c.ok ? "" : " open"}><summary>${c.warnings.length} parser warning(s)</summary><ul>${shown}${more}</ul></details>`);
    }
    parts.push(`<details><summary>ABC</summary><pre>${escapeHtml(this.abc)}</pre></details>`, "</div>");
    return parts.join("\n");
  }

  private bundle(audioUrl: string | undefined, audioError: string | undefined): MimeBundle {
    return { "text/plain": this.toString(), "text/html": this.html(audioUrl, audioError) };
  }

  [DISPLAY](): MimeBundle | Promise<MimeBundle> {
    if (this.check().noteCount === 0) return this.bundle(undefined, "the tune has no notes");
    if ((this.options.engine ?? "builtin") === "builtin") {
      let url: string | undefined;
      let error: string | undefined;
      try {
        url = this.audioDataUrl();
      } catch (err) {
        error = (err as Error).message;
      }
      return this.bundle(url, error);
    }
    return this.renderAudio().then(
      (wav) => this.bundle(`data:audio/wav;base64,${wav.toString("base64")}`, undefined),
      (err: Error) => this.bundle(undefined, err.message),
    );
  }
}

/** Make a Song (shorthand for `new Song(abc, options)`). */
export function song(abc: string, options: SongOptions = {}): Song {
  return new Song(abc, options);
}
