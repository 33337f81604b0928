/**
 * Audio through the system's abc2midi and timidity, as the lab does, when both are installed
 * and timidity can really render (it needs a sound font). Optional: the built-in synthesizer
 * needs neither.
 */
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { InterruptedError } from "../runtime";
import { decodeWav } from "./wav";

const run = promisify(execFile);

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

const BUILTIN_HINT = `or use the built-in synthesizer ({ engine: "builtin" }), which needs nothing`;

/**
 * A MIDI file with one middle C, an eighth of a second long: format 0, one track, 96 ticks
 * per quarter note at the default 120 bpm.
 */
const ONE_NOTE_MIDI = Buffer.from([
  ...[0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0, 96], // MThd
  ...[0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, 12], // MTrk, 12 bytes of events
  ...[0x00, 0x90, 60, 100], // note on
  ...[0x18, 0x80, 60, 0], // note off 24 ticks later
  ...[0x00, 0xff, 0x2f, 0x00], // end of track
]);

/**
 * Why timidity cannot render here, from a failed test render: a missing configuration file
 * (Debian's timidity sources its sound font's, e.g. /etc/timidity/fluidr3_gm.cfg, which comes
 * with the package it only recommends) or whatever else it printed.
 */
function describeRenderFailure(timidity: string, output: string): string {
  const missingConfig = /(\S+\.cfg): No such file or directory/.exec(output)?.[1];
  if (missingConfig) {
    return (
      `timidity (${timidity}) cannot render: its configuration ${missingConfig} is missing, so it has ` +
      `no instruments. Install the sound font it names (Debian/Ubuntu: apt-get install ` +
      `fluid-soundfont-gm for fluidr3_gm.cfg, or freepats), ${BUILTIN_HINT}.`
    );
  }
  const tail = output.trim().split("\n").slice(-3).join(" | ");
  return `timidity (${timidity}) could not render a test note${tail ? `: ${tail}` : " and printed nothing"}. Check its sound font configuration (timidity.cfg), ${BUILTIN_HINT}.`;
}

/** Renders ONE_NOTE_MIDI; undefined when it came out as audible sound, else what went wrong. */
function testRender(timidity: string): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-timidity-check-"));
  try {
    const midFile = path.join(dir, "note.mid");
    const wavFile = path.join(dir, "note.wav");
    fs.writeFileSync(midFile, ONE_NOTE_MIDI);
    const result = spawnSync(timidity, [midFile, "-Ow", "-o", wavFile, "-s", "8000", "--output-mono"], { encoding: "utf8", timeout: 30000 });
    const output = `${result.stdout ?? ""}\n${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`;
    if (result.status !== 0 || !fs.existsSync(wavFile)) return describeRenderFailure(timidity, output);
    let samples: Float32Array;
    try {
      samples = decodeWav(fs.readFileSync(wavFile)).samples;
    } catch (err) {
      return `timidity (${timidity}) wrote no readable WAV file for a test note (${(err as Error).message}), ${BUILTIN_HINT}.`;
    }
    if (!samples.some((v) => v !== 0)) {
      return `timidity (${timidity}) rendered a test note as silence: its sound font has no instruments. Check its configuration (timidity.cfg; Debian/Ubuntu: apt-get install fluid-soundfont-gm), ${BUILTIN_HINT}.`;
    }
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Test-render results per timidity executable: checked once, then remembered. */
const renderChecks = new Map<string, string | undefined>();

/**
 * Why the timidity engine cannot be used here, or undefined when it can: abc2midi and
 * timidity must be on PATH and timidity must render a test note to sound. The test render
 * (a fraction of a second) runs once per timidity executable.
 */
export function timidityProblem(): string | undefined {
  const abc2midi = onPath("abc2midi");
  const timidity = onPath("timidity");
  if (!abc2midi || !timidity) {
    const missing = [!abc2midi && "abc2midi", !timidity && "timidity"].filter(Boolean).join(", ");
    return `The timidity engine needs abc2midi and timidity (missing: ${missing}). Install them (Debian/Ubuntu: apt-get install abcmidi timidity fluid-soundfont-gm) ${BUILTIN_HINT}.`;
  }
  if (!renderChecks.has(timidity)) renderChecks.set(timidity, testRender(timidity));
  return renderChecks.get(timidity);
}

/** Whether abc2midi and timidity are installed and timidity can render. */
export function timidityAvailable(): boolean {
  return timidityProblem() === undefined;
}

/** Render ABC text to WAV bytes with abc2midi then timidity. */
export async function renderWithTimidity(abc: string, options: { sampleRate?: number; signal?: AbortSignal } = {}): Promise<Buffer> {
  const { signal } = options;
  const problem = timidityProblem();
  if (problem) throw new Error(problem);
  const abc2midi = onPath("abc2midi")!;
  const timidity = onPath("timidity")!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-abc-"));
  try {
    const abcFile = path.join(dir, "tune.abc");
    const midFile = path.join(dir, "tune.mid");
    const wavFile = path.join(dir, "tune.wav");
    // abc2midi wants an X: line to know where a tune starts.
    fs.writeFileSync(abcFile, /^X:/m.test(abc) ? abc : `X:1\n${abc}`);
    try {
      await run(abc2midi, [abcFile, "-o", midFile], { timeout: 30000, signal });
    } catch (err) {
      if (signal?.aborted) throw new InterruptedError("interrupted while abc2midi ran");
      throw new Error(`abc2midi could not convert the tune: ${(err as Error).message}`);
    }
    if (!fs.existsSync(midFile)) throw new Error("abc2midi wrote no MIDI file: the tune has no playable notes.");
    try {
      await run(timidity, [midFile, "-Ow", "-o", wavFile, "-s", String(options.sampleRate ?? 22050), "--output-mono"], {
        timeout: 120000,
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw new InterruptedError("interrupted while timidity ran");
      throw new Error(`timidity could not render the MIDI file: ${(err as Error).message}`);
    }
    return fs.readFileSync(wavFile);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
