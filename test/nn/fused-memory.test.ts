import * as tf from "@tensorflow/tfjs";
import { expect } from "chai";
import { fusedRecurrence } from "../../lib/nn/fused";
import { loadSimd } from "../../lib/simd";
import { lossOf, makeProblem, maxAbsDiff, type Problem } from "./fused-helpers";

/** The LSTM problem's loss, with the given kernel and recurrent kernel (variables or not). */
function loss(p: Problem, engine: "tfjs" | "simd", kernel: tf.Tensor, recurrentKernel: tf.Tensor, between?: () => void): tf.Scalar {
  const weights = { kernel: kernel as tf.Tensor2D, recurrentKernel: recurrentKernel as tf.Tensor2D, bias: p.bias };
  const r = fusedRecurrence("lstm", p.x, weights, { h: p.h0, c: p.c0 }, { engine });
  between?.();
  return lossOf(p, r.outputs, r.state.h, r.state.c);
}

for (const engine of ["tfjs", "simd"] as const) describe(`nn/fused: variable weights read in place for the gradient (${engine} engine)`, () => {
  it("gives the same gradients as plain tensors, without tfjs copying the weights", async () => {
    const p = makeProblem("lstm", 2, 4, 3, 5);
    const vars = tf.tidy(() => [tf.variable(p.kernel.clone()), tf.variable(p.recurrentKernel.clone())]);
    try {
      const plain = tf.tidy(() => tf.grads((k: tf.Tensor, r: tf.Tensor) => loss(p, engine, k, r))([p.kernel, p.recurrentKernel]).map((g) => g.dataSync()));
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => loss(p, engine, vars[0], vars[1]), vars);
        const got = vars.map((v) => grads[v.name].dataSync());
        tf.dispose([value, ...Object.values(grads)]);
        return got;
      });
      const got = info.result as unknown as Float32Array[];
      got.forEach((g, i) => expect(maxAbsDiff(g, plain[i])).to.equal(0));
      // tfjs saves an op's inputs for its gradient with Identity (a copy on wasm).
      const weightShapes = vars.map((v) => JSON.stringify(v.shape));
      const copies = info.kernels.filter((k) => k.name === "Identity" && weightShapes.includes(JSON.stringify(k.outputShapes[0])));
      expect(copies.map((k) => k.outputShapes)).to.deep.equal([]);
    } finally {
      tf.dispose([...vars, ...Object.values(p).filter((t): t is tf.Tensor => t instanceof tf.Tensor)]);
    }
  });

  it("says so when a weight variable is assigned between the forward pass and its gradient", () => {
    const p = makeProblem("lstm", 2, 4, 3, 5);
    const vars = tf.tidy(() => [tf.variable(p.kernel.clone()), tf.variable(p.recurrentKernel.clone())]);
    try {
      const assignLater = () => vars[1].assign(tf.tidy(() => tf.mul(vars[1], 2)));
      expect(() => tf.variableGrads(() => loss(p, engine, vars[0], vars[1], assignLater), vars)).to.throw(
        /the recurrent kernel variable was assigned between the forward pass and its gradient; take the gradients before updating/,
      );
    } finally {
      tf.dispose([...vars, ...Object.values(p).filter((t): t is tf.Tensor => t instanceof tf.Tensor)]);
    }
  });
});

describe("nn/fused: the SIMD backward pass frees each phase's buffers before the next allocates", () => {
  it("holds about three gate-sized buffers (T·B·4U floats) of SIMD memory at once (it held almost six)", () => {
    // Gate-sized buffers dominate here (4U = 32 against D = 4): the activations, dZ and its two
    // packings for the weight-gradient products take one each, state-sized ones a quarter.
    const [B, T, D, U] = [8, 50, 4, 8];
    const p = makeProblem("lstm", B, T, D, U);
    const k = loadSimd();
    const weights = { kernel: p.kernel, recurrentKernel: p.recurrentKernel, bias: p.bias };
    try {
      k.resetPeak();
      const start = k.inUse;
      tf.tidy(() => {
        const loss = (x: tf.Tensor) => {
          const r = fusedRecurrence("lstm", x as tf.Tensor3D, weights, { h: p.h0, c: p.c0 }, { engine: "simd" });
          return lossOf(p, r.outputs, r.state.h, r.state.c);
        };
        tf.grad(loss)(p.x).dataSync();
      });
      const gateBytes = T * B * 4 * U * 4;
      const held = (k.peakInUse - start) / gateBytes;
      expect(held, `${held} gate-sized buffers`).to.be.below(3.5);
    } finally {
      tf.dispose(Object.values(p).filter((t): t is tf.Tensor => t instanceof tf.Tensor));
    }
  });
});
