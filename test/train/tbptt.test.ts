import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { train, trainModel, TrainingHistory, runStack } from "../../lib/train";
import { buildLabModel } from "../../lib/nn";
import { tinyTokenModel, tokenBatches, weightsOf } from "./helpers";

/** h_t = tanh(x_t W + h_{t-1} U); loss = mean over steps of (h_t v - y_t)^2. */
function chunkLoss(W: tf.Tensor, U: tf.Tensor, v: tf.Tensor, x: tf.Tensor3D, y: tf.Tensor3D, h0: tf.Tensor | null) {
  let h = h0 ?? tf.zeros([x.shape[0], U.shape[0]]);
  const xs = tf.unstack(x, 1);
  const ys = tf.unstack(y, 1);
  const terms: tf.Tensor[] = [];
  xs.forEach((xt, t) => {
    h = tf.tanh(tf.add(tf.matMul(xt, W), tf.matMul(h, U)));
    terms.push(tf.mean(tf.square(tf.sub(tf.matMul(h, v), ys[t]))));
  });
  return { loss: tf.div(tf.addN(terms), terms.length) as tf.Scalar, h };
}

describe("train: truncated BPTT", () => {
  it("each chunk is one update; state crosses chunks as a constant (matches a hand computation)", async () => {
    const W0 = tf.tensor2d([[0.5, -0.3]]);
    const U0 = tf.tensor2d([[0.8, 0.2], [-0.4, 0.9]]);
    const v0 = tf.tensor2d([[1.0], [-0.5]]);
    const x = tf.tensor3d([[[1], [-0.5], [0.3], [0.8]]]);
    const y = tf.tensor3d([[[0.2], [0.1], [-0.3], [0.5]]]);
    const lr = 0.5;

    // The loop.
    const W = tf.variable(W0.clone(), true);
    const U = tf.variable(U0.clone(), true);
    const v = tf.variable(v0.clone(), true);
    const history = new TrainingHistory();
    await train({
      variables: [W, U, v],
      batches: [{ x, y }],
      steps: 2,
      optimizer: tf.train.sgd(lr),
      history,
      tbptt: {
        chunk: 2,
        loss: (c: { x: tf.Tensor3D; y: tf.Tensor3D }, state) => {
          const r = chunkLoss(W, U, v, c.x, c.y, state ? state[0] : null);
          return { loss: r.loss, state: [r.h] };
        },
      },
    });

    // By hand: chunk 1 from zeros with the initial weights, chunk 2 from the carried h_2
    // (computed with the initial weights) with the weights after update 1.
    const grad = (h0: tf.Tensor | null, xs: tf.Tensor3D, ys: tf.Tensor3D, Wc: tf.Tensor, Uc: tf.Tensor, vc: tf.Tensor) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => chunkLoss(a, b, c, xs, ys, h0).loss)([Wc, Uc, vc]);
    const x1 = tf.slice(x, [0, 0, 0], [1, 2, 1]) as tf.Tensor3D;
    const y1 = tf.slice(y, [0, 0, 0], [1, 2, 1]) as tf.Tensor3D;
    const x2 = tf.slice(x, [0, 2, 0], [1, 2, 1]) as tf.Tensor3D;
    const y2 = tf.slice(y, [0, 2, 0], [1, 2, 1]) as tf.Tensor3D;
    const g1 = grad(null, x1, y1, W0, U0, v0);
    const h2 = chunkLoss(W0, U0, v0, x1, y1, null).h;
    const [W1, U1, v1] = [W0, U0, v0].map((p, i) => tf.sub(p, tf.mul(lr, g1[i])));
    const g2 = grad(h2, x2, y2, W1, U1, v1);
    const expected = [W1, U1, v1].map((p, i) => tf.sub(p, tf.mul(lr, g2[i])));

    [W, U, v].forEach((variable, i) => {
      const got = Array.from(variable.dataSync());
      const want = Array.from(expected[i].dataSync());
      got.forEach((g, j) => expect(g).to.be.closeTo(want[j], 1e-6));
    });
    expect(history.steps).to.deep.equal([1, 2]);
    // Not the same as full BPTT over 4 steps with one update (sanity that chunking changed something).
    expect(history.loss[1]).to.not.equal(history.loss[0]);
    tf.dispose([W, U, v, W0, U0, v0, x, y]);
  });

  it("for a tf.layers model, one chunk covering the whole sequence equals ordinary training", async () => {
    const a = tinyTokenModel({ seed: 11, cell: "gru" });
    const b = tinyTokenModel({ seed: 11, cell: "gru" });
    const ra = await trainModel(a, { batches: tokenBatches(5, 2, 6), steps: 4, optimizer: "sgd", learningRate: 0.5 });
    const rb = await trainModel(b, { batches: tokenBatches(5, 2, 6), steps: 4, optimizer: "sgd", learningRate: 0.5, tbptt: 6 });
    ra.history.loss.forEach((l, i) => expect(rb.history.loss[i]).to.be.closeTo(l, 1e-5));
    const wa = weightsOf(a);
    weightsOf(b).forEach((w, i) => w.forEach((val, j) => expect(val).to.be.closeTo(wa[i][j], 1e-5)));
    a.dispose();
    b.dispose();
  });

  it("chunks of K steps give ceil(T/K) updates per batch and carry the LSTM state", async () => {
    const model = tinyTokenModel({ seed: 5, cell: "lstm" });
    const drawn: number[] = [];
    const source = tokenBatches(5, 2, 7);
    const { history } = await trainModel(model, {
      batches: (ctx) => (drawn.push(ctx.batchIndex), source(ctx)),
      steps: 6,
      optimizer: "adam",
      tbptt: 3,
    });
    expect(history.lastStep).to.equal(6);
    expect(drawn).to.deep.equal([0, 1]); // 7 steps in chunks of 3 → 3 updates per batch
    model.dispose();
  });

  it("the lib/nn lab model: whole-sequence chunks equal ordinary training; the fused path equals the step-by-step one", async () => {
    const make = () => {
      const m = buildLabModel({ vocabSize: 5, embeddingDim: 3, units: 4, seed: 9 });
      m.predict(tf.zeros([1, 1], "int32"));
      return m;
    };
    const a = make();
    const b = make();
    const ra = await trainModel(a, { batches: tokenBatches(5, 2, 6), steps: 3, optimizer: "sgd", learningRate: 0.5 });
    const rb = await trainModel(b, { batches: tokenBatches(5, 2, 6), steps: 3, optimizer: "sgd", learningRate: 0.5, tbptt: 6 });
    ra.history.loss.forEach((l, i) => expect(rb.history.loss[i]).to.be.closeTo(l, 1e-5));
    const wa = weightsOf(a);
    weightsOf(b).forEach((w, i) => w.forEach((v, j) => expect(v).to.be.closeTo(wa[i][j], 1e-5)));

    const x = tf.tensor2d([[1, 2, 3, 4, 0]], [1, 5], "int32");
    const fused = runStack(a, x);
    const stepwise = runStack(a, x, { tap: (_l, _t, h) => h });
    const f = Array.from(fused.output.dataSync());
    Array.from(stepwise.output.dataSync()).forEach((v, i) => expect(v).to.be.closeTo(f[i], 1e-5));
    tf.dispose([x, fused.output, stepwise.output, ...fused.states.flat(), ...stepwise.states.flat()]);
    const r = await trainModel(a, { batches: tokenBatches(5, 2, 7), steps: ra.step + 3, optimizer: "adam", tbptt: 3, history: ra.history });
    expect(r.step).to.equal(6);
    a.dispose();
    b.dispose();
  });
});
