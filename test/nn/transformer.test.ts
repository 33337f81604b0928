import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import {
  buildTransformerModel,
  causalContextLength,
  causalMask,
  LayerNorm,
  multiHeadSelfAttention,
  multiHeadSelfAttentionLayer,
  PositionalEncoding,
  scaledDotProductAttention,
  sinusoidalPositionalEncoding,
  transformerBlock,
  type SelfAttentionParams,
} from "../../lib/nn";
import { meanAttentionDistance, selfAttentionMaps } from "../../lib/inspect";
import { contextStepper, sample, trainModel } from "../../lib/train";

const close = (actual: ArrayLike<number>, wanted: ArrayLike<number>, tol = 1e-5) => {
  expect(actual.length).to.equal(wanted.length);
  Array.from(actual).forEach((a, i) => expect(a, `entry ${i}`).to.be.closeTo(wanted[i], tol));
};
const softmax = (row: number[]) => {
  const e = row.map((s) => Math.exp(s - Math.max(...row)));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
};
/** Runs fn and checks it leaves no tensor behind (besides what it returns, which it disposes). */
function noLeaks(fn: () => void): void {
  const before = tf.memory().numTensors;
  fn();
  expect(tf.memory().numTensors, "tensors left behind").to.equal(before);
}

describe("nn: scaled dot-product attention", () => {
  // Two queries, three keys in 2-D, values in 2-D: small enough to do by hand.
  const q = tf.tensor2d([[1, 0], [0, 2]]);
  const k = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
  const v = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  after(() => tf.dispose([q, k, v]));

  it("weights are softmax(q kᵀ / √d) and the output their sum of values, as by hand", () => {
    noLeaks(() => {
      const { output, weights } = scaledDotProductAttention(q, k, v);
      const r = Math.SQRT1_2;
      const w0 = softmax([1 * r, 0, 1 * r]);
      const w1 = softmax([0, 2 * r, 2 * r]);
      close(weights.dataSync(), [...w0, ...w1]);
      const mix = (w: number[]) => [w[0] * 1 + w[1] * 3 + w[2] * 5, w[0] * 2 + w[1] * 4 + w[2] * 6];
      close(output.dataSync(), [...mix(w0), ...mix(w1)]);
      tf.dispose([output, weights]);
    });
  });

  it("a mask gives exactly zero weight and renormalises the rest; a query with no allowed key gets zeros", () => {
    noLeaks(() => {
      const mask = tf.tensor2d([[1, 0, 1], [0, 0, 0]]);
      const { output, weights } = scaledDotProductAttention(q, k, v, { mask });
      const w = weights.arraySync() as number[][];
      expect(w[0][1]).to.equal(0);
      close(w[0], [0.5, 0, 0.5]); // equal scores on the two allowed keys
      expect(w[1]).to.deep.equal([0, 0, 0]);
      close(output.dataSync(), [3, 4, 0, 0]);
      tf.dispose([mask, output, weights]);
    });
  });

  it("causalMask lets position t see 0..t only; batched heads broadcast it", () => {
    expect(causalMask(3).arraySync()).to.deep.equal([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    const x = tf.randomNormal([2, 3, 4, 5], 0, 1, "float32", 1);
    const { weights, output } = scaledDotProductAttention(x, x, x, { mask: causalMask(4) });
    expect(output.shape).to.deep.equal([2, 3, 4, 5]);
    const w = weights.arraySync() as number[][][][];
    for (const row of w.flat(2) as unknown as number[][]) expect(row.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-5);
    for (const head of w.flat()) for (let t = 0; t < 4; t++) for (let s = t + 1; s < 4; s++) expect(head[t][s]).to.equal(0);
    tf.dispose([x, weights, output]);
  });

  it("gradients agree with central finite differences", () => {
    const q3 = tf.randomNormal([1, 3, 4], 0, 1, "float32", 2);
    const k3 = tf.randomNormal([1, 5, 4], 0, 1, "float32", 3);
    const v3 = tf.randomNormal([1, 5, 2], 0, 1, "float32", 4);
    const r = tf.randomNormal([1, 3, 2], 0, 1, "float32", 5);
    const f = (qq: tf.Tensor, kk: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(scaledDotProductAttention(qq, kk, v3).output, r)));
    const [gq, gk] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b))([q3, k3]);
    const eps = 1e-2;
    for (const [which, x, g] of [["q", q3, gq], ["k", k3, gk]] as const) {
      const base = x.dataSync();
      const grad = g.dataSync();
      for (let i = 0; i < base.length; i += 3) {
        const bump = (d: number) => tf.tidy(() => {
          const moved = Float32Array.from(base);
          moved[i] += d;
          const t = tf.tensor(moved, x.shape);
          return which === "q" ? f(t, k3).dataSync()[0] : f(q3, t).dataSync()[0];
        });
        const numeric = (bump(eps) - bump(-eps)) / (2 * eps);
        expect(grad[i], `d/d${which}[${i}]`).to.be.closeTo(numeric, 2e-3 + 1e-2 * Math.abs(numeric));
      }
    }
    tf.dispose([q3, k3, v3, r, gq, gk]);
  });

  it("says which shapes do not fit", () => {
    expect(() => scaledDotProductAttention(tf.zeros([2, 3]), tf.zeros([2, 4]), tf.zeros([2, 4]))).to.throw(/same last dimension.*q \[2,3\], k \[2,4\]/);
    expect(() => scaledDotProductAttention(tf.zeros([2, 3]), tf.zeros([4, 3]), tf.zeros([5, 3]))).to.throw(/every key needs a value/);
    expect(() => scaledDotProductAttention(tf.zeros([2, 3]), tf.zeros([4, 3]), tf.zeros([4, 3]), { mask: tf.ones([3, 3]) })).to.throw(/mask \[3,3\] does not broadcast to the scores \[2,4\]/);
    expect(() => causalMask(0)).to.throw(/positive integer/);
  });
});

