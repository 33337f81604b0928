/**
 * Audio through the system's abc2midi and timidity, as the lab does, when both are installed.
 * Optional: the built-in synthesizer needs neither.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { InterruptedError } from "../runtime";

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

/** Whether abc2midi and timidity are both installed. */
export function timidityAvailable(): boolean {
  return onPath("abc2midi") !== undefined && onPath("timidity") !== undefined;
}

/** Render ABC text to WAV bytes with abc2midi then timidity. */
export async function renderWithTimidity(abc: string, options: { sampleRate?: number; signal?: AbortSignal } = {}): Promise<Buffer> {
  const { signal } = options;
  const abc2midi = onPath("abc2midi");
  const timidity = onPath("timidity");
  if (!abc2midi || !timidity) {
    throw new Error(
      `The timidity engine needs abc2midi and timidity (missing: ${[!abc2midi && "abc2midi", !timidity && "timidity"]
        .filter(Boolean)
        .join(", ")}). Install them (Debian/Ubuntu: apt-get install abcmidi timidity) or use ` +
        `the built-in synthesizer ({ engine: "builtin" }).`,
    );
  }
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
