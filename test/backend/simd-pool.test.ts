import { expect } from "chai";
import { loadSimd, setSimdThreads, simdThreads, DEFAULT_MIN_WORK } from "../../lib/simd";
import { SLOT } from "../../lib/simd/protocol";

describe("simd: the SIMD worker pool", function () {
  this.timeout(60000);
  let threads: number;
  before(() => (threads = simdThreads()));
  after(() => setSimdThreads(threads, DEFAULT_MIN_WORK));

  it("a product whose main-thread share throws still waits for its workers: none is left running", () => {
    setSimdThreads(2, 0);
    const k = loadSimd();
    const [M, N, K] = [256, 2048, 512];
    const arena = k.arena();
    const args = [arena.bytes(k.x.packedASize(M, K)), arena.bytes(k.x.packedBSize(K, N)), arena.floats(M * N), M, N, K, N, 0] as Parameters<typeof k.pool.gemm>[0];
    const helpers = (k.pool as unknown as { helpers: Array<{ control: Int32Array }> }).helpers;
    expect(helpers.length).to.equal(1);
    expect(() =>
      k.pool.gemm(args, 0, () => {
        throw new Error("interrupted share");
      }),
    ).to.throw("interrupted share");
    // Checked the moment the error arrives, before anything could reuse the buffers.
    const stillRunning = helpers.some((h) => Atomics.load(h.control, SLOT.done) !== Atomics.load(h.control, SLOT.seq));
    arena.release();
    expect(stillRunning).to.equal(false);
  });
});
