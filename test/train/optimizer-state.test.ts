import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { trainModel, TrainingHistory } from "../../lib/train";
import { tinyTokenModel, tokenBatches, weightsOf } from "./helpers";

describe("train: one optimizer per model across calls", () => {
  it("10 steps and then 10 more continue Adam exactly as one 20-step run", async () => {
    const whole = tinyTokenModel({ seed: 5 });
    await trainModel(whole, { batches: tokenBatches(), steps: 20, optimizer: "adam", learningRate: 0.05 });
    const split = tinyTokenModel({ seed: 5 });
    const history = new TrainingHistory();
    const first = await trainModel(split, { batches: tokenBatches(), steps: 10, optimizer: "adam", learningRate: 0.05, history });
    const second = await trainModel(split, { batches: tokenBatches(), steps: 20, optimizer: "adam", learningRate: 0.05, history });
    expect(second.optimizer).to.equal(first.optimizer);
    expect(second.optimizer.iterations).to.equal(20);
    const want = weightsOf(whole);
    weightsOf(split).forEach((w, i) => w.forEach((x, j) => expect(x).to.be.closeTo(want[i][j], 1e-6)));
    whole.dispose();
    split.dispose();
  });

  it("repeated calls leave the tensor count flat; new settings replace the optimizer and dispose the old", async () => {
    const model = tinyTokenModel();
    const history = new TrainingHistory();
    const run = (steps: number, learningRate?: number) => trainModel(model, { batches: tokenBatches(), steps: history.lastStep + steps, optimizer: "adam", learningRate, history });
    const first = await run(2);
    const afterFirst = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await run(2);
    expect(tf.memory().numTensors).to.equal(afterFirst);
    const other = await run(2, 0.01);
    expect(other.optimizer).to.not.equal(first.optimizer);
    expect(other.optimizer.iterations).to.equal(2);
    expect(tf.memory().numTensors, "the old Adam's slots are freed").to.equal(afterFirst);
    // A caller that disposes the returned optimizer gets a working new one next time.
    other.optimizer.dispose();
    const again = await run(2, 0.01);
    expect(again.optimizer).to.not.equal(other.optimizer);
    expect(history.lastStep).to.equal(12);
    model.dispose();
    // A disposed model's optimizer is freed by the next call on any model.
    const before = tf.memory().numTensors;
    const next = tinyTokenModel();
    await trainModel(next, { batches: tokenBatches(), steps: 1, optimizer: "sgd" });
    next.dispose();
    expect(tf.memory().numTensors).to.be.below(before);
  });

  it("takes leaving out the learning rate and giving the default rate as the same settings", async () => {
    const model = tinyTokenModel();
    const history = new TrainingHistory();
    const first = await trainModel(model, { batches: tokenBatches(), steps: 2, optimizer: "adam", history });
    const second = await trainModel(model, { batches: tokenBatches(), steps: 4, optimizer: "adam", learningRate: 0.001, history });
    const third = await trainModel(model, { batches: tokenBatches(), steps: 6, optimizer: "adam", history });
    expect(second.optimizer).to.equal(first.optimizer);
    expect(third.optimizer).to.equal(first.optimizer);
    expect(third.optimizer.iterations).to.equal(6);
    model.dispose();
  });

  it("freshOptimizer starts a new optimizer for the same settings (freeing the old) from the weights as they are", async () => {
    const model = tinyTokenModel({ seed: 3 });
    const first = await trainModel(model, { batches: tokenBatches(), steps: 3, optimizer: "adam", learningRate: 0.05 });
    const copy = tinyTokenModel({ seed: 3 });
    copy.setWeights(model.getWeights());
    const count = tf.memory().numTensors;
    const fresh = await trainModel(model, { batches: tokenBatches(), steps: 2, optimizer: "adam", learningRate: 0.05, freshOptimizer: true });
    expect(fresh.optimizer).to.not.equal(first.optimizer);
    expect(fresh.optimizer.iterations).to.equal(2);
    expect(tf.memory().numTensors, "the old Adam's slots are freed").to.equal(count);
    // The same two steps with a new Adam on a copy of the trained weights.
    const adam = tf.train.adam(0.05);
    await trainModel(copy, { batches: tokenBatches(), steps: 2, optimizer: adam });
    const want = weightsOf(copy);
    weightsOf(model).forEach((w, i) => w.forEach((x, j) => expect(x).to.be.closeTo(want[i][j], 1e-6)));
    adam.dispose();
    copy.dispose();
    model.dispose();
  });

  it("a step that throws in the loss leaks no tensors (the gradient tape's saved tensors are freed)", async () => {
    const model = tinyTokenModel();
    const optimizer = tf.train.adam(0.01);
    await trainModel(model, { batches: tokenBatches(), steps: 1, optimizer });
    const before = tf.memory().numTensors;
    // Labels one step short: the loss throws after the forward pass recorded its tape.
    const mismatched = () => ({ x: tf.zeros([2, 6], "int32"), y: tf.zeros([2, 5], "int32") });
    for (let i = 0; i < 3; i++) {
      const error = await trainModel(model, { batches: mismatched, steps: 5, optimizer }).catch((e: Error) => e);
      expect((error as Error).message).to.match(/labels of shape \[2,5\] do not match logits/);
    }
    expect(tf.memory().numTensors).to.equal(before);
    optimizer.dispose();
    model.dispose();
  });
});
