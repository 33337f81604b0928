/**
 * The notes of a tune on a time line in seconds. abcjs flattens the parsed tune (repeats,
 * endings, ties, triplets, chords, grace notes) into note events timed in whole notes; this
 * turns whole notes into seconds using the tune's Q: tempo, or a default when it has none.
 */
import { Tune, parseTune } from "./abc";

export interface NoteEvent {
  /** MIDI pitch (60 = middle C). */
  pitch: number;
  /** Seconds from the start. */
  start: number;
  duration: number;
  /** 0..1 */
  velocity: number;
}

export interface NoteSchedule {
  notes: NoteEvent[];
  /** End of the last note, in seconds: the tune's length. */
  seconds: number;
  /** Seconds per whole note. */
  secondsPerWhole: number;
  /** Tempo in quarter notes per minute that was used. */
  quarterNotesPerMinute: number;
  /** Whether the tempo came from the tune's Q: field (else the default). */
  tempoFromTune: boolean;
}

export interface ScheduleOptions {
  /** Tempo for tunes without Q:, in quarter notes per minute. Default 120 (abc2midi's). */
  defaultQpm?: number;
  /** Override the tempo (quarter notes per minute) even when the tune has Q:. */
  qpm?: number;
  /** Play chord symbols ("Am") as chords too. Default false: melody only. */
  chords?: boolean;
}

interface FlatNote {
  cmd: string;
  pitch?: number;
  start?: number;
  duration?: number;
  volume?: number;
}

/** Schedule the notes of ABC text or a parsed tune. */
export function scheduleNotes(source: string | Tune, options: ScheduleOptions = {}): NoteSchedule {
  const tune = typeof source === "string" ? parseTune(source) : source;
  const tempo = tune.metaText?.tempo as { bpm?: number; duration?: number[] } | undefined;
  let qpm: number;
  let fromTune = false;
  if (options.qpm !== undefined) {
    qpm = options.qpm;
  } else if (tempo && typeof tempo.bpm === "number" && tempo.bpm > 0) {
    // Q:1/8=240 means 240 eighths a minute; convert to quarter notes.
    const beat = tempo.duration && tempo.duration.length > 0 ? tempo.duration.reduce((a, b) => a + b, 0) : 0.25;
    qpm = tempo.bpm * beat * 4;
    fromTune = true;
  } else {
    qpm = options.defaultQpm ?? 120;
  }
  if (!(qpm > 0 && Number.isFinite(qpm))) throw new RangeError(`tempo must be a positive number of quarter notes per minute, got ${qpm}`);
  const secondsPerWhole = (60 / qpm) * 4;
  const audio = tune.setUpAudio({ chordsOff: !options.chords } as Parameters<Tune["setUpAudio"]>[0]);
  const notes: NoteEvent[] = [];
  for (const track of audio.tracks as unknown as FlatNote[][]) {
    for (const ev of track) {
      if (ev.cmd !== "note" || typeof ev.pitch !== "number" || typeof ev.start !== "number" || typeof ev.duration !== "number") continue;
      if (ev.duration <= 0) continue;
      notes.push({
        pitch: ev.pitch,
        start: ev.start * secondsPerWhole,
        duration: ev.duration * secondsPerWhole,
        velocity: Math.min(1, Math.max(0, (ev.volume ?? 90) / 127)),
      });
    }
  }
  notes.sort((a, b) => a.start - b.start || a.pitch - b.pitch);
  const seconds = notes.reduce((end, n) => Math.max(end, n.start + n.duration), 0);
  return { notes, seconds, secondsPerWhole, quarterNotesPerMinute: qpm, tempoFromTune: fromTune };
}
