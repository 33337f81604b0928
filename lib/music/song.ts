/**
 * A song in ABC notation that shows itself in a notebook: sheet music (SVG), a player with
 * audio made offline (WAV in a data: URL), and the parser's warnings when there are any.
 * The audio is 8-bit mono at 11025 Hz by default: a notebook keeps every player's bytes (as
 * base64), and this is the smallest WAV that every browser plays that still sounds like the
 * tune (a quarter of 16-bit at 22050 Hz).
 */
import { DISPLAY, InterruptedError, MimeBundle, yieldAndCheck } from "../runtime";
import { escapeHtml, formatDuration, plural } from "../viz/format";
import { AbcCheck, checkAbc, parseTune } from "./abc";
import { NoteEvent, NoteSchedule, scheduleNotes } from "./notes";
import { renderSvg } from "./sheet";
import { synthesize, synthesizeInterruptibly } from "./synth";
import { renderWithTimidity } from "./timidity";
import { BitsPerSample, decodeWav, encodeWav } from "./wav";

export type AudioEngine = "builtin" | "timidity";

export interface SongOptions {
  /** "builtin" (default, pure JS) or "timidity" (abc2midi + timidity, when installed). */
  engine?: AudioEngine;
  /** Samples per second of the audio. Default 11025 (keeps the data: URL small; melodies need no more). */
  sampleRate?: number;
  /** Bits per sample of the WAV: 8 (default, half the bytes) or 16 (less hiss in quiet passages). */
  bitsPerSample?: BitsPerSample;
  /** Tempo override in quarter notes per minute (default: the tune's Q:, else 120). */
  qpm?: number;
  /** Play chord symbols too. Default false. */
  chords?: boolean;
  /** Staff width of the sheet music in pixels. */
  staffwidth?: number;
  /** Seconds of audio rendered at most; a longer tune's audio is cut there. Default 180. */
  maxSeconds?: number;
  /** Lines of music drawn at most (the headers are always drawn). Default 64. */
  maxSheetLines?: number;
}

export const DEFAULT_MAX_SECONDS = 180;
export const DEFAULT_SAMPLE_RATE = 11025;
export const DEFAULT_BITS_PER_SAMPLE: BitsPerSample = 8;
export const DEFAULT_MAX_SHEET_LINES = 64;

/** What a Song left out to stay within its limits (absent when nothing was cut). */
export interface SongCuts {
  audio?: { renderedSeconds: number; totalSeconds: number };
  sheet?: { drawnLines: number; totalLines: number };
}

/**
 * The tune's headers (up to and including K:) and its first `maxLines` lines of music:
 * what the sheet music draws.
 */
