import { expect } from "chai";
import { main } from "../../bench/lstm";

/** Capture what main() writes to stdout. */
async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const write = process.stdout.write; // restored as the same function, which test/environment.ts checks
  let out = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await main(argv);
    return { code, out };
  } finally {
    process.stdout.write = write;
  }
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
    const write = process.stderr.write; // restored as the same function, which test/environment.ts checks
    let err = "";
    process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
    try {
      expect(await main(["--units", "zero"])).to.equal(2);
      expect(await main(["--frobnicate"])).to.equal(2);
    } finally {
      process.stderr.write = write;
    }
    expect(err).to.match(/--units needs an integer/).and.to.match(/unknown option "--frobnicate"/).and.to.match(/usage:/);
  });
});
