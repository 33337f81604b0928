import * as tf from "@tensorflow/tfjs";
import { expect } from "chai";
import { backendInfo, initBackend, memoryInfo, useBackend } from "../../lib/backend";
import { restoreBackendAfterSuite } from "./keep-backend";

/** Embedding -> LSTM -> Dense with sparse softmax cross-entropy; returns loss and gradients. */
function labModelGradients(): { loss: number; grads: Record<string, Float32Array> } {
  const V = 11, E = 6, U = 8, T = 5, B = 3;
  return tf.tidy(() => {
    // Deterministic weights: a fixed formula, identical on every backend.
    const fill = (shape: number[], k: number) =>
      tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * k + k) * 0.3), shape);
    const vars = {
      emb: fill([V, E], 1.3),
      kernel: fill([E, 4 * U], 0.7),
      recurrent: fill([U, 4 * U], 0.9),
      bias: fill([4 * U], 1.1),
      dense: fill([U, V], 0.5),
    };
    const ids = tf.tensor2d([[1, 4, 2, 9, 10], [0, 0, 3, 7, 2], [5, 6, 1, 8, 4]], [B, T], "int32");
    const targets = tf.tensor1d([4, 2, 9, 10, 1, 0, 3, 7, 2, 5, 6, 1, 8, 4, 3], "int32");
    const lossOf = (emb: tf.Tensor, kernel: tf.Tensor, recurrent: tf.Tensor, bias: tf.Tensor, dense: tf.Tensor) => {
      const x = tf.gather(emb, ids) as tf.Tensor3D;
      let h = tf.zeros([B, U]) as tf.Tensor2D;
      let c = tf.zeros([B, U]) as tf.Tensor2D;
      const hs: tf.Tensor2D[] = [];
      for (let t = 0; t < T; t++) {
        const xt = x.slice([0, t, 0], [B, 1, E]).reshape([B, E]);
        const z = tf.add(tf.add(tf.matMul(xt, kernel), tf.matMul(h, recurrent)), bias);
        const [i, f, g, o] = tf.split(z, 4, 1);
        c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
        h = tf.mul(tf.sigmoid(o), tf.tanh(c));
        hs.push(h);
      }
      const logits = tf.matMul(tf.stack(hs, 1).reshape([B * T, U]), dense);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(targets, V), logits) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(lossOf)([vars.emb, vars.kernel, vars.recurrent, vars.bias, vars.dense]);
    const names = Object.keys(vars);
    return {
      loss: value.dataSync()[0],
      grads: Object.fromEntries(grads.map((g, i) => [names[i], g.dataSync() as Float32Array])),
    };
  });
}

describe("backend", () => {
  restoreBackendAfterSuite();

  it("picks the best available backend and says why", async () => {
    const info = await initBackend();
    expect(info.available.length).to.be.greaterThan(0);
    expect(info.name).to.equal(info.available[0]);
    expect(tf.getBackend()).to.equal(info.name);
    expect(info.reason).to.be.a("string").and.not.be.empty;
    if (!info.available.includes("tensorflow")) expect(info.reason).to.match(/tfjs-node/);
    expect(backendInfo().name).to.equal(info.name);
  });

  it("rejects an unknown backend with the list of available ones, keeping the current one", async () => {
    const before = tf.getBackend();
    let message = "";
    try {
      await useBackend("webgpu-nope");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/webgpu-nope/).and.to.match(/available here: /);
    expect(message).to.contain(before);
    expect(tf.getBackend()).to.equal(before);
  });

  it("honours SEQLAB_BACKEND", async () => {
    const saved = process.env.SEQLAB_BACKEND;
    try {
      process.env.SEQLAB_BACKEND = "cpu";
      const info = await initBackend();
      expect(info.name).to.equal("cpu");
      expect(info.reason).to.match(/SEQLAB_BACKEND/);
    } finally {
      if (saved === undefined) delete process.env.SEQLAB_BACKEND;
      else process.env.SEQLAB_BACKEND = saved;
      await initBackend();
    }
  });

  it("counts live tensors", () => {
    const before = memoryInfo();
    const t = tf.ones([10, 10]);
    expect(memoryInfo().numTensors).to.equal(before.numTensors + 1);
    expect(memoryInfo().numBytes).to.equal(before.numBytes + 400);
    t.dispose();
    expect(memoryInfo().numTensors).to.equal(before.numTensors);
  });

  it("trains Embedding -> LSTM -> Dense to the same loss and gradients on every backend", async () => {
    const available = backendInfo().available;
    expect(available).to.include("cpu");
    const results: Record<string, ReturnType<typeof labModelGradients>> = {};
    for (const name of available) {
      await useBackend(name);
      results[name] = labModelGradients(); // needs UnsortedSegmentSum (gather's gradient) on wasm
    }
    const ref = results.cpu;
    expect(ref.loss).to.be.greaterThan(1);
    for (const [name, r] of Object.entries(results)) {
      expect(r.loss, name).to.be.closeTo(ref.loss, 1e-4);
      for (const key of Object.keys(ref.grads)) {
        const a = r.grads[key], b = ref.grads[key];
        let maxAbs = 0, maxDiff = 0;
        for (let i = 0; i < a.length; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(b[i]));
          maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        expect(maxAbs, `${name} ${key} gradient is non-zero`).to.be.greaterThan(1e-4);
        expect(maxDiff, `${name} ${key}`).to.be.lessThan(1e-5 + 1e-3 * maxAbs);
      }
    }
  });

  it("sums segments like the cpu backend on wasm (gather's gradient), dropping out-of-range ids", async function () {
    if (!backendInfo().available.includes("wasm")) this.skip();
    const run = () =>
      tf.tidy(() =>
        Array.from(
          tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), tf.tensor1d([2, 0, 2, 5], "int32"), 3).dataSync(),
        ),
      );
    await useBackend("wasm");
    const onWasm = run();
    await useBackend("cpu");
    expect(onWasm).to.deep.equal(run());
    expect(onWasm).to.deep.equal([3, 4, 0, 0, 6, 8]);
  });

  it("multiplies with transposed operands on wasm exactly as the cpu backend, leaking nothing", async function () {
    if (!backendInfo().available.includes("wasm")) this.skip();
    const a = [[1, 2, 3], [4, 5, 6]];
    const b = [[1, -1], [0.5, 2], [3, 0]];
    const run = () =>
      tf.tidy(() => {
        const A = tf.tensor2d(a), B = tf.tensor2d(b);
        const At = tf.tensor2d([[1, 4], [2, 5], [3, 6]]), Bt = tf.tensor2d([[1, 0.5, 3], [-1, 2, 0]]);
        const batched = tf.matMul(tf.stack([At, At]) as tf.Tensor3D, tf.stack([Bt, Bt]) as tf.Tensor3D, true, true);
        return [
          tf.matMul(A, B), tf.matMul(At, B, true, false), tf.matMul(A, Bt, false, true), tf.matMul(At, Bt, true, true), batched,
        ].map((t) => Array.from(t.dataSync()));
      });
    await useBackend("wasm");
    const before = tf.memory().numTensors;
    const onWasm = run();
    expect(tf.memory().numTensors).to.equal(before);
    await useBackend("cpu");
    const onCpu = run();
    expect(onWasm).to.deep.equal(onCpu);
    for (const r of onWasm.slice(1, 4)) expect(r).to.deep.equal(onWasm[0]);
    expect(onWasm[0]).to.deep.equal([11, 3, 24.5, 6]);
  });
});
