/**
 * The sequence magics inside the real TypeScript engine (the one the kernel runs): variables
 * they write are typed for later cells, and Engine.interrupt() stops %%train at a step
 * boundary with the history kept.
 */
import { expect } from "chai";
import { disposeEngineAfterSuite, engine, errorOf, resultText, run } from "../engine/harness";

describe("sequence magics in the real engine", function () {
  disposeEngineAfterSuite();
  this.timeout(120000);

  before(async () => {
    const setup = await run(
      [
        'import * as sl from "seqlab";',
        "const tourVocab = sl.Vocabulary.fromText(\"abcdefgh \");",
        "const tourModel = sl.buildLabModel({ vocabSize: tourVocab.size, embeddingDim: 4, units: 6, seed: 1 });",
        "tourModel.build([null, 8]);",
        "const tourIds = tourVocab.encode(\"abc defg hab cdef gha bcd efgh\");",
        "let tourBatches = (ctx: sl.BatchContext) => {",
        "  (globalThis as any).__tourSteps = ctx.batchIndex;",
        "  return sl.getBatch(tourIds, 8, 2, ctx.rng);",
        "};",
      ].join("\n"),
    );
    if (setup.outcome.status !== "ok") throw new Error(JSON.stringify(setup.outcome));
  });

  it("declares the history %%train writes, so later cells type-check against it, also after a second run", async () => {
    const first = await run("%%train $tourModel --data $tourBatches --steps 3 --history tourHistory");
    expect(first.outcome.status, JSON.stringify(first.outcome)).to.equal("ok");
    expect(first.host.out).to.contain("trained steps 1–3");
    expect(resultText(await run("tourHistory.steps.length + tourHistory.lastStep"))).to.equal("6");
    await run("%%train $tourModel --data $tourBatches --steps 2 --history tourHistory");
    expect(resultText(await run("tourHistory.steps.join(',')"))).to.equal("'1,2,3,4,5'");
    // A type error proves the declared type is TrainingHistory, not any.
    const typed = errorOf(await run("const wrong: string = tourHistory.lastStep;"));
    expect(typed.evalue + typed.traceback.join("\n")).to.match(/number.*string|Type 'number' is not assignable/);
  });

  it("stops at a step boundary on Engine.interrupt(), keeping weights and history, and then continues", async () => {
    const g = globalThis as Record<string, unknown>;
    g.__tourSteps = 0;
    const poll = setInterval(() => {
      if ((g.__tourSteps as number) >= 3) {
        clearInterval(poll);
        engine().interrupt();
      }
    }, 5);
    const cell = await run("%%train $tourModel --data $tourBatches --steps 100000 --history interrupted --fresh");
    clearInterval(poll);
    const err = errorOf(cell);
    expect(err.ename).to.equal("KeyboardInterrupt");
    expect(cell.host.err).to.contain("Run %%train again to continue");
    // The engine answers the interrupt at once; the loop stops at its next step boundary.
    await new Promise((r) => setTimeout(r, 500));
    const kept = Number(resultText(await run("interrupted.steps.length")));
    expect(kept).to.be.within(3, 1000);
    expect(resultText(await run("interrupted.stopReason"))).to.equal("'interrupted'");
    expect(resultText(await run("interrupted.loss.every(Number.isFinite)"))).to.equal("true");
    await new Promise((r) => setTimeout(r, 300));
    expect(Number(resultText(await run("interrupted.steps.length"))), "training really stopped").to.equal(kept);
    const again = await run("%%train $tourModel --data $tourBatches --steps 2 --history interrupted");
    expect(again.host.out).to.contain(`trained steps ${kept + 1}–${kept + 2}`);
  });

  it("types --out values of %gradients and %generate", async () => {
    await run("const tourBatch = sl.getBatch(tourIds, 8, 2, 5);");
    const g = await run("%gradients $tourModel $tourBatch --out tourGtt");
    expect(g.outcome.status, JSON.stringify(g.outcome)).to.equal("ok");
    expect(resultText(await run("tourGtt.norms[0].length"))).to.equal("8");
    await run("%generate $tourModel --vocab $tourVocab --start abc --length 12 --out tourText");
    expect(resultText(await run("tourText.generated.length"))).to.equal("12");
  });
});
