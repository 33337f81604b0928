import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import {
  train,
  trainModel,
  TrainingHistory,
  NonFiniteLossError,
  globalNorm,
  clipByGlobalNorm,
  clipByValue,
  resolveOptimizer,
  type StepInfo,
} from "../../lib/train";
import { InterruptedError, setCurrentAbortSignal } from "../../lib/runtime";
import { linearProblem, tinyTokenModel, tokenBatches } from "./helpers";

describe("train: the loop", () => {
  afterEach(() => setCurrentAbortSignal(undefined));

  it("lowers the loss, records every step and reports progress", async () => {
    const p = linearProblem();
    const infos: StepInfo[] = [];
    const { history, step } = await train({
      variables: p.variables,
      loss: p.loss,
      batches: p.batches,
      steps: 60,
      optimizer: "adam",
      learningRate: 0.1,
      callbacks: { onStepEnd: (i) => void infos.push(i) },
    });
    expect(step).to.equal(60);
    expect(history.steps).to.deep.equal(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(history.loss[59]).to.be.lessThan(history.loss[0] / 10);
    expect(history.stopReason).to.equal("completed");
    expect(infos).to.have.length(60);
    expect(infos[10].step).to.equal(11);
    expect(infos[10].gradNorm).to.be.greaterThan(0);
    expect(infos[10].stepsPerSecond).to.be.greaterThan(0);
    expect(infos[59].etaSeconds).to.equal(0);
    p.dispose();
  });

  it("leaks no tensors: the count after 101 steps equals the count after 1, also when a step throws", async () => {
    const p = linearProblem();
    const optimizer = tf.train.adam(0.05);
    const history = new TrainingHistory();
    await train({ variables: p.variables, loss: p.loss, batches: p.batches, steps: 1, optimizer, history });
    const afterOne = tf.memory().numTensors;
    await train({ variables: p.variables, loss: p.loss, batches: p.batches, steps: 101, optimizer, history });
    expect(tf.memory().numTensors).to.equal(afterOne);
    expect(history.lastStep).to.equal(101);

    let calls = 0;
    const failing = (batch: { x: tf.Tensor2D; y: tf.Tensor2D }) => {
      if (++calls === 3) {
        tf.ones([5, 5]); // a tensor made before the throw must not leak either
        throw new Error("boom in the loss");
      }
      return p.loss(batch);
    };
    let caught: Error | undefined;
    await train({ variables: p.variables, loss: failing, batches: p.batches, steps: 110, optimizer, history }).catch((e) => (caught = e));
    expect(caught?.message).to.equal("boom in the loss");
    expect(history.lastStep).to.equal(103);
    expect(history.stopReason).to.equal("error");
    expect(tf.memory().numTensors).to.equal(afterOne);
    optimizer.dispose();
    p.dispose();
  });

  it("leaks no tensors with a tf.layers model, clipping and truncated BPTT", async () => {
    const model = tinyTokenModel({ cell: "lstm" });
    const optimizer = tf.train.adam(0.01);
    const history = new TrainingHistory();
    const opts = { batches: tokenBatches(5, 2, 6), optimizer, history, clip: { globalNorm: 0.5, value: 0.1 }, tbptt: 3 };
    await trainModel(model, { ...opts, steps: 2 });
    const after = tf.memory().numTensors;
    await trainModel(model, { ...opts, steps: 40 });
    expect(tf.memory().numTensors).to.equal(after);
    optimizer.dispose();
    model.dispose();
  });

  it("gives the event loop a turn between steps", async () => {
    const p = linearProblem();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const seen: number[] = [];
    await train({
      variables: p.variables,
      loss: p.loss,
      batches: p.batches,
      steps: 20,
      optimizer: "sgd",
      callbacks: { onStepEnd: () => void seen.push(ticks) },
    });
    clearInterval(timer);
    // Timers ran while training (a synchronous loop would leave ticks at 0 throughout).
    expect(seen[19]).to.be.greaterThan(0);
    p.dispose();
  });

  it("stops on the host's abort signal at a step boundary with weights and history consistent", async () => {
    const p = linearProblem();
    const controller = new AbortController();
    setCurrentAbortSignal(controller.signal);
    const weightsAt = new Map<number, number[]>();
    const history = new TrainingHistory();
    let error: unknown;
    await train({
      variables: p.variables,
      loss: p.loss,
      batches: p.batches,
      steps: 1000,
      optimizer: "adam",
      history,
      callbacks: {
        onStepEnd: (info) => {
          weightsAt.set(info.step, p.values());
          // Abort from outside the loop, as a kernel's interrupt handler would.
          if (info.step === 7) setImmediate(() => controller.abort());
        },
      },
    }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(InterruptedError);
    expect(history.stopReason).to.equal("interrupted");
    const last = history.lastStep;
    expect(last).to.be.within(7, 9);
    expect(history.loss).to.have.length(last);
    expect(p.values()).to.deep.equal(weightsAt.get(last));
    p.dispose();
  });

  it("after an interrupt, calling train again with the same history and optimizer continues exactly", async () => {
    const a = linearProblem(4);
    const optA = tf.train.adam(0.05);
    await train({ variables: a.variables, loss: a.loss, batches: a.batches, steps: 12, optimizer: optA, seed: 8 });

    const b = linearProblem(4);
    const optB = tf.train.adam(0.05);
    const history = new TrainingHistory();
    const controller = new AbortController();
    const first = await train({
      variables: b.variables,
      loss: b.loss,
      batches: b.batches,
      steps: 12,
      optimizer: optB,
      seed: 8,
      history,
      signal: controller.signal,
      callbacks: { onStepEnd: (i) => void (i.step === 5 && controller.abort()) },
    }).catch((e) => e);
    expect(first).to.be.instanceOf(InterruptedError);
    expect(history.lastStep).to.equal(5);
    const { step } = await train({ variables: b.variables, loss: b.loss, batches: b.batches, steps: 12, optimizer: optB, history });
    expect(step).to.equal(12);
    expect(b.values()).to.deep.equal(a.values());
    expect(history.steps).to.deep.equal(Array.from({ length: 12 }, (_, i) => i + 1));
    optA.dispose();
    optB.dispose();
    a.dispose();
    b.dispose();
  });

  it("a variable without a gradient on some steps keeps its own Adam slots (same as tfjs minimize)", async () => {
    const make = () => [tf.variable(tf.tensor1d([1, 2]), true), tf.variable(tf.tensor1d([3]), true), tf.variable(tf.tensor1d([-1]), true)];
    // The middle variable only takes part on even steps.
    const lossAt = (vars: tf.Variable[], k: number) => () =>
      tf.tidy(() => {
        let l = tf.add(tf.sum(tf.square(vars[0])), tf.sum(tf.square(tf.sub(vars[2], 2))));
        if (k % 2 === 0) l = tf.add(l, tf.sum(tf.square(vars[1])));
        return l as tf.Scalar;
      });
    const ours = make();
    await train({ variables: ours, loss: (k: number) => lossAt(ours, k)(), batches: (ctx) => ctx.batchIndex, steps: 6, optimizer: tf.train.adam(0.1) });
    const ref = make();
    const opt = tf.train.adam(0.1);
    for (let k = 0; k < 6; k++) opt.minimize(lossAt(ref, k), false, ref);
    ours.forEach((v, i) => Array.from(v.dataSync()).forEach((x, j) => expect(x).to.be.closeTo(ref[i].dataSync()[j], 1e-6)));
    tf.dispose([...ours, ...ref]);
    opt.dispose();
  });

  it("stops on a NaN loss naming the step, keeping the weights of the last good step", async () => {
    const p = linearProblem();
    const weightsAt = new Map<number, number[]>();
    const poisoned = (batch: { x: tf.Tensor2D; y: tf.Tensor2D; poison?: boolean }) =>
      tf.tidy(() => (batch.poison ? tf.mul(p.loss(batch), NaN) : p.loss(batch)) as tf.Scalar);
    const history = new TrainingHistory();
    let error: unknown;
    await train({
      variables: p.variables,
      loss: poisoned,
      batches: (ctx) => ({ ...p.batches(ctx), poison: ctx.batchIndex === 4 }),
      steps: 10,
      optimizer: "sgd",
      history,
      callbacks: { onStepEnd: (i) => void weightsAt.set(i.step, p.values()) },
    }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(NonFiniteLossError);
    const err = error as NonFiniteLossError;
    expect(err.step).to.equal(5);
    expect(err.restoredStep).to.equal(4);
    expect(err.message).to.match(/step 5/).and.match(/NaN/);
    expect(history.lastStep).to.equal(4);
    expect(history.stopReason).to.equal("non-finite");
    expect(p.values()).to.deep.equal(weightsAt.get(4));
    p.dispose();
  });

  it("rolls back an update that turned the weights non-finite", async () => {
    const w = tf.variable(tf.tensor1d([0, 0]), true);
    const weightsAt = new Map<number, number[]>();
    let error: unknown;
    const history = new TrainingHistory();
    // w stays 0 for two steps; step 3 has a finite loss (0) and gradient (1e15), but the update overflows float32.
    await train({
      variables: [w],
      loss: (scale: number) => tf.tidy(() => tf.mul(tf.sum(w), scale) as tf.Scalar),
      batches: (ctx) => [0, 0, 1e15][ctx.batchIndex] ?? 1,
      steps: 10,
      optimizer: tf.train.sgd(1e30),
      history,
      callbacks: { onStepEnd: (i) => void weightsAt.set(i.step, Array.from(w.dataSync())) },
    }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).step).to.equal(4);
    expect((error as NonFiniteLossError).restoredStep).to.equal(2);
    expect(history.lastStep).to.equal(2);
    expect(Array.from(w.dataSync())).to.deep.equal(weightsAt.get(2));
    w.dispose();
  });

  it("a callback returning false stops cleanly; epochs close after each pass over an array", async () => {
    const p = linearProblem();
    const data = [0, 1, 2].map((i) => p.batches({ batchIndex: i, epoch: 0, rng: new (require("../../lib/train").StatefulRng)(i) }));
    const epochs: number[] = [];
    const { history } = await train({
      variables: p.variables,
      loss: p.loss,
      batches: data,
      steps: 100,
      optimizer: "sgd",
      learningRate: 0.01,
      callbacks: { onEpochEnd: (e) => void epochs.push(e.step), onStepEnd: (i) => i.step < 8 },
    });
    expect(history.lastStep).to.equal(8);
    expect(history.stopReason).to.equal("callback");
    expect(epochs).to.deep.equal([3, 6]);
    expect(history.epochs[0].meanLoss).to.be.closeTo((history.loss[0] + history.loss[1] + history.loss[2]) / 3, 1e-6);
    // Array batches belong to the caller: still usable.
    expect(data[0].x.isDisposed).to.equal(false);
    tf.dispose(data);
    p.dispose();
  });

  it("rejects bad options with messages that say what to do", async () => {
    const p = linearProblem();
    const base = { variables: p.variables, loss: p.loss, batches: p.batches, steps: 1 };
    await expectReject(train({ ...base, steps: -1 }), /steps must be a non-negative integer/);
    await expectReject(train({ ...base, batches: [] }), /non-empty array/);
    await expectReject(train({ ...base, optimizer: "adamw" as never }), /Unknown optimizer "adamw"/);
    await expectReject(train({ ...base, clip: { globalNorm: 0 } }), /clip.globalNorm must be > 0/);
    await expectReject(train({ ...base, loss: undefined }), /give `loss/);
    expect(() => resolveOptimizer("sgd", -1)).to.throw(/learningRate must be > 0/);
    p.dispose();
  });
});

describe("train: gradient clipping", () => {
  it("clipByGlobalNorm scales to the limit and keeps the direction; below the limit it changes nothing", () => {
    const g = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])];
    const clipped = clipByGlobalNorm(g, 1);
    expect(globalNorm(clipped).dataSync()[0]).to.be.closeTo(1, 1e-6);
    expect(Array.from(clipped[0].dataSync())).to.deep.members([0.6000000238418579, 0]);
    const same = clipByGlobalNorm(g, 10);
    expect(Array.from(same[1].dataSync())).to.deep.equal([0, 4]);
    const byValue = clipByValue(g, 2);
    expect(Array.from(byValue[1].dataSync())).to.deep.equal([0, 2]);
    tf.dispose([...g, ...clipped, ...same, ...byValue]);
  });

  it("in the loop, every applied update has global norm ≤ max (SGD with lr 1 applies the clipped gradient)", async () => {
    const p = linearProblem();
    let before = p.values();
    const updateNorms: number[] = [];
    const { history } = await train({
      variables: p.variables,
      loss: p.loss,
      batches: p.batches,
      steps: 10,
      optimizer: tf.train.sgd(1),
      clip: { globalNorm: 0.25 },
      callbacks: {
        onStepEnd: () => {
          const now = p.values();
          updateNorms.push(Math.hypot(...now.map((v, i) => v - before[i])));
          before = now;
        },
      },
    });
    expect(history.gradNorm[0]).to.be.greaterThan(0.25); // clipping was needed
    for (const n of updateNorms) expect(n).to.be.at.most(0.25 + 1e-5);
    expect(updateNorms[0]).to.be.closeTo(0.25, 1e-5);
    p.dispose();
  });

  it("clip by value bounds every element of the update", async () => {
    const p = linearProblem();
    let before = p.values();
    let maxChange = 0;
    await train({
      variables: p.variables,
      loss: p.loss,
      batches: p.batches,
      steps: 5,
      optimizer: tf.train.sgd(1),
      clip: { value: 0.01 },
      callbacks: {
        onStepEnd: () => {
          const now = p.values();
          now.forEach((v, i) => (maxChange = Math.max(maxChange, Math.abs(v - before[i]))));
          before = now;
        },
      },
    });
    expect(maxChange).to.be.at.most(0.01 + 1e-6);
    expect(maxChange).to.be.greaterThan(0.009);
    p.dispose();
  });
});

async function expectReject(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  let error: Error | undefined;
  await p.catch((e) => (error = e));
  expect(error, `expected a rejection matching ${pattern}`).to.be.instanceOf(Error);
  expect(error!.message).to.match(pattern);
}
