import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { CellKind, fusedRecurrence, initRecurrenceWeights, unrolledRecurrence, RecurrenceState } from "../../lib/nn";

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).to.deep.equal(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function scale(a: tf.Tensor): number {
  return tf.tidy(() => Math.max(1, tf.max(tf.abs(a)).dataSync()[0]));
}

const TOL = 2e-5;
const B = 2;
const T = 5;
const D = 3;
const U = 4;

function tfjsLayer(kind: CellKind): tf.layers.Layer {
  const common = { units: U, returnSequences: true };
  if (kind === "rnn") return tf.layers.simpleRNN({ ...common, activation: "tanh" });
  if (kind === "lstm") return tf.layers.lstm({ ...common, recurrentActivation: "sigmoid" });
  return tf.layers.gru({ ...common, recurrentActivation: "sigmoid" });
}

for (const kind of ["rnn", "lstm", "gru"] as CellKind[]) {
  describe(`nn: ${kind} readable cell = fused op = tf.layers`, () => {
    const x = tf.randomNormal([B, T, D], 0, 1, "float32", 11) as tf.Tensor3D;
    const probe = tf.randomNormal([B, T, U], 0, 1, "float32", 12);
    // Non-trivial biases so every gate block matters.
    const w0 = initRecurrenceWeights(kind, D, U, { seed: 3, recurrent: "glorotUniform" });
    const w = { ...w0, bias: tf.randomNormal(w0.bias.shape, 0, 0.5, "float32", 13) as tf.Tensor1D };
    const zero = (): RecurrenceState => ({ h: tf.zeros([B, U]), c: kind === "lstm" ? tf.zeros([B, U]) : undefined });

    it("outputs and weight/input gradients match tf.layers with the same weights", () => {
      const layer = tfjsLayer(kind);
      const reference = layer.apply(x) as tf.Tensor;
      layer.setWeights([w.kernel, w.recurrentKernel, w.bias]);
      const theirs = layer.apply(x) as tf.Tensor3D;
      reference.dispose();
      const { grads: theirGrads } = tf.variableGrads(
        () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, probe)),
        layer.trainableWeights.map((v) => v.read() as tf.Variable),
      );
      const theirDx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(layer.apply(xi) as tf.Tensor, probe)))(x);
      for (const [name, impl] of [["unrolled", unrolledRecurrence], ["fused", fusedRecurrence]] as const) {
        const ours = impl(kind, x, w, zero());
        expect(maxDiff(ours.outputs, theirs), `${name} outputs`).to.be.below(TOL);
        const g = tf.grads((xi: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(impl(kind, xi as tf.Tensor3D, { kernel: k as tf.Tensor2D, recurrentKernel: r as tf.Tensor2D, bias: b as tf.Tensor1D }, zero()).outputs, probe)),
        )([x, w.kernel, w.recurrentKernel, w.bias]);
        const names = layer.trainableWeights.map((v) => (v.read() as tf.Variable).name);
        expect(maxDiff(g[0], theirDx) / scale(theirDx), `${name} dx`).to.be.below(TOL);
        [1, 2, 3].forEach((i) => {
          const theirs = theirGrads[names[i - 1]];
          expect(maxDiff(g[i], theirs) / scale(theirs), `${name} d${["kernel", "recurrentKernel", "bias"][i - 1]}`).to.be.below(TOL);
        });
      }
      layer.dispose();
    });

    it("fused and unrolled agree from a non-zero initial state, final state and dL/dh_t included", () => {
      const h0 = tf.randomNormal([B, U], 0, 0.5, "float32", 21) as tf.Tensor2D;
      const c0 = tf.randomNormal([B, U], 0, 0.5, "float32", 22) as tf.Tensor2D;
      const finalProbe = tf.randomNormal([B, U], 0, 1, "float32", 23);
      const run = (impl: typeof fusedRecurrence, seen: tf.Tensor3D[]) =>
        tf.grads((k: tf.Tensor, h: tf.Tensor, c: tf.Tensor) => {
          const r = impl(kind, x, { ...w, kernel: k as tf.Tensor2D }, { h: h as tf.Tensor2D, c: kind === "lstm" ? (c as tf.Tensor2D) : undefined }, {
            onHiddenGradient: (dh) => seen.push(dh),
          });
          // c only feeds an LSTM; keep it in the graph for the others with a zero weight.
          const last = kind === "lstm" ? tf.add(r.state.h, r.state.c!) : tf.add(r.state.h, tf.mul(c, 0));
          return tf.add(tf.sum(tf.mul(r.outputs, probe)), tf.sum(tf.mul(last, finalProbe)));
        })([w.kernel, h0, c0]);
      const seenFused: tf.Tensor3D[] = [];
      const seenUnrolled: tf.Tensor3D[] = [];
      const gf = run(fusedRecurrence, seenFused);
      const gu = run(unrolledRecurrence, seenUnrolled);
      gf.forEach((g, i) => expect(maxDiff(g, gu[i]) / scale(gu[i]), `gradient ${i}`).to.be.below(TOL));
      expect(seenFused.length).to.equal(1);
      expect(seenUnrolled.length).to.equal(1);
      expect(seenFused[0].shape).to.deep.equal([B, T, U]);
      expect(maxDiff(seenFused[0], seenUnrolled[0]) / scale(seenUnrolled[0])).to.be.below(TOL);
      tf.dispose([...seenFused, ...seenUnrolled]);
    });
  });
}

describe("nn: vanilla RNN with ReLU, fused = unrolled", () => {
  it("matches outputs and gradients", () => {
    const x = tf.randomNormal([2, 6, 3], 0, 1, "float32", 31) as tf.Tensor3D;
    const w = initRecurrenceWeights("rnn", 3, 4, { seed: 5, recurrent: "identity" });
    const h0 = tf.zeros([2, 4]) as tf.Tensor2D;
    const f = (impl: typeof fusedRecurrence) =>
      tf.grads((k: tf.Tensor, r: tf.Tensor) =>
        tf.sum(tf.square(impl("rnn", x, { ...w, kernel: k as tf.Tensor2D, recurrentKernel: r as tf.Tensor2D }, { h: h0 }, { activation: "relu" }).outputs)),
      )([w.kernel, w.recurrentKernel]);
    const a = f(fusedRecurrence);
    const b = f(unrolledRecurrence);
    a.forEach((g, i) => expect(maxDiff(g, b[i]) / scale(b[i])).to.be.below(TOL));
  });
});
