/**
 * The two builds of the kernels: the relaxed-SIMD one (fused multiply-add) is chosen on this
 * Node, SEQLAB_SIMD_FMA=0 picks the plain one, and both compute the same product up to rounding.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { simdStatus } from "../../lib/simd";
import { gemmProblem, gemmRef, mismatches, runGemm } from "./helpers";

const problem = { M: 8, N: 40, K: 300 };

/** simdStatus and the product of `problem` in a fresh Node process with SEQLAB_SIMD_FMA set. */
function inChild(fma: string): { status: ReturnType<typeof simdStatus>; c: number[] } {
  const script = `
    const { simdStatus } = require(${JSON.stringify(path.resolve(__dirname, "../../lib/simd"))});
    const { gemmProblem, runGemm } = require(${JSON.stringify(path.join(__dirname, "helpers"))});
    const c = Array.from(runGemm(gemmProblem(${JSON.stringify(problem)})));
    process.stdout.write(JSON.stringify({ status: simdStatus(), c }));`;
  const out = execFileSync(process.execPath, ["-e", script], { env: { ...process.env, SEQLAB_SIMD_FMA: fma }, encoding: "utf8" });
  return JSON.parse(out);
}

describe("simd: fused multiply-add build and plain build", function () {
  this.timeout(60000);

  it("uses the fused multiply-add build on this Node, and says so", () => {
    const status = simdStatus();
    expect(status.fusedMultiplyAdd, status.plainNote).to.equal(true);
    expect(status.reason).to.match(/fused multiply-add/);
    expect(status.plainNote).to.equal(undefined);
  });

  it("SEQLAB_SIMD_FMA=0 loads the plain build, without a fallback note", () => {
    const { status } = inChild("0");
    expect(status.available).to.equal(true);
    expect(status.fusedMultiplyAdd).to.equal(false);
    expect(status.reason).not.to.match(/fused/);
    expect(status.plainNote).to.equal(undefined);
  });

  it("both builds compute the product within its rounding bound, and differ where the CPU fuses", () => {
    const fused = Array.from(runGemm(gemmProblem(problem)));
    const plain = inChild("0").c;
    const p = gemmProblem(problem);
    const { want, bound } = gemmRef(p);
    expect(mismatches(fused, want, bound, p.ldc).slice(0, 5), "fused").to.deep.equal([]);
    expect(mismatches(plain, want, bound, p.ldc).slice(0, 5), "plain").to.deep.equal([]);
    // With an FMA unit one rounding per step is skipped, so some of the 320 sums change in the
    // last bits; equality everywhere would mean the fused build is not what ran.
    const cpuHasFma = fs.existsSync("/proc/cpuinfo") && /\bfma\b/.test(fs.readFileSync("/proc/cpuinfo", "utf8"));
    if (cpuHasFma) expect(fused.some((v, i) => v !== plain[i])).to.equal(true);
  });
});
