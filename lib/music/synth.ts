/**
 * A small offline synthesizer: each note is a plucked-string-like tone (a few harmonics whose
 * amplitudes decay exponentially, higher ones faster), with a short attack and a release at
 * the note's end. Deterministic, no audio device and no system tools needed.
 */
import { yieldAndCheck } from "../runtime";
import { NoteEvent } from "./notes";

export interface SynthOptions {
  /** Samples per second. Default 22050. */
  sampleRate?: number;
  /** Silence kept after the last note ends, in seconds (the release rings into it). Default 0.3. */
  tail?: number;
}

const ATTACK = 0.005;
const RELEASE = 0.06;
const HARMONICS = [1, 0.5, 0.3, 0.15, 0.08];

/** Notes mixed between two checks of the abort signal (a few milliseconds of work). */
const NOTES_PER_SLICE = 200;

function sampleRateOf(options: SynthOptions): number {
  const rate = options.sampleRate ?? 22050;
  if (!Number.isInteger(rate) || rate < 4000) throw new RangeError(`sampleRate must be an integer >= 4000, got ${rate}`);
  return rate;
}

/** Mix the notes into mono samples in [-1, 1], normalized to a peak of 0.8. */
export function synthesize(notes: readonly NoteEvent[], seconds: number, options: SynthOptions = {}): Float32Array {
  const rate = sampleRateOf(options);
  const out = new Float32Array(Math.ceil((seconds + (options.tail ?? 0.3)) * rate));
  for (const note of notes) mixNote(out, note, rate);
  return normalize(out);
}

/**
 * synthesize, giving the event loop a turn between slices of notes so that an interrupt
 * is noticed; throws InterruptedError once `signal` is aborted.
 */
export async function synthesizeInterruptibly(notes: readonly NoteEvent[], seconds: number, options: SynthOptions & { signal?: AbortSignal } = {}): Promise<Float32Array> {
  const rate = sampleRateOf(options);
  const out = new Float32Array(Math.ceil((seconds + (options.tail ?? 0.3)) * rate));
  for (let from = 0; from < notes.length; from += NOTES_PER_SLICE) {
    await yieldAndCheck(options.signal, "while synthesizing the audio");
    for (const note of notes.slice(from, from + NOTES_PER_SLICE)) mixNote(out, note, rate);
  }
  return normalize(out);
}

function mixNote(out: Float32Array, note: NoteEvent, rate: number): void {
  const nyquist = rate / 2;
  const freq = 440 * Math.pow(2, (note.pitch - 69) / 12);
  // Low strings ring longer than high ones.
  const decay = Math.min(1.5, Math.max(0.15, 0.7 * Math.sqrt(261.6 / freq)));
  const first = Math.max(0, Math.round(note.start * rate));
  const sounding = note.duration + RELEASE;
  const last = Math.min(out.length, first + Math.ceil(sounding * rate));
  const amp = 0.3 * (0.4 + 0.6 * note.velocity);
  for (let h = 0; h < HARMONICS.length; h++) {
    const f = freq * (h + 1);
    if (f >= nyquist) break;
    const w = (2 * Math.PI * f) / rate;
    const a = amp * HARMONICS[h];
    const k = (h + 1) / decay;
    for (let i = first; i < last; i++) {
      const t = (i - first) / rate;
      let env = Math.exp(-k * t);
      if (t < ATTACK) env *= t / ATTACK;
      if (t > note.duration) env *= Math.max(0, 1 - (t - note.duration) / RELEASE);
      out[i] += a * env * Math.sin(w * (i - first));
    }
  }
}

function normalize(out: Float32Array): Float32Array {
  let peak = 0;
  for (let i = 0; i < out.length; i++) peak = Math.max(peak, Math.abs(out[i]));
  if (peak > 0) {
    const gain = 0.8 / peak;
    for (let i = 0; i < out.length; i++) out[i] *= gain;
  }
  return out;
}
