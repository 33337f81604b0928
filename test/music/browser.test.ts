/**
 * The players a notebook keeps really play: headless Chromium (no network) reads the 8-bit
 * WAV of a Song's output in an <audio> element and decodes it with Web Audio.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { Song } from "../../lib/music";
import { DISPLAY } from "../../lib/runtime";
import { tempDir } from "../runner/helpers";
import { CHROMIUM, renderedDom } from "../notebooks/runs";

const TUNE = "X:1\nT:Scale\nM:4/4\nL:1/4\nQ:1/4=120\nK:C\nCDEF|GABc|]";

/** Writes what the browser made of the first <audio> into the body's data- attributes. */
const PROBE = `<script>
const audio = document.querySelector("audio");
audio.addEventListener("loadedmetadata", () => { document.body.dataset.elementSeconds = audio.duration.toFixed(2); });
audio.addEventListener("error", () => { document.body.dataset.elementError = String(audio.error && audio.error.message); });
audio.preload = "auto";
audio.load();
fetch(audio.src)
  .then((r) => r.arrayBuffer())
  .then((bytes) => new OfflineAudioContext(1, 1, 11025).decodeAudioData(bytes))
  .then((buffer) => {
    const samples = buffer.getChannelData(0);
    let sum = 0;
    for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
    document.body.dataset.decodedSeconds = buffer.duration.toFixed(2);
    document.body.dataset.decodedRms = Math.sqrt(sum / samples.length).toFixed(3);
  })
  .catch((err) => { document.body.dataset.decodeError = String(err); });
</script>`;

describe("music/browser: Chromium plays a song's audio", function () {
  this.timeout(180000);

  it("the <audio> element loads the 8-bit WAV and Web Audio decodes it to the tune's length, not silence", async function () {
    if (!CHROMIUM) this.skip();
    const song = new Song(TUNE);
    const html = String((await song[DISPLAY]())["text/html"]);
    expect(html).to.match(/<audio controls[^>]* src="data:audio\/wav;base64,/);
    const dir = tempDir("seqlab-audio-");
    try {
      const page = path.join(dir, "song.html");
      fs.writeFileSync(page, `<!doctype html><html><head><meta charset="utf-8"></head><body>${html}${PROBE}</body></html>`);
      const dom = await renderedDom(page);
      const attr = (name: string) => new RegExp(`data-${name}="([^"]*)"`).exec(dom)?.[1];
      expect(attr("decode-error"), "decodeAudioData's error").to.equal(undefined);
      expect(attr("element-error"), "the <audio> element's error").to.equal(undefined);
      const expected = song.seconds + 0.3; // the tune and the release tail
      expect(Number(attr("decoded-seconds")), "seconds decoded by Web Audio").to.be.closeTo(expected, 0.02);
      expect(Number(attr("element-seconds")), "seconds the <audio> element reports").to.be.closeTo(expected, 0.02);
      expect(Number(attr("decoded-rms")), "loudness of the decoded audio").to.be.greaterThan(0.05);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
