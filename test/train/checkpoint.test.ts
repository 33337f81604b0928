import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { makeRng } from "../../lib/random";
import { trainModel, saveCheckpoint, loadCheckpoint, TrainingHistory, StatefulRng, type Checkpoint } from "../../lib/train";
import { tinyTokenModel, tokenBatches, weightsOf } from "./helpers";

describe("train: checkpoints", () => {
  it("resuming from a checkpoint (via a file) continues bit for bit like the uninterrupted run", async () => {
    const full = tinyTokenModel({ seed: 3 });
    const saved: Checkpoint[] = [];
    const a = await trainModel(full, {
      batches: tokenBatches(5, 2, 6),
      steps: 10,
      optimizer: tf.train.adam(0.05),
      seed: 42,
      checkpoint: { every: 5, save: (c) => void saved.push(c) },
    });
    expect(saved.map((c) => c.step)).to.deep.equal([5, 10]);
    // A path as the target writes the file itself.
    const viaPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-ckpt-")), "run.json");
    const tmpModel = tinyTokenModel({ seed: 3 });
    await trainModel(tmpModel, { batches: tokenBatches(5, 2, 6), steps: 4, optimizer: "adam", checkpoint: { every: 2, save: viaPath } });
    expect((await loadCheckpoint(viaPath)).step).to.equal(4);
    tmpModel.dispose();

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-ckpt-")), "step5.json");
    await saveCheckpoint(file, saved[0]);
    const ckpt = await loadCheckpoint(file);
    expect(ckpt.step).to.equal(5);

    // A different initialisation: the checkpoint must overwrite it completely.
    const resumed = tinyTokenModel({ seed: 99 });
    const history = new TrainingHistory();
    const b = await trainModel(resumed, { batches: tokenBatches(5, 2, 6), steps: 10, optimizer: tf.train.adam(0.05), seed: 0, resumeFrom: file, history });
    expect(b.step).to.equal(10);
    expect(history.steps).to.deep.equal(a.history.steps);
    expect(history.loss).to.deep.equal(a.history.loss);
    const wa = weightsOf(full);
    const wb = weightsOf(resumed);
    wa.forEach((w, i) => expect(Array.from(wb[i])).to.deep.equal(Array.from(w)));
    a.optimizer.dispose();
    b.optimizer.dispose();
    full.dispose();
    resumed.dispose();
  });

  it("refuses a checkpoint from another architecture or optimizer, changing nothing", async () => {
    const model = tinyTokenModel({ units: 4 });
    const saved: Checkpoint[] = [];
    await trainModel(model, { batches: tokenBatches(), steps: 2, optimizer: "adam", checkpoint: { every: 2, save: (c) => void saved.push(c) } });
    const other = tinyTokenModel({ units: 5 });
    const before = weightsOf(other);
    let error: Error | undefined;
    await trainModel(other, { batches: tokenBatches(), steps: 4, optimizer: "adam", resumeFrom: saved[0] }).catch((e) => (error = e));
    expect(error?.message).to.match(/shape .* resume with the same model architecture/);
    weightsOf(other).forEach((w, i) => expect(Array.from(w)).to.deep.equal(Array.from(before[i])));
    error = undefined;
    await trainModel(model, { batches: tokenBatches(), steps: 4, optimizer: "sgd", resumeFrom: saved[0] }).catch((e) => (error = e));
    expect((error as Error | undefined)?.message).to.match(/Checkpoint optimizer is Adam but the training optimizer is SGD/);
    await loadCheckpoint("/nonexistent/ckpt.json").catch((e) => (error = e));
    expect((error as Error | undefined)?.message).to.match(/Cannot read checkpoint/);
    model.dispose();
    other.dispose();
  });

  it("the batch RNG's state round-trips", () => {
    const r = new StatefulRng(5);
    r.next();
    const copy = new StatefulRng(r.state);
    expect([r.next(), r.int(10), r.normal()]).to.deep.equal([copy.next(), copy.int(10), copy.normal()]);
    // Through JSON, as a checkpoint file stores it: the stream continues bit for bit.
    const viaJson = new StatefulRng(JSON.parse(JSON.stringify(r.state)));
    const again = new StatefulRng(r.state);
    expect(Array.from({ length: 5 }, () => viaJson.next())).to.deep.equal(Array.from({ length: 5 }, () => again.next()));
    expect(() => new StatefulRng({ c: 0, s0: 0, s1: 0, s2: 0 })).to.throw(/all zeros/);
    expect(() => new StatefulRng([1, 2, 3, 4] as never)).to.throw(/earlier generator/);
  });

  it("one generator: StatefulRng(seed) draws what makeRng(seed) draws", () => {
    const a = new StatefulRng(7);
    const b = makeRng(7);
    expect([a.next(), a.int(100), a.normal()]).to.deep.equal([b.next(), b.int(100), b.normal()]);
  });
});
