import { expect } from "chai";
import { main } from "../../bench/lstm";

/** Run f, collecting what it writes to `stream` instead of printing it. */
async function captured<T>(stream: NodeJS.WriteStream, f: () => Promise<T>): Promise<{ value: T; text: string }> {
  const write = stream.write; // the function itself, so the very same one goes back
  let text = "";
  stream.write = ((chunk: string | Uint8Array) => ((text += chunk.toString()), true)) as typeof stream.write;
  try {
    return { value: await f(), text };
  } finally {
    stream.write = write;
  }
}

/** Capture what main() writes to stdout. */
async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const { value, text } = await captured(process.stdout, () => main(argv));
  return { code: value, out: text };
}

describe("bench lstm (tiny sizes: checks the report, not the speed)", () => {
  const tiny = ["--units", "16", "--embedding", "8", "--vocab", "11", "--seq", "6", "--batch", "2", "--steps", "2", "--chars", "3"];

  it("trains the fused model and reports the JSON fields on the last line", async () => {
    const { code, out } = await capture([...tiny, "--json"]);
    expect(code).to.equal(0);
    const last = JSON.parse(out.trim().split("\n").pop()!);
    expect(last).to.include.keys("backend", "ms_per_step", "peak_rss_mb", "ms_per_char");
    expect(last.ms_per_step).to.be.a("number").and.greaterThan(0);
    expect(last.ms_per_char).to.be.a("number").and.greaterThan(0);
    expect(last.peak_rss_mb).to.be.greaterThan(0);
    // The peak after sl.trainModel covers the whole run; the memories' sizes explain the peak.
    expect(last.train_model_peak_rss_mb).to.be.at.least(last.peak_rss_mb);
    expect(last.memory_mb).to.have.all.keys("tfjs_wasm_heap", "simd_memory", "v8_heap");
    // Whole MB: at these sizes the SIMD memory rounds to 0 unless earlier tests in the same
    // process grew it, so only the heaps that always hold megabytes are checked for a size.
    for (const key of ["tfjs_wasm_heap", "simd_memory", "v8_heap"]) expect(last.memory_mb[key], key).to.be.a("number").and.at.least(0);
    expect(last.memory_mb.v8_heap).to.be.greaterThan(0);
    expect(last.memory_mb.tfjs_wasm_heap).to.be.greaterThan(0);
    expect(last.loss).to.be.closeTo(Math.log(11), 1); // random tokens: near log(vocab)
  });

  it("runs the stock tfjs-layers LSTM for comparison", async () => {
    const { code, out } = await capture([...tiny, "--stock", "--json"]);
    expect(code).to.equal(0);
    const last = JSON.parse(out.trim().split("\n").pop()!);
    expect(last.model).to.match(/tfjs-layers/);
    expect(last.ms_per_step).to.be.a("number");
  });

  it("rejects bad options with usage and exit code 2", async () => {
    const { text: err } = await captured(process.stderr, async () => {
      expect(await main(["--units", "zero"])).to.equal(2);
      expect(await main(["--frobnicate"])).to.equal(2);
    });
    expect(err).to.match(/--units needs an integer/).and.to.match(/unknown option "--frobnicate"/).and.to.match(/usage:/);
  });
});
