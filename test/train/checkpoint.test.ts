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

describe("train: a damaged checkpoint changes nothing", () => {
  let saved: Checkpoint;
  before(async () => {
    const source = tinyTokenModel({ seed: 3 });
    await trainModel(source, { batches: tokenBatches(), steps: 2, optimizer: tf.train.adam(0.05), checkpoint: { every: 2, save: (c) => void (saved = c) } });
    source.dispose();
  });

  /** Resumes a fresh model from a damaged copy of the checkpoint, written to a file. */
  async function resumeFrom(damage: (c: Checkpoint) => void): Promise<{ error: Error; file: string; unchanged: boolean }> {
    const copy = await loadCheckpoint(await writeTemp(saved));
    damage(copy);
    const file = await writeTemp(copy);
    const model = tinyTokenModel({ seed: 99 });
    const before = weightsOf(model);
    const error = (await trainModel(model, { batches: tokenBatches(), steps: 4, optimizer: tf.train.adam(0.05), resumeFrom: file }).catch((e: Error) => e)) as Error;
    const unchanged = weightsOf(model).every((w, i) => Array.from(w).join() === Array.from(before[i]).join());
    model.dispose();
    return { error, file, unchanged };
  }

  it("a weight with the wrong number of values: names the file and the weight", async () => {
    const { error, file, unchanged } = await resumeFrom((c) => (c.weights[3].values = Float32Array.of(1)));
    expect(error.message).to.contain(`Checkpoint ${file}: weight 3 (${saved.weights[3].name}) has 1 values but its shape [${saved.weights[3].shape}] needs`);
    expect(unchanged, "no weight was replaced").to.equal(true);
  });

  it("too few optimizer slots", async () => {
    const { error, file, unchanged } = await resumeFrom((c) => c.optimizer.slots.pop());
    expect(error.message).to.contain(`Checkpoint ${file} has ${saved.optimizer.slots.length - 1} optimizer slots, but Adam on ${saved.weights.length} variables keeps ${saved.optimizer.slots.length}`);
    expect(unchanged).to.equal(true);
  });

  it("NaN in a weight or a slot", async () => {
    const nanWeight = await resumeFrom((c) => (c.weights[1].values[0] = NaN));
    expect(nanWeight.error.message).to.contain(`weight 1 (${saved.weights[1].name}) holds 1 non-finite value(s)`);
    expect(nanWeight.unchanged).to.equal(true);
    const nanSlot = await resumeFrom((c) => (c.optimizer.slots[2].values[0] = Infinity));
    expect(nanSlot.error.message).to.contain(`optimizer slot 2 (${saved.optimizer.slots[2].name}) holds 1 non-finite value(s)`);
  });

  it("a weight whose bytes are cut short in the file", async () => {
    const file = await writeTemp(saved);
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    json.weights[2].values = Buffer.from(json.weights[2].values, "base64").subarray(0, 6).toString("base64");
    fs.writeFileSync(file, JSON.stringify(json));
    const error = (await loadCheckpoint(file).catch((e: Error) => e)) as Error;
    expect(error.message).to.contain(`Checkpoint ${file}: weight 2 (${saved.weights[2].name}) has 6 bytes of values, not a whole number of 4-byte float32 values`);
  });
});

async function writeTemp(ckpt: Checkpoint): Promise<string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-ckpt-")), "ckpt.json");
  await saveCheckpoint(file, ckpt);
  return file;
}
