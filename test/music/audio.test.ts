import { expect } from "chai";
import {
  Song,
  decodeWav,
  encodeWav,
  rms,
  scheduleNotes,
  synthesize,
  timidityAvailable,
  wavSeconds,
} from "../../lib/music";
import { DISPLAY, InterruptedError } from "../../lib/runtime";

const SCALE = "X:1\nT:Scale\nM:4/4\nL:1/4\nQ:1/4=120\nK:C\nCDEF|GABc|]";

/** Strongest period by autocorrelation, as a frequency (a check of the synth's pitch). */
function dominantFrequency(samples: Float32Array, rate: number, from: number, length: number): number {
  let bestLag = 0;
  let best = -Infinity;
  for (let lag = Math.floor(rate / 2000); lag < rate / 50; lag++) {
    let s = 0;
    for (let i = from; i < from + length; i++) s += samples[i] * samples[i + lag];
    if (s > best) (best = s), (bestLag = lag);
  }
  return rate / bestLag;
}

describe("music/notes: timing a tune from Q:, L:, M: and repeats", () => {
  it("times quarter notes at Q:1/4=120 as half a second each", () => {
    const s = scheduleNotes(SCALE);
    expect(s.notes.map((n) => n.pitch)).to.deep.equal([60, 62, 64, 65, 67, 69, 71, 72]);
    expect(s.seconds).to.be.closeTo(4, 1e-6);
    expect(s.notes[1].start).to.be.closeTo(0.5, 1e-6);
    expect(s.tempoFromTune).to.equal(true);
  });

  it("plays repeats and first/second endings", () => {
    const s = scheduleNotes("X:1\nM:4/4\nL:1/4\nQ:1/4=120\nK:C\n|:CDEF:|[1GABc:|[2cBAG|]");
    // CDEF GABc, then CDEF again and the second ending cBAG: 16 quarter notes, 8 s.
    expect(s.notes).to.have.length(16);
    expect(s.seconds).to.be.closeTo(8, 1e-6);
  });

  it("reads compound-time tempi and defaults to 120 quarter notes a minute", () => {
    // A dotted quarter at 40 a minute is 60 quarters a minute: six eighths take 3 s.
    expect(scheduleNotes("X:1\nM:6/8\nL:1/8\nQ:3/8=40\nK:C\nABc def|").seconds).to.be.closeTo(3, 1e-6);
    const noTempo = scheduleNotes("X:1\nM:4/4\nL:1/8\nK:C\nCDEF GABc|");
    expect(noTempo.tempoFromTune).to.equal(false);
    expect(noTempo.seconds).to.be.closeTo(2, 1e-6);
    expect(scheduleNotes("X:1\nM:4/4\nL:1/8\nK:C\nCDEF GABc|", { qpm: 60 }).seconds).to.be.closeTo(4, 1e-6);
    expect(() => scheduleNotes(SCALE, { qpm: -1 })).to.throw(RangeError, /positive/);
  });
});