export function firstLinesOfMusic(abc: string, maxLines: number): { abc: string; drawnLines: number; totalLines: number } {
  const lines = abc.split("\n");
  const key = lines.findIndex((line) => /^K:/.test(line));
  const headers = lines.slice(0, key + 1);
  const music = lines.slice(key + 1);
  const totalLines = music.filter((line) => line.trim() !== "").length;
  if (totalLines <= maxLines) return { abc, drawnLines: totalLines, totalLines };
  const kept: string[] = [];
  let drawnLines = 0;
  for (const line of music) {
    if (drawnLines === maxLines) break;
    kept.push(line);
    if (line.trim() !== "") drawnLines++;
  }
  return { abc: [...headers, ...kept].join("\n"), drawnLines, totalLines };
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
    const bits = options.bitsPerSample;
    if (bits !== undefined && bits !== 8 && bits !== 16) throw new RangeError(`Song option bitsPerSample must be 8 or 16, got ${bits}`);
    for (const limit of ["maxSeconds", "maxSheetLines"] as const) {
      const value = options[limit];
      if (value !== undefined && !(value > 0 && Number.isFinite(value))) throw new RangeError(`Song option ${limit} must be a number greater than 0, got ${value}`);
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

  private get maxSeconds(): number {
    return this.options.maxSeconds ?? DEFAULT_MAX_SECONDS;
  }

  /** The part of the tune the sheet music draws. */
  private sheetPart() {
    return firstLinesOfMusic(this.abc, this.options.maxSheetLines ?? DEFAULT_MAX_SHEET_LINES);
  }

  /** What the sheet music and the audio leave out of a long tune. */
  cuts(): SongCuts {
    const cuts: SongCuts = {};
    const sheet = this.sheetPart();
    if (sheet.drawnLines < sheet.totalLines) cuts.sheet = { drawnLines: sheet.drawnLines, totalLines: sheet.totalLines };
    let total = 0;
    try {
      total = this.seconds;
    } catch {
      // a tune that cannot be scheduled has no audio to cut (the display says why)
    }
    if (total > this.maxSeconds) cuts.audio = { renderedSeconds: this.maxSeconds, totalSeconds: total };
    return cuts;
  }

  /** Sheet music as a standalone SVG string (the first maxSheetLines lines of music). */
  svg(): string {
    return (this.sheet ??= renderSvg(this.sheetPart().abc, { staffwidth: this.options.staffwidth }));
  }

  /**
   * Does the slow work (parse, schedule, sheet music, audio) one step at a time, giving the
   * event loop a turn between steps and between slices of notes, so an interrupt stops it
   * (InterruptedError). Displaying the song afterwards reuses the results.
   */
  async prepare(signal?: AbortSignal): Promise<void> {
    const step = () => yieldAndCheck(signal, "while preparing the song");
    // A step that fails is left to the display, which shows its error in place of the sheet or the audio.
    const attempt = async (work: () => unknown) => {
      try {
        await work();
      } catch (err) {
        if (err instanceof InterruptedError) throw err;
      }
      await step();
    };
    if (this.check().noteCount === 0) return;
    await step();
    await attempt(() => this.schedule());
    await attempt(() => this.svg());
    await attempt(async () => {
      if ((this.options.engine ?? "builtin") !== "builtin") return this.renderAudio(signal);
      const { notes, seconds } = this.audioPart();
      this.audio ??= this.encode(await synthesizeInterruptibly(notes, seconds, { sampleRate: this.sampleRate, signal }), this.sampleRate);
    });
  }

  /** WAV bytes from the built-in synthesizer (synchronous, no system tools). */
  wav(): Buffer {
    if ((this.options.engine ?? "builtin") !== "builtin") {
      throw new Error('wav() uses the built-in synthesizer; with { engine: "timidity" } call renderAudio().');
    }
    return (this.audio ??= this.synthesize());
  }

  /** WAV bytes from the chosen engine (at most maxSeconds long). */
  async renderAudio(signal?: AbortSignal): Promise<Buffer> {
    if ((this.options.engine ?? "builtin") === "builtin") return this.wav();
    if (this.audio) return this.audio;
    const pcm = decodeWav(await renderWithTimidity(this.abc, { sampleRate: this.sampleRate, signal }));
    const keep = Math.ceil(this.maxSeconds * pcm.sampleRate);
    return (this.audio = this.encode(pcm.samples.subarray(0, keep), pcm.sampleRate));
  }

  private get sampleRate(): number {
    return this.options.sampleRate ?? DEFAULT_SAMPLE_RATE;
  }

  private encode(samples: Float32Array, sampleRate: number): Buffer {
    return encodeWav(samples, sampleRate, 1, this.options.bitsPerSample ?? DEFAULT_BITS_PER_SAMPLE);
  }

  /** The notes that start within maxSeconds, and the length of audio to render. */
  private audioPart(): { notes: NoteEvent[]; seconds: number } {
    const { notes, seconds } = this.schedule();
    if (notes.length === 0) throw new Error("This tune has no notes to play.");
    if (seconds <= this.maxSeconds) return { notes, seconds };
    return { notes: notes.filter((n) => n.start < this.maxSeconds), seconds: this.maxSeconds };
  }

  private synthesize(): Buffer {
    const { notes, seconds } = this.audioPart();
    return this.encode(synthesize(notes, seconds, { sampleRate: this.sampleRate }), this.sampleRate);
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
    const verdict = c.ok ? "parses cleanly" : plural(c.warnings.length, "parser warning");
    return `Song ${name}: ${plural(c.noteCount, "note")}${length}, ${verdict}`;
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
    if (audioUrl) {
      parts.push(`<audio controls preload="none" src="${audioUrl}"></audio>`);
      const cut = this.cuts().audio;
      if (cut) parts.push(`<p><i>Audio: the first ${formatDuration(cut.renderedSeconds)} of ${formatDuration(cut.totalSeconds)} (the song's maxSeconds).</i></p>`);
    } else if (audioError) parts.push(`<p><i>No audio: ${escapeHtml(audioError)}</i></p>`);
    if (c.warnings.length > 0) {
      const shown = c.warnings.slice(0, 10).map((w) => `<li>${escapeHtml(w)}</li>`).join("");
      const more = c.warnings.length > 10 ? `<li>… ${c.warnings.length - 10} more</li>` : "";
      parts.push(`<details${c.ok ? "" : " open"}><summary>${plural(c.warnings.length, "parser warning")}</summary><ul>${shown}${more}</ul></details>`);
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
