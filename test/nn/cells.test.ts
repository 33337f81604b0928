import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { gruStep, lstmStep, rnnStep, unroll, vanillaRNNCell, lstmCell, initRecurrenceWeights, unrolledRecurrence, orthogonalMatrix } from "../../lib/nn";

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const close = (actual: number[], wanted: number[], tol = 1e-5) => {
  expect(actual.length).to.equal(wanted.length);
  actual.forEach((a, i) => expect(a).to.be.closeTo(wanted[i], tol));
};

describe("nn: readable cells, equations by hand", () => {
  it("vanilla RNN step: h = tanh(x Wxh + h Whh + b)", () => {
    // inputDim 2, units 1
    const w = { kernel: tf.tensor2d([[0.5], [-1]]), recurrentKernel: tf.tensor2d([[2]]), bias: tf.tensor1d([0.1]) };
    const r = rnnStep(w, tf.tensor2d([[1, 2]]), tf.tensor2d([[0.3]]));
    const pre = 0.5 * 1 - 1 * 2 + 2 * 0.3 + 0.1;
    close(Array.from(r.gates.preActivation.dataSync()), [pre]);
    close(Array.from(r.h.dataSync()), [Math.tanh(pre)]);
    const relu = rnnStep(w, tf.tensor2d([[1, 2]]), tf.tensor2d([[0.3]]), "relu");
    close(Array.from(relu.h.dataSync()), [0]);
  });

  it("LSTM step: gates in order i, f, c, o", () => {
    // inputDim 1, units 1: kernel [1,4], recurrent [1,4], bias [4]
    const k = [0.1, 0.2, 0.3, 0.4];
    const u = [-0.5, 0.6, 0.7, -0.8];
    const b = [0.01, 1, -0.02, 0.03];
    const w = { kernel: tf.tensor2d([k]), recurrentKernel: tf.tensor2d([u]), bias: tf.tensor1d(b) };
    const x = 2;
    const h = 0.5;
    const c = -0.4;
    const r = lstmStep(w, tf.tensor2d([[x]]), tf.tensor2d([[h]]), tf.tensor2d([[c]]));
    const z = k.map((ki, j) => ki * x + u[j] * h + b[j]);
    const i = sigmoid(z[0]);
    const f = sigmoid(z[1]);
    const g = Math.tanh(z[2]);
    const o = sigmoid(z[3]);
    const c1 = f * c + i * g;
    close(Array.from(r.gates.input.dataSync()), [i]);
    close(Array.from(r.gates.forget.dataSync()), [f]);
    close(Array.from(r.gates.candidate.dataSync()), [g]);
    close(Array.from(r.gates.output.dataSync()), [o]);
    close(Array.from(r.c.dataSync()), [c1]);
    close(Array.from(r.h.dataSync()), [o * Math.tanh(c1)]);
  });

  it("GRU step: z, r, candidate with reset before the recurrent product", () => {
    const k = [0.3, -0.2, 0.5];
    const u = [0.4, 0.9, -0.6];
    const b = [0.05, -0.1, 0.2];
    const w = { kernel: tf.tensor2d([k]), recurrentKernel: tf.tensor2d([u]), bias: tf.tensor1d(b) };
    const x = 1.5;
    const h = -0.7;
    const r = gruStep(w, tf.tensor2d([[x]]), tf.tensor2d([[h]]));
    const z = sigmoid(k[0] * x + b[0] + u[0] * h);
    const rs = sigmoid(k[1] * x + b[1] + u[1] * h);
    const hh = Math.tanh(k[2] * x + b[2] + u[2] * (rs * h));
    close(Array.from(r.gates.update.dataSync()), [z]);
    close(Array.from(r.gates.reset.dataSync()), [rs]);
    close(Array.from(r.gates.candidate.dataSync()), [hh]);
    close(Array.from(r.h.dataSync()), [z * h + (1 - z) * hh]);
  });

  it("identity initialisation with ReLU carries the state unchanged when input is zero", () => {
    const cell = vanillaRNNCell({ inputDim: 3, units: 4, recurrent: "identity", activation: "relu", seed: 1 });
    close(Array.from(cell.recurrentKernel.dataSync()), Array.from(tf.eye(4).dataSync()));
    const h0 = tf.tensor2d([[0.5, 1, 2, 0.25]]);
    const x = tf.zeros([1, 5, 3]) as tf.Tensor3D;
    const r = cell.unroll(x, { h: h0 });
    close(Array.from(r.state.h.dataSync()), [0.5, 1, 2, 0.25]);
    cell.dispose();
  });

  it("unroll equals repeated steps and stacks gates over time", () => {
    const cell = lstmCell({ inputDim: 2, units: 3, seed: 3 });
    const x = tf.randomNormal([2, 4, 2], 0, 1, "float32", 5) as tf.Tensor3D;
    const r = cell.unroll(x);
    expect(r.outputs.shape).to.deep.equal([2, 4, 3]);
    expect(Object.keys(r.gates).sort()).to.deep.equal(["candidate", "cell", "forget", "input", "output"]);
    expect(r.gates.forget.shape).to.deep.equal([2, 4, 3]);
    let state = cell.zeroState(2);
    for (let t = 0; t < 4; t++) {
      const xt = x.slice([0, t, 0], [2, 1, 2]).reshape([2, 2]) as tf.Tensor2D;
      state = cell.step(xt, state).state;
      const out = r.outputs.slice([0, t, 0], [2, 1, 3]).reshape([2, 3]);
      close(Array.from(out.dataSync()), Array.from(state.h.dataSync()));
    }
    close(Array.from(r.state.c!.dataSync()), Array.from(state.c!.dataSync()));
    cell.dispose();
  });

  it("vanilla RNN output y = h Why", () => {
    const cell = vanillaRNNCell({ inputDim: 2, units: 3, outputDim: 2, seed: 2 });
    const h = tf.tensor2d([[1, 0, 0]]);
    close(Array.from(cell.output(h).dataSync()), Array.from(cell.outputKernel!.slice([0, 0], [1, 2]).dataSync()));
    cell.dispose();
  });

  it("unit forget bias and per-gate Glorot fans", () => {
    const w = initRecurrenceWeights("lstm", 5, 4, { seed: 0 });
    close(Array.from(w.bias.dataSync()), [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const matrixLimit = Math.sqrt(6 / (5 + 16));
    expect(tf.max(tf.abs(w.kernel)).dataSync()[0]).to.be.at.most(matrixLimit);
    const gate = initRecurrenceWeights("lstm", 5, 4, { seed: 0, fan: "gate", recurrent: "glorotUniform" });
    // Per gate the limit is sqrt(6 / (5 + 4)), larger than the whole-matrix one.
    expect(tf.max(tf.abs(gate.kernel)).dataSync()[0]).to.be.above(matrixLimit);
    expect(tf.max(tf.abs(gate.kernel)).dataSync()[0]).to.be.at.most(Math.sqrt(6 / 9));
  });

  it("orthogonal initialisation gives orthonormal columns (or rows), seeded", () => {
    const q = orthogonalMatrix(6, 4, 1);
    const qtq = (tf.matMul(q, q, true, false) as tf.Tensor2D).arraySync();
    qtq.forEach((row, i) => row.forEach((v, j) => expect(v).to.be.closeTo(i === j ? 1 : 0, 1e-5)));
    const wide = orthogonalMatrix(3, 5, 2, 2);
    const wwt = (tf.matMul(wide, wide, false, true) as tf.Tensor2D).arraySync();
    wwt.forEach((row, i) => row.forEach((v, j) => expect(v).to.be.closeTo(i === j ? 4 : 0, 1e-4)));
    // Wider than one block of 64 vectors: later blocks are orthogonal to earlier ones too.
    const big = orthogonalMatrix(150, 130, 5);
    const err = tf.max(tf.abs(tf.sub(tf.matMul(big, big, true, false), tf.eye(130)))).dataSync()[0];
    expect(err).to.be.below(1e-4);
    expect(Array.from(orthogonalMatrix(4, 4, 7).dataSync())).to.deep.equal(Array.from(orthogonalMatrix(4, 4, 7).dataSync()));
    // Each gate block of a recurrent kernel is orthogonal on its own.
    const w = initRecurrenceWeights("gru", 2, 4, { seed: 3 });
    const block = w.recurrentKernel.slice([0, 4], [4, 4]);
    (tf.matMul(block, block, true, false) as tf.Tensor2D).arraySync().forEach((row, i) => row.forEach((v, j) => expect(v).to.be.closeTo(i === j ? 1 : 0, 1e-5)));
  });

  it("shows its equations and weight shapes in a notebook", () => {
    const cell = vanillaRNNCell({ inputDim: 2, units: 3, outputDim: 4, activation: "relu" });
    const bundle = (cell as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
    expect(bundle["text/plain"]).to.contain("h_t = relu(x_t W_xh + h_{t-1} W_hh + b)").and.to.contain("outputKernel [3, 4]");
    expect(bundle["text/markdown"]).to.contain("\\operatorname{relu}").and.to.contain("y_t &= h_t W_{hy}");
    cell.dispose();
  });

  it("rejects mismatched shapes with the tensor's name", () => {
    const w = initRecurrenceWeights("gru", 3, 2, { seed: 0 });
    const x = tf.zeros([1, 2, 4]) as tf.Tensor3D;
    expect(() => unroll("gru", x, w)).to.throw(/gru kernel has shape \[3,6\], expected \[4,6\]/);
    expect(() => unroll("gru", tf.zeros([2, 3]) as never, w)).to.throw(/\[batch, time, features\]/);
  });

  it("reports dL/dh_t for every step through onHiddenGradient", () => {
    const w = initRecurrenceWeights("rnn", 2, 3, { seed: 4 });
    const x = tf.randomNormal([2, 5, 2], 0, 1, "float32", 1) as tf.Tensor3D;
    let seen: number[][][] | undefined;
    const h0 = tf.zeros([2, 3]) as tf.Tensor2D;
    // Loss uses only the last output: dL/dh_4 = 1, earlier steps get it through the chain.
    tf.grad((k: tf.Tensor) =>
      tf.sum(unrolledRecurrence("rnn", x, { ...w, kernel: k as tf.Tensor2D }, { h: h0 }, {
        onHiddenGradient: (dh) => {
          seen = dh.arraySync() as number[][][];
          dh.dispose();
        },
      }).state.h),
    )(w.kernel);
    expect(seen).to.not.equal(undefined);
    expect(seen!.length).to.equal(2);
    expect(seen![0].length).to.equal(5);
    close(seen![0][4], [1, 1, 1]);
    // Earlier steps receive a non-zero gradient that comes only through the recurrence.
    expect(Math.abs(seen![0][3][0]) + Math.abs(seen![0][3][1])).to.be.above(0);
  });

  // dL/dc_t = dL/dh_t ⊙ o_t ⊙ (1 − tanh²(c_t)) + dL/dc_{t+1} ⊙ f_{t+1}: the two routes into c_t.
  const cellGradientByHand = (dh: number[][][], gates: Record<string, number[][][]>): number[][][] =>
    dh.map((rows, b) => {
      const out: number[][] = new Array(rows.length);
      for (let t = rows.length - 1; t >= 0; t--) {
        out[t] = rows[t].map((g, u) => {
          const c = gates.cell[b][t][u];
          const later = t + 1 < rows.length ? out[t + 1][u] * gates.forget[b][t + 1][u] : 0;
          return g * gates.output[b][t][u] * (1 - Math.tanh(c) ** 2) + later;
        });
      }
      return out;
    });

  for (const recurrent of ["zero", "random"] as const) {
    it(`reports dL/dc_t for every step through onCellGradient (LSTM, ${recurrent} recurrent kernel)`, () => {
      const w = initRecurrenceWeights("lstm", 2, 3, { seed: 6 });
      // With U = 0, h_t reaches nothing but the loss, so dL/dc_t is dL/dc_T times the forget gates after t.
      const weights = recurrent === "zero" ? { ...w, recurrentKernel: tf.zerosLike(w.recurrentKernel) } : w;
      const x = tf.randomNormal([2, 6, 2], 0, 1, "float32", 2) as tf.Tensor3D;
      const v = tf.tensor1d([0.5, -1, 2]);
      let dc: number[][][] | undefined;
      let dh: number[][][] | undefined;
      let gates: Record<string, number[][][]> = {};
      tf.grad((k: tf.Tensor) => {
        const r = unroll("lstm", x, { ...weights, kernel: k as tf.Tensor2D }, undefined, {
          onCellGradient: (g) => {
            dc = g.arraySync() as number[][][];
            g.dispose();
          },
          onHiddenGradient: (g) => {
            dh = g.arraySync() as number[][][];
            g.dispose();
          },
        });
        gates = Object.fromEntries(Object.entries(r.gates).map(([name, t]) => [name, t.arraySync() as number[][][]]));
        return tf.sum(tf.mul(r.state.h, v));
      })(weights.kernel);
      expect(dc, "onCellGradient was called").to.not.equal(undefined);
      expect([dc!.length, dc![0].length, dc![0][0].length]).to.deep.equal([2, 6, 3]);
      const wanted = cellGradientByHand(dh!, gates);
      dc!.forEach((rows, b) => rows.forEach((row, t) => close(row, wanted[b][t])));
      if (recurrent === "zero") {
        // The cell path alone: dL/dc_0 = dL/dc_5 ⊙ f_1 ⊙ … ⊙ f_5.
        const product = [0, 1, 2].map((u) => [1, 2, 3, 4, 5].reduce((p, t) => p * gates.forget[0][t][u], 1));
        close(dc![0][0], dc![0][5].map((g, u) => g * product[u]));
      }
    });
  }

  it("refuses onCellGradient for a cell without a cell state", () => {
    const w = initRecurrenceWeights("gru", 2, 3, { seed: 0 });
    expect(() => unroll("gru", tf.zeros([1, 2, 2]) as tf.Tensor3D, w, undefined, { onCellGradient: () => undefined })).to.throw(/onCellGradient needs an LSTM.*"gru".*onHiddenGradient/);
  });
});
