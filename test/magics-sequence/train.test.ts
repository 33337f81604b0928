import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import type { TrainingHistory } from "../../lib/train/history";
import { PLOTLY_MIME } from "../../lib/viz";
import { FakeNotebook, usageErrorOf } from "./harness";
import { modelVariables } from "../../lib/train/model-variables";
import { sharedOptimizer } from "../../lib/train/optimizer-cache";
import { idBatches, tinyLabModel, translationSetup } from "./fixtures";

const V = 7;

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

describe("%%train", function () {
  this.timeout(60000);
  let nb: FakeNotebook;
  let model: tf.Sequential;
  let batches: ReturnType<typeof idBatches>;

  beforeEach(() => {
    nb = new FakeNotebook();
    model = tinyLabModel(V);
    batches = idBatches(V, 2);
    Object.assign(nb.namespace, { model, batches });
  });
  afterEach(() => {
    model.dispose();
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
  });

  it("trains, keeps the history in a notebook variable, and draws a live loss plot and progress bar updated in place", async () => {
    const before = weightsOf(model);
    const { host } = await nb.run("%%train $model --data $batches --steps 12 --lr 0.05");
    const history = nb.namespace.history as TrainingHistory;
    expect(history.steps).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(history.loss.every(Number.isFinite)).to.equal(true);
    expect(history.stopReason).to.equal("completed");
    expect(weightsOf(model)).to.not.deep.equal(before);
    expect(host.out).to.match(/trained steps 1–12: loss [\d.]+ → [\d.]+/);

    // The final redraw carries the plotly figure; while training it travels as HTML only.
    const plotId = host.shown.find((s) => s.update && PLOTLY_MIME in s.data)?.displayId;
    const plotFirst = host.firstShown.find((s) => s.displayId !== undefined && s.displayId === plotId);
    const barFirst = host.firstShown.find((s) => String(s.data["text/html"] ?? "").includes("seqlab-progress"));
    expect(plotFirst, "a plotly loss figure").to.not.equal(undefined);
    expect(barFirst, "a progress bar").to.not.equal(undefined);
    const plotUpdates = host.shown.filter((s) => s.update && s.displayId === plotFirst!.displayId);
    const barUpdates = host.shown.filter((s) => s.update && s.displayId === barFirst!.displayId);
    // In place, never one message per step beyond the final redraw.
    expect(plotUpdates.length).to.be.at.least(1).and.at.most(12);
    expect(barUpdates.length).to.be.at.least(1).and.at.most(12);
    expect(plotUpdates.slice(0, -1).every((s) => !(PLOTLY_MIME in s.data) && String(s.data["text/html"]).includes("Training loss"))).to.equal(true);
    const lastPlot = plotUpdates[plotUpdates.length - 1].data[PLOTLY_MIME] as { data: Array<{ x: number[]; y: number[] }>; layout: { title: { text: string } } };
    expect(lastPlot.layout.title.text).to.equal("Training loss (model)");
    expect(lastPlot.data[0].x[lastPlot.data[0].x.length - 1]).to.equal(12);
    expect(lastPlot.data[0].y[lastPlot.data[0].y.length - 1]).to.be.closeTo(history.lastLoss as number, 1e-6);
    expect(String(barUpdates[barUpdates.length - 1].data["text/plain"])).to.contain("12/12 step");
  });

  it("continues the history on a second run and starts over with --fresh", async () => {
    await nb.run("%%train $model --data $batches --steps 3");
    const first = nb.namespace.history;
    await nb.run("%%train $model --data $batches --steps 2");
    expect(nb.namespace.history).to.equal(first);
    expect((nb.namespace.history as TrainingHistory).steps).to.deep.equal([1, 2, 3, 4, 5]);
    await nb.run("%%train $model --data $batches --steps 2 --fresh --history run2");
    expect((nb.namespace.run2 as TrainingHistory).steps).to.deep.equal([1, 2]);
  });

  it("starts a new optimizer with --fresh, and keeps it when --lr is left out or given the default rate", async () => {
    const optimizerNow = () => sharedOptimizer(modelVariables(model), "adam");
    await nb.run("%%train $model --data $batches --steps 3");
    const first = optimizerNow();
    await nb.run("%%train $model --data $batches --steps 2 --lr 0.001");
    expect(optimizerNow()).to.equal(first);
    expect(first.iterations).to.equal(5);
    await nb.run("%%train $model --data $batches --steps 2 --fresh");
    expect(optimizerNow()).to.not.equal(first);
    expect(optimizerNow().iterations).to.equal(2);
    expect((nb.namespace.history as TrainingHistory).steps).to.deep.equal([1, 2]);
  });

  it("takes settings from the cell body (flags win) and a batch function", async () => {
    nb.namespace.makeBatch = ({ batchIndex }: { batchIndex: number }) => {
      const b = idBatches(V, 1, 2, 5, batchIndex + 1)[0];
      return b;
    };
    await nb.run("%%train $model --data $makeBatch --steps 3\n{ lr: 0.01, clip: 0.5, optimizer: 'sgd', steps: 99 }");
    const history = nb.namespace.history as TrainingHistory;
    expect(history.steps).to.have.length(3);
    // clipping at 0.5 does not change the recorded (pre-clip) norm, but SGD with lr 0.01 must move the loss only a little
    expect(Math.abs((history.loss[2] - history.loss[0]) / history.loss[0])).to.be.below(0.5);
    expect((await usageErrorOf(nb, "%%train $model --data $batches --steps 1\n{ learningrate: 1 }")).message).to.contain('unknown setting "learningrate"');
    expect((await usageErrorOf(nb, "%%train $model --data $batches --steps 1\n42")).message).to.contain("must evaluate to an object");
  });

  it("draws from an iterator and says when it runs out, keeping the steps it made", async () => {
    const pair = batches;
    nb.namespace.iter = (function* () {
      yield pair[0];
      yield pair[1];
    })();
    let error: Error | undefined;
    try {
      await nb.run("%%train $model --data $iter --steps 4");
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.contain("ran out after 2 batches");
    const history = nb.namespace.history as TrainingHistory;
    expect(history.steps).to.deep.equal([1, 2]);
    expect(history.stopReason).to.equal("error");
  });

  it("stops at a step boundary on interrupt with weights and history kept, and continues afterwards", async () => {
    const controller = new AbortController();
    const reason = new Error("KeyboardInterrupt (test)");
    nb.namespace.interrupting = ({ batchIndex }: { batchIndex: number }) => {
      if (batchIndex === 2) controller.abort(reason);
      return idBatches(V, 1, 2, 5, batchIndex + 7)[0];
    };
    let thrown: unknown;
    let host;
    try {
      await nb.run("%%train $model --data $interrupting --steps 50", controller.signal);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.equal(reason);
    expect(nb.lastHost!.err).to.contain("training stops after the current step (step 3)").and.contain("Run %%train again to continue");
    const history = nb.namespace.history as TrainingHistory;
    expect(history.steps).to.deep.equal([1, 2, 3]);
    expect(history.stopReason).to.equal("interrupted");
    expect(weightsOf(model).every(Number.isFinite)).to.equal(true);
    ({ host } = await nb.run("%%train $model --data $batches --steps 2"));
    expect(history.steps).to.deep.equal([1, 2, 3, 4, 5]);
    expect(host.out).to.contain("trained steps 4–5");
  });

  it("says the step the history will end at when interrupted between steps", async () => {
    const controller = new AbortController();
    const reason = new Error("KeyboardInterrupt (test)");
    // Interrupted after step 2 was recorded: no step is in progress, so step 3 never starts.
    nb.namespace.interruptAfter2 = (info: { step: number }) => void (info.step === 2 && controller.abort(reason));
    const thrown = await nb.run("%%train $model --data $batches --steps 50\n{ callbacks: { onStepEnd: interruptAfter2 } }", controller.signal).catch((e) => e);
    expect(thrown).to.equal(reason);
    // Let the loop reach its step boundary (the cell ends at the interrupt itself).
    while ((nb.namespace.history as TrainingHistory).stopReason === undefined) await new Promise((r) => setTimeout(r, 5));
    expect((nb.namespace.history as TrainingHistory).steps).to.deep.equal([1, 2]);
    expect(nb.lastHost!.err).to.contain("Interrupted: training stops after step 2;");
  });

  it("keeps one optimizer per model: repeated runs, failing ones included, do not grow the tensor count", async () => {
    await nb.run("%%train $model --data $batches --steps 2");
    const after = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await nb.run("%%train $model --data $batches --steps 2");
    expect(tf.memory().numTensors).to.equal(after);
    nb.namespace.mismatched = [{ x: batches[0].x, y: batches[0].y.slice([0, 0], [2, 5]) }];
    for (let i = 0; i < 2; i++) expect(await nb.run("%%train $model --data $mismatched --steps 1").catch((e: Error) => e.message)).to.match(/labels of shape/);
    tf.dispose((nb.namespace.mismatched as Array<{ y: tf.Tensor }>)[0].y);
    expect(tf.memory().numTensors).to.equal(after);
  });

  it("records gradients through time every K steps and draws them as a heatmap", async () => {
    const { host } = await nb.run("%%train $model --data $batches --steps 4 --every 2");
    const history = nb.namespace.history as TrainingHistory;
    expect(history.gradientsThroughTime.map((r) => r.step)).to.deep.equal([2, 4]);
    expect(history.gradientsThroughTime[0].data.norms[0]).to.have.length(6);
    const heatmap = host.firstShown.find((s) => (s.data[PLOTLY_MIME] as { data?: Array<{ type: string }> } | undefined)?.data?.[0]?.type === "heatmap");
    expect(heatmap, "a training step × time step heatmap").to.not.equal(undefined);
    // The training loss sits on every step, so each h_t gets its own prediction's gradient: stable.
    expect(host.out).to.match(/gradients through time at step 4: lstm: stable — the first step gets \S+x the last step's gradient/);
  });

  it("trains an sl.Seq2Seq on its teacher-forced loss", async () => {
    const { model: s2s, batch } = translationSetup();
    nb.namespace.s2s = s2s;
    nb.namespace.pairs = [batch];
    await nb.run("%%train $s2s --data $pairs --steps 3 --lr 0.01 --history s2sHistory");
    const history = nb.namespace.s2sHistory as TrainingHistory;
    expect(history.steps).to.deep.equal([1, 2, 3]);
    expect(history.loss[2]).to.be.below(history.loss[0]);
    s2s.dispose();
    tf.dispose(Object.values(batch));
  });

  it("rejects bad input without touching the notebook's variables", async () => {
    nb.namespace.t = tf.zeros([2]);
    nb.namespace.n = 3;
    nb.namespace.history = 42;
    const msg = async (cell: string) => (await usageErrorOf(nb, cell)).message;
    expect(await msg("%%train $t --data $batches --steps 2")).to.contain("`$t` is a Tensor, expected a model");
    expect(await msg("%%train $model --steps 2")).to.contain("missing --data $batches");
    expect(await msg("%%train $model --data batches --steps 2")).to.contain("--data takes a notebook variable");
    expect(await msg("%%train $model --data $n --steps 2")).to.contain("`$n` is a number, expected batches");
    expect(await msg("%%train $model --data $batches")).to.contain("missing --steps");
    expect(await msg("%%train $model --data $batches --steps 0 --history h")).to.contain("--steps must be a positive integer");
    expect(await msg("%%train $model --data $batches --steps 2 --lr=-1 --history h")).to.contain("--lr must be a number greater than 0");
    expect(await msg("%%train $model --data $batches --steps -5 --history h")).to.contain("--steps must be a positive integer, got -5");
    expect(await msg("%%train $model --data $batches --steps 2 --lr -1 --history h")).to.contain("--lr must be a number greater than 0, got -1");
    expect(await msg("%%train $model --data $batches -n -0.5 --history h")).to.contain("--steps must be a positive integer, got -0.5");
    expect(await msg("%%train $model --data $batches --steps two")).to.contain("--steps expects a number");
    expect(await msg("%%train $model --data $batches --steps 2")).to.contain("`history` holds a number");
    expect(nb.namespace.history).to.equal(42);
    expect(nb.namespace.h).to.equal(undefined);
    (nb.namespace.t as tf.Tensor).dispose();
  });
});