describe("music/audio: offline WAV synthesis", () => {
  it("writes a valid RIFF/WAVE 16-bit PCM file whose length matches the tune", () => {
    const song = new Song(SCALE, { sampleRate: 16000 });
    const wav = song.wav();
    expect(wav.toString("ascii", 0, 4)).to.equal("RIFF");
    expect(wav.toString("ascii", 8, 12)).to.equal("WAVE");
    expect(wav.readUInt32LE(4)).to.equal(wav.length - 8);
    const audio = decodeWav(wav);
    expect(audio.sampleRate).to.equal(16000);
    expect(audio.channels).to.equal(1);
    // The tune is 4 s; the file adds a 0.3 s tail for the last note's release.
    expect(wavSeconds(audio)).to.be.closeTo(song.seconds + 0.3, 0.05);
    expect(song.seconds).to.be.closeTo(4, 1e-6);
    expect(rms(audio.samples)).to.be.greaterThan(0.05);
    // Every half-second note sounds: no silent stretch inside the tune.
    for (let n = 0; n < 8; n++) {
      const slice = audio.samples.subarray(n * 8000 + 400, n * 8000 + 4000);
      expect(rms(slice), `note ${n}`).to.be.greaterThan(0.02);
    }
  });

  it("sounds the written pitch (A = 440 Hz)", () => {
    const rate = 16000;
    const { notes, seconds } = scheduleNotes("X:1\nL:1/1\nQ:1/4=60\nK:C\nA|");
    const samples = synthesize(notes, seconds, { sampleRate: rate });
    expect(dominantFrequency(samples, rate, 1600, 4000)).to.be.closeTo(440, 440 * 0.02);
  });

  it("by default writes 8-bit mono PCM at 11025 Hz: 11025 bytes a second, within half an 8-bit step of the synthesis", () => {
    const song = new Song(SCALE);
    const wav = song.wav();
    // The header a browser reads: PCM, mono, 11025 Hz, 11025 bytes a second, 1 byte a frame, 8 bits.
    expect([wav.readUInt16LE(20), wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt32LE(28), wav.readUInt16LE(32), wav.readUInt16LE(34)]).to.deep.equal([1, 1, 11025, 11025, 1, 8]);
    expect(wav.readUInt32LE(4)).to.equal(wav.length - 8);
    const audio = decodeWav(wav);
    expect(audio.bitsPerSample).to.equal(8);
    expect(wavSeconds(audio)).to.be.closeTo(song.seconds + 0.3, 1e-3);
    expect(wav.length).to.be.closeTo(44 + 11025 * (song.seconds + 0.3), 2);
    const { notes, seconds } = scheduleNotes(SCALE);
    const exact = synthesize(notes, seconds, { sampleRate: 11025 });
    expect(audio.samples.length).to.equal(exact.length);
    let worst = 0;
    for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(audio.samples[i] - exact[i]));
    expect(worst).to.be.at.most(0.5 / 128 + 1e-6); // half a step of the 256
    expect(dominantFrequency(audio.samples, 11025, 5 * 5512 + 800, 2000)).to.be.closeTo(440, 440 * 0.02); // the sixth note, A
  });

  it("writes 8-bit WAV with an odd number of samples padded to an even chunk, and refuses other depths", () => {
    const samples = Float32Array.from([0, 1, -1, 0.5, -0.5]);
    const wav = encodeWav(samples, 8000, 1, 8);
    expect(wav.length).to.equal(44 + 5 + 1);
    expect(wav.readUInt32LE(40)).to.equal(5); // the data size leaves the pad byte out
    expect(Array.from(wav.subarray(44, 49))).to.deep.equal([128, 255, 0, 192, 64]);
    expect(Array.from(decodeWav(wav).samples)).to.deep.equal([0, 127 / 128, -1, 0.5, -0.5]);
    expect(() => encodeWav(samples, 8000, 1, 24 as 8)).to.throw(RangeError, /bitsPerSample must be 8 or 16, got 24/);
    expect(() => new Song(SCALE, { bitsPerSample: 12 as 8 })).to.throw(RangeError, /bitsPerSample must be 8 or 16, got 12/);
    expect(decodeWav(new Song(SCALE, { bitsPerSample: 16 }).wav()).bitsPerSample).to.equal(16);
  });

  it("round-trips samples through encodeWav/decodeWav and rejects non-WAV data", () => {
    const samples = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i / 5) * 0.5);
    const back = decodeWav(encodeWav(samples, 8000));
    expect(back.samples.length).to.equal(100);
    back.samples.forEach((v, i) => expect(v).to.be.closeTo(samples[i], 1e-4));
    expect(() => decodeWav(Buffer.from("not a wav file at all"))).to.throw(/RIFF\/WAVE/);
  });

  it("refuses an unknown engine with the choices", () => {
    expect(() => new Song(SCALE, { engine: "fluidsynth" as "builtin" })).to.throw(/builtin.*timidity/);
  });

  it("renders through abc2midi + timidity when they are installed", async function () {
    if (!timidityAvailable()) this.skip();
    this.timeout(60000);
    const song = new Song(SCALE, { engine: "timidity", sampleRate: 16000 });
    const audio = decodeWav(await song.renderAudio());
    expect(audio.sampleRate).to.equal(16000);
    expect(audio.bitsPerSample).to.equal(8); // timidity's 16-bit output, kept as 8-bit like the built-in synthesizer's
    expect(rms(audio.samples)).to.be.greaterThan(0.001);
    // timidity lets the last note ring out for about 2 s after the 4 s tune.
    expect(wavSeconds(audio)).to.be.within(4, 7);
    const bundle = await song[DISPLAY]();
    expect(String(bundle["text/html"])).to.contain('src="data:audio/wav;base64,');
  });
});

describe("music/song: a tune that displays itself", () => {
  it("shows sheet music, an audio player and a text summary", async () => {
    const bundle = await new Song(SCALE)[DISPLAY]();
    const html = String(bundle["text/html"]);
    expect(html).to.contain("<svg");
    expect(html).to.match(/<audio controls[^>]* src="data:audio\/wav;base64,UklGR/);
    expect(String(bundle["text/plain"])).to.match(/Song "Scale": 8 notes, 4\.0 s/);
  });

  it("displays a broken tune with its warnings instead of throwing", async () => {
    const bundle = await new Song("X:1\nT:Empty\nK:C\n")[DISPLAY]();
    expect(String(bundle["text/html"])).to.contain("No audio");
    expect(String(bundle["text/html"])).to.contain("The tune has no notes.");
    expect(String(bundle["text/plain"])).to.contain("not playable");
  });
});

describe("music/song: limits on long tunes", () => {
  const LONG = `X:1\nT:Long\nL:1/4\nQ:1/4=120\nK:C\n${"CDEF|GABc|\n".repeat(10)}`; // 80 quarter notes: 40 s

  it("renders at most maxSeconds of audio and draws at most maxSheetLines lines of music, saying what it left out", async () => {
    const song = new Song(LONG, { maxSeconds: 2, maxSheetLines: 3 });
    await song.prepare();
    expect(wavSeconds(decodeWav(song.wav()))).to.be.closeTo(2.3, 0.01); // 2 s and the release tail
    expect(song.cuts()).to.deep.equal({ audio: { renderedSeconds: 2, totalSeconds: 40 }, sheet: { drawnLines: 3, totalLines: 10 } });
    expect(song.svg().match(/abcjs-staff-wrapper/g) ?? []).to.have.length.at.most(3);
    // and the output says so under the player
    expect(String((await song[DISPLAY]())["text/html"])).to.contain("Audio: the first 0:02 of 0:40");
    expect(String((await new Song(SCALE)[DISPLAY]())["text/html"])).not.to.contain("Audio: the first");
    expect(new Song(SCALE).cuts()).to.deep.equal({});
    expect(() => new Song(SCALE, { maxSeconds: 0 })).to.throw(RangeError, /maxSeconds must be a number greater than 0, got 0/);
  });

  it("prepare stops with InterruptedError once its signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    let failure: unknown;
    await new Song(LONG).prepare(controller.signal).catch((err) => (failure = err));
    expect(failure).to.be.instanceOf(InterruptedError);
  });
});