describe("nn: positional encodings", () => {
  it("the sinusoidal table by hand: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(…)", () => {
    const table = sinusoidalPositionalEncoding(3, 4);
    const rows = table.arraySync();
    close(rows[0], [0, 1, 0, 1]);
    close(rows[2], [Math.sin(2), Math.cos(2), Math.sin(2 / 100), Math.cos(2 / 100)]);
    table.dispose();
    expect(() => sinusoidalPositionalEncoding(0, 4)).to.throw(/length must be a positive integer/);
  });

  it("the layer adds the table (fixed), a trained table (learned) or nothing (none), and refuses longer sequences", () => {
    const x = tf.randomNormal([2, 3, 4], 0, 1, "float32", 6);
    const fixed = new PositionalEncoding({ maxLength: 5 });
    const table = sinusoidalPositionalEncoding(3, 4);
    close((fixed.apply(x) as tf.Tensor).dataSync(), tf.add(x, table).dataSync());
    expect(fixed.trainableWeights).to.have.length(0);
    const learned = new PositionalEncoding({ maxLength: 5, encoding: "learned", seed: 1 });
    learned.apply(x);
    expect(learned.trainableWeights.map((w) => w.shape)).to.deep.equal([[5, 4]]);
    const none = new PositionalEncoding({ maxLength: 5, encoding: "none" });
    close((none.apply(x) as tf.Tensor).dataSync(), x.dataSync());
    expect(() => fixed.apply(tf.zeros([1, 6, 4]))).to.throw(/6 positions but the positional encoding covers 5/);
    expect(() => new PositionalEncoding({ maxLength: 5, encoding: "rotary" as "none" })).to.throw(/"sinusoidal", "learned" or "none"/);
    tf.dispose([x, table]);
  });
});

describe("nn: layer normalisation", () => {
  it("equals tf.layers.layerNormalization, forward and gradient, and leaves no tensors behind", () => {
    const x = tf.randomNormal([2, 3, 5], 0, 2, "float32", 8);
    const ours = new LayerNorm({ epsilon: 1e-3 });
    const theirs = tf.layers.layerNormalization({ epsilon: 1e-3 });
    ours.apply(x);
    theirs.apply(x);
    // Non-trivial scale and shift, the same in both.
    const gamma = tf.tensor1d([1, 2, 3, 4, 5]);
    const beta = tf.tensor1d([0, -1, 1, 0.5, 2]);
    ours.setWeights([gamma, beta]);
    theirs.setWeights([gamma, beta]);
    const r = tf.randomNormal([2, 3, 5], 0, 1, "float32", 9);
    const f = (layer: tf.layers.Layer) => (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, r));
    noLeaks(() => {
      const [a, b] = [ours, theirs].map((l) => l.apply(x) as tf.Tensor);
      close(a.dataSync(), b.dataSync(), 1e-5);
      const [ga, gb] = [ours, theirs].map((l) => tf.grad(f(l))(x));
      close(ga.dataSync(), gb.dataSync(), 1e-4);
      tf.dispose([a, b, ga, gb]);
    });
    tf.dispose([x, gamma, beta, r]);
    expect(() => new LayerNorm({ epsilon: 0 })).to.throw(/epsilon must be > 0/);
  });
});

