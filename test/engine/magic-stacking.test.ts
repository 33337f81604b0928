import { expect } from "chai";
import type { TrainingHistory } from "../../lib/train/history";
import { idBatches, tinyLabModel } from "../magics-sequence/fixtures";
import { disposeEngineAfterSuite, engine, errorOf, resultText, run } from "./harness";

describe("engine: cell magics on top of each other", function () {
  this.timeout(60000);
  disposeEngineAfterSuite();
  after(() => {
    delete process.env.SEQLAB_STACK_TEST;
  });
  before(() => {
    Object.assign(engine().variables, { stackModel: tinyLabModel(7), stackBatches: idBatches(7, 2) });
  });

  it("%%time above %%train times the training", async () => {
    const r = await run("%%time\n%%train $stackModel --data $stackBatches --steps 3 --history stackHistory");
    expect(r.outcome.status).to.equal("ok");
    expect(r.host.out).to.match(/trained steps 1–3: loss [\d.]+ → [\d.]+[\s\S]*\nCPU times: .*\nWall time: /);
    expect((engine().variables.stackHistory as TrainingHistory).steps).to.deep.equal([1, 2, 3]);
  });

  it("%%time runs line magics in its body, in order with the TypeScript", async () => {
    const r = await run("%%time\n%env SEQLAB_STACK_TEST=stacked\nprocess.env.SEQLAB_STACK_TEST");
    expect(resultText(r)).to.equal("'stacked'");
    expect(r.host.out).to.include("Wall time:");
  });

  it("a magic that reads its body as TypeScript says in one line that cell magics do not stack", async () => {
    const err = errorOf(await run("%%train $stackModel --data $stackBatches --steps 1\n%%time\n{ lr: 0.1 }"));
    expect(err.ename).to.equal("UsageError");
    expect(err.evalue).to.match(/^Cell magics do not stack: %%train reads its body as TypeScript, but it starts with `%%time`; put a wrapping magic/);
    expect(err.evalue).to.not.include("\n");
  });
});
