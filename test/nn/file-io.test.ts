import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildLabModel } from "../../lib/nn";
import "../../lib/nn/layers/file-io";

/** A small lab model saved to a fresh directory; returns the directory and the weights file. */
async function savedModel(): Promise<{ dir: string; bin: string; model: tf.LayersModel }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-model-"));
  const model = buildLabModel({ vocabSize: 7, embeddingDim: 3, units: 4, seed: 6 });
  model.build([null, 3]);
  await model.save(`file://${dir}`);
  return { dir, bin: path.join(dir, "weights.bin"), model };
}

async function warningsDuring(f: () => Promise<unknown>): Promise<string> {
  const original = console.warn;
  let text = "";
  console.warn = (...args: unknown[]) => void (text += args.join(" ") + "\n");
  try {
    await f();
  } finally {
    console.warn = original;
  }
  return text;
}

describe("nn: saving and loading models as files, with damaged or unwritable targets", function () {
  this.timeout(20000);

  it("fails fast with a clear error on an unwritable target instead of hanging", async () => {
    const model = buildLabModel({ vocabSize: 7, embeddingDim: 3, units: 4, seed: 6 });
    model.build([null, 3]);
    const error = (await model.save("file:///proc/x").catch((e: Error) => e)) as Error;
    expect(error.message).to.contain("Cannot save the model to /proc/x: cannot create /proc/x").and.contain("Choose a directory you can write to");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-file-")), "plain");
    fs.writeFileSync(file, "");
    const underFile = (await model.save(`file://${file}/model`).catch((e: Error) => e)) as Error;
    expect(underFile.message).to.contain(`${file} is a file, not a directory`);
    model.dispose();
  });

  it("a truncated weights.bin fails naming the file and the size it should have", async () => {
    const { dir, bin, model } = await savedModel();
    const size = fs.statSync(bin).size;
    fs.truncateSync(bin, size - 6);
    const error = (await tf.loadLayersModel(`file://${dir}/model.json`).catch((e: Error) => e)) as Error;
    expect(error.message).to.contain(`${bin} holds ${size - 6} bytes but ${dir}/model.json lists ${model.getWeights().length} weights taking ${size} bytes`);
    model.dispose();
  });

  it("NaN or random bytes load with a warning that names the weights that are not finite", async () => {
    const { dir, bin, model } = await savedModel();
    const bytes = fs.readFileSync(bin);
    // The first weight is the embedding; put a NaN into it and an Infinity into the last (the dense bias).
    bytes.writeFloatLE(NaN, 0);
    bytes.writeFloatLE(Infinity, bytes.length - 4);
    fs.writeFileSync(bin, bytes);
    let loaded: tf.LayersModel | undefined;
    const warning = await warningsDuring(async () => (loaded = await tf.loadLayersModel(`file://${dir}/model.json`)));
    const names = model.weights.map((w) => w.originalName);
    expect(warning).to.contain(`weights ${names[0]}, ${names[names.length - 1]} hold NaN or ±Infinity`);
    expect(warning).to.not.contain(names[1]);
    // Intact weights load without a word.
    const clean = await savedModel();
    expect(await warningsDuring(() => tf.loadLayersModel(`file://${clean.dir}/model.json`))).to.equal("");
    [model, loaded!, clean.model].forEach((m) => m.dispose());
  });
});