describe("nn: multi-head self-attention and the Transformer", function () {
  this.timeout(120000);

  /** Identity projections and zero biases: heads attend on raw slices of x. */
  const identity = (d: number): SelfAttentionParams => ({
    queryKernel: tf.eye(d) as tf.Tensor2D,
    keyKernel: tf.eye(d) as tf.Tensor2D,
    valueKernel: tf.eye(d) as tf.Tensor2D,
    outputKernel: tf.eye(d) as tf.Tensor2D,
    queryBias: tf.zeros([d]) as tf.Tensor1D,
    keyBias: tf.zeros([d]) as tf.Tensor1D,
    valueBias: tf.zeros([d]) as tf.Tensor1D,
    outputBias: tf.zeros([d]) as tf.Tensor1D,
  });

  it("with identity projections, each head is scaled dot-product attention on its slice of x", () => {
    const x = tf.randomNormal([1, 4, 6], 0, 1, "float32", 7) as tf.Tensor3D;
    const params = identity(6);
    const { output, weights } = multiHeadSelfAttention(x, params, { heads: 2, causal: true });
    expect(weights.shape).to.deep.equal([1, 2, 4, 4]);
    for (let h = 0; h < 2; h++) {
      const slice = tf.slice(x, [0, 0, 3 * h], [-1, -1, 3]);
      const ref = scaledDotProductAttention(slice, slice, slice, { mask: causalMask(4) });
      close(tf.slice(output, [0, 0, 3 * h], [-1, -1, 3]).dataSync(), ref.output.dataSync());
      close(tf.slice(weights, [0, h, 0, 0], [1, 1, -1, -1]).dataSync(), ref.weights.dataSync());
    }
    expect(() => multiHeadSelfAttention(x, params, { heads: 4, causal: true })).to.throw(/width 6 must divide into 4 heads/);
    tf.dispose([x, output, weights, ...Object.values(params)]);
  });

  it("the causal mask blocks the future: changing the token at t leaves every earlier output equal", () => {
    const model = buildTransformerModel({ vocabSize: 7, contextLength: 8, modelDim: 8, heads: 2, layers: 2, seed: 1 });
    const a = [1, 2, 3, 4, 5, 6];
    const b = [1, 2, 3, 0, 0, 0]; // differs from position 3 on
    noLeaks(() =>
      tf.tidy(() => {
        const logits = model.predict(tf.tensor2d([a, b], [2, 6], "int32")) as tf.Tensor3D;
        const [la, lb] = logits.arraySync();
        for (let t = 0; t < 3; t++) close(lb[t], la[t], 1e-6);
        const later = Math.max(...la[3].map((v, i) => Math.abs(v - lb[3][i])));
        expect(later, "position 3 itself changed").to.be.greaterThan(1e-4);
      }),
    );
    // Without the mask the first position does see the change.
    const ids = tf.input({ shape: [null], dtype: "int32" });
    const emb = tf.layers.embedding({ inputDim: 7, outputDim: 8 }).apply(ids) as tf.SymbolicTensor;
    const open = tf.model({ inputs: ids, outputs: transformerBlock(emb, { heads: 2, causal: false, seed: 2 }) });
    tf.tidy(() => {
      const out = (open.predict(tf.tensor2d([a, b], [2, 6], "int32")) as tf.Tensor).arraySync() as number[][][];
      expect(Math.max(...out[0][0].map((v, i) => Math.abs(v - out[1][0][i])))).to.be.greaterThan(1e-4);
    });
    model.dispose();
    open.dispose();
  });

  it("without positions a bidirectional block is permutation-equivariant; with them it is not", () => {
    const build = (encoding: "none" | "sinusoidal") => {
      const ids = tf.input({ shape: [null], dtype: "int32" });
      const emb = tf.layers.embedding({ inputDim: 7, outputDim: 8, embeddingsInitializer: tf.initializers.randomNormal({ seed: 3 }) }).apply(ids) as tf.SymbolicTensor;
      const x = new PositionalEncoding({ maxLength: 8, encoding }).apply(emb) as tf.SymbolicTensor;
      return tf.model({ inputs: ids, outputs: transformerBlock(x, { heads: 2, causal: false, seed: 4 }) });
    };
    for (const [encoding, equivariant] of [["none", true], ["sinusoidal", false]] as const) {
      const model = build(encoding);
      tf.tidy(() => {
        const out = (model.predict(tf.tensor2d([[1, 2, 3, 4], [4, 3, 2, 1]], [2, 4], "int32")) as tf.Tensor).arraySync() as number[][][];
        const diff = Math.max(...out[0].flatMap((row, t) => row.map((v, i) => Math.abs(v - out[1][3 - t][i]))));
        if (equivariant) expect(diff, encoding).to.be.below(1e-5);
        else expect(diff, encoding).to.be.greaterThan(1e-3);
      });
      model.dispose();
    }
  });

  it("the layer: weights, config, errors", () => {
    const layer = multiHeadSelfAttentionLayer({ heads: 2, seed: 1 });
    expect(() => layer.apply(tf.zeros([1, 3, 5]))).to.throw(/5 is not a multiple of heads \(2\)/);
    const ok = multiHeadSelfAttentionLayer({ heads: 2, seed: 1 });
    ok.apply(tf.zeros([1, 3, 4]));
    expect(ok.countParams()).to.equal(4 * (4 * 4 + 4));
    expect(ok.getConfig()).to.include({ heads: 2, causal: true });
    expect(() => multiHeadSelfAttentionLayer({ heads: 0 })).to.throw(/heads must be a positive integer/);
    expect(() => buildTransformerModel({ vocabSize: 5, contextLength: 8, modelDim: 10, heads: 4 })).to.throw(/modelDim 10 must be a multiple of heads 4/);
  });

  it("trains with sl.trainModel (loss falls on a repeating text), saves and loads, and samples through sl.sample", async () => {
    const model = buildTransformerModel({ vocabSize: 4, contextLength: 12, modelDim: 16, heads: 2, layers: 1, seed: 5 });
    expect(causalContextLength(model)).to.equal(12);
    // 0 1 2 3 0 1 2 3 ...: every next token is determined by the current one. Every phase
    // is trained, so the window can slide (the first position holds any token).
    const rows = [0, 1, 2, 3].map((k) => Array.from({ length: 13 }, (_, i) => (i + k) % 4));
    const row = rows[0];
    const batch = { x: rows.map((r) => r.slice(0, 12)), y: rows.map((r) => r.slice(1)) };
    const result = await trainModel(model, { batches: [batch], steps: 60, optimizer: "adam", learningRate: 0.01, signal: null });
    const losses = result.history.loss;
    expect(losses[0]).to.be.greaterThan(1);
    expect(losses[losses.length - 1]).to.be.below(0.2);

    // The stepper's logits are the full forward pass's logits at the last position.
    noLeaks(() => {
      const stepper = contextStepper(model)!;
      const out = stepper.step([0, 1, 2]) as tf.Tensor;
      const full = tf.tidy(() => tf.slice(model.predict(tf.tensor2d([[0, 1, 2]], [1, 3], "int32")) as tf.Tensor, [0, 2, 0], [1, 1, -1]));
      close(out.dataSync(), full.dataSync(), 1e-6);
      tf.dispose([out, full]);
      stepper.dispose();
    });
    const before = tf.memory().numTensors;
    const text = await sample(model, { length: 30, seedIds: [0], vocab: ["a", "b", "c", "d"], temperature: 0.2, seed: 1 });
    expect(tf.memory().numTensors, "sample leaks").to.equal(before);
    expect(text.text).to.equal("abcd".repeat(8).slice(0, 31)); // longer than the context: the window slides

    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    tf.tidy(() => {
      const ids = tf.tensor2d([row.slice(0, 12)], [1, 12], "int32");
      close((loaded.predict(ids) as tf.Tensor).dataSync(), (model.predict(ids) as tf.Tensor).dataSync(), 1e-5);
    });
    model.dispose();
    loaded.dispose();
  });

  it("selfAttentionMaps: every layer's heads, causal rows that sum to 1, nothing left behind", () => {
    const model = buildTransformerModel({ vocabSize: 6, contextLength: 10, modelDim: 8, heads: 2, layers: 2, seed: 9 });
    model.predict(tf.zeros([1, 1], "int32")); // built
    noLeaks(() => {
      const maps = selfAttentionMaps(model, [1, 2, 3, 4, 5]);
      expect(maps.map((m) => m.layer)).to.deep.equal(["block1_attention", "block2_attention"]);
      for (const m of maps) {
        expect(m.heads).to.have.length(2);
        for (const head of m.heads) {
          head.forEach((row, t) => {
            expect(row.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-5);
            expect(row.slice(t + 1).every((w) => w === 0), `row ${t} looks ahead`).to.equal(true);
          });
        }
      }
    });
    expect(() => selfAttentionMaps(model, [])).to.throw(/non-empty array of token ids/);
    // Distance looked back, by hand: attending to oneself is 0; row 1 looking one back is 1, averaged over 2 rows.
    expect(meanAttentionDistance([[1, 0], [0, 1]])).to.equal(0);
    expect(meanAttentionDistance([[1, 0], [1, 0]])).to.equal(0.5);
    expect(meanAttentionDistance([[1, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5]])).to.be.closeTo((0 + 0.5 + 1) / 3, 1e-12);
    const lstm = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    expect(() => selfAttentionMaps(lstm, [1])).to.throw(/no self-attention layers/);
    model.dispose();
    lstm.dispose();
  });
});
