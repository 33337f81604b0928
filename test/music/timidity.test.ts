/**
 * The timidity engine is only offered when timidity can really render: Debian's timidity
 * without its recommended sound font (fluid-soundfont-gm) fails every render. Fake
 * executables on PATH stand in for the broken installations.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Song } from "../../lib/music";
import { renderWithTimidity, timidityAvailable, timidityProblem } from "../../lib/music/timidity";

const SCALE = "X:1\nT:Scale\nM:4/4\nL:1/4\nK:C\nCDEF|]";

/** The message a promise was rejected with, or a note that it was not. */
function rejection(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "(not rejected)",
    (err: Error) => err.message,
  );
}

describe("music/timidity: a test render before offering the engine", () => {
  const savedPath = process.env.PATH;
  let dir: string;
  let calls: string;

  /** Puts abc2midi (writes an empty MIDI file) and `timidity` (a Node script body) first on PATH. */
  function fakeTools(timidityBody: string): void {
    fs.writeFileSync(path.join(dir, "abc2midi"), `#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\n: > "$2"\n`, { mode: 0o755 });
    fs.writeFileSync(
      path.join(dir, "timidity"),
      `#!${process.execPath}\nconst fs = require("fs");\nfs.appendFileSync(${JSON.stringify(calls)}, "call\\n");\nconst args = process.argv.slice(2);\n${timidityBody}\n`,
      { mode: 0o755 },
    );
    process.env.PATH = `${dir}${path.delimiter}${savedPath}`;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-fake-timidity-"));
    calls = path.join(dir, "calls.log");
  });

  afterEach(() => {
    process.env.PATH = savedPath;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // What Debian's timidity prints, and its exit status, when fluid-soundfont-gm is missing.
  const WITHOUT_SOUND_FONT = `process.stderr.write("/etc/timidity/fluidr3_gm.cfg: No such file or directory\\n");\nprocess.exit(1);`;

  it("is not offered when timidity lacks its sound font, and says which package to install", async () => {
    fakeTools(WITHOUT_SOUND_FONT);
    expect(timidityAvailable()).to.equal(false);
    const problem = timidityProblem()!;
    expect(problem).to.contain("/etc/timidity/fluidr3_gm.cfg is missing");
    expect(problem).to.contain("apt-get install fluid-soundfont-gm");
    expect(problem).to.contain('{ engine: "builtin" }');
    expect(await rejection(renderWithTimidity(SCALE))).to.equal(problem);
    // A song asked to use timidity says the same.
    expect(await rejection(new Song(SCALE, { engine: "timidity" }).renderAudio())).to.equal(problem);
  });

  it("runs the test render once per timidity executable", () => {
    fakeTools(WITHOUT_SOUND_FONT);
    for (let i = 0; i < 3; i++) expect(timidityAvailable()).to.equal(false);
    expect(fs.readFileSync(calls, "utf8").trim().split("\n")).to.have.length(1);
  });

  it("is not offered when timidity renders silence", () => {
    // A valid WAV file of 800 zero samples at 8 kHz, written where -o says.
    fakeTools(
      [
        `const out = args[args.indexOf("-o") + 1];`,
        `const data = Buffer.alloc(1600);`,
        `const head = Buffer.alloc(44);`,
        `head.write("RIFF", 0); head.writeUInt32LE(36 + data.length, 4); head.write("WAVEfmt ", 8);`,
        `head.writeUInt32LE(16, 16); head.writeUInt16LE(1, 20); head.writeUInt16LE(1, 22);`,
        `head.writeUInt32LE(8000, 24); head.writeUInt32LE(16000, 28); head.writeUInt16LE(2, 32); head.writeUInt16LE(16, 34);`,
        `head.write("data", 36); head.writeUInt32LE(data.length, 40);`,
        `fs.writeFileSync(out, Buffer.concat([head, data]));`,
      ].join("\n"),
    );
    expect(timidityAvailable()).to.equal(false);
    expect(timidityProblem()).to.match(/rendered a test note as silence/);
  });

  it("says what is missing when timidity is not installed at all", () => {
    fakeTools(WITHOUT_SOUND_FONT);
    fs.rmSync(path.join(dir, "timidity"));
    process.env.PATH = dir;
    expect(timidityProblem()).to.match(/missing: timidity\)/);
  });
});
