import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { fusedRecurrence } from "../../lib/nn/fused";
import { loadSimd } from "../../lib/simd";
import { PackedWeights, releasePackedWeights, sharedPackedWeights } from "../../lib/simd/packed-weights";
import { leanAdam } from "../../lib/train";
import { fixed } from "../nn/fused-helpers";

const SPEC = { role: "R", col0: 0, cols: 64, transpose: false };

describe("simd: packed weights are freed once tfjs frees their data", () => {
  it("keeps the packing of a tensor still alive, and frees a variable's old packing when the next is made", () => {
    const k = loadSimd();
    const cache = new PackedWeights(k);
    const kept = fixed([32, 64], 1) as tf.Tensor2D;
    const weights = tf.tidy(() => tf.variable(fixed([32, 64], 2)));
    try {
      const keptPacking = cache.get(kept, SPEC);
      cache.get(weights as tf.Tensor as tf.Tensor2D, SPEC);
      const update = fixed([32, 64], 3);
      weights.assign(update); // the variable's old data is freed: its packing can never be used again
      update.dispose();
      cache.get(weights as tf.Tensor as tf.Tensor2D, SPEC);
      expect(cache.size, "the old value's packing is gone, the live ones kept").to.equal(2);
      expect(cache.get(kept, SPEC), "a live tensor's packing is reused").to.equal(keptPacking);
    } finally {
      cache.clear();
      tf.dispose([kept, weights]);
    }
  });

  it("keeps only the backward pass's packings after an LSTM training step, and the kernels' memory in use stops growing", () => {
    const k = loadSimd();
    const [B, T, D, U] = [2, 5, 8, 16];
    const x = fixed([B, T, D], 4) as tf.Tensor3D;
    const zeros = tf.zeros([B, U]) as tf.Tensor2D;
    const vars = tf.tidy(() => [fixed([D, 4 * U], 5), fixed([U, 4 * U], 6), fixed([4 * U], 7)].map((t) => tf.variable(t)));
    const optimizer: tf.Optimizer = leanAdam(0.01);
    const sizes: number[] = [];
    const memory: number[] = [];
    releasePackedWeights();
    try {
      for (let step = 0; step < 6; step++) {
        const { value, grads } = tf.variableGrads(() => {
          const weights = { kernel: vars[0] as tf.Tensor2D, recurrentKernel: vars[1] as tf.Tensor2D, bias: vars[2] as tf.Tensor1D };
          const { outputs } = fusedRecurrence("lstm", x, weights, { h: zeros, c: zeros }, { engine: "simd" });
          return tf.sum(tf.square(outputs)) as tf.Scalar;
        }, vars);
        optimizer.applyGradients(grads);
        tf.dispose([value, ...Object.values(grads)]);
        sizes.push(sharedPackedWeights(k).size);
        memory.push(k.highWater);
      }
      // W^T and R^T: the backward pass freed the forward pass's W and R (an update follows).
      expect(sizes).to.deep.equal([2, 2, 2, 2, 2, 2]);
      expect(memory.slice(2), "no growth from step to step").to.deep.equal(Array(4).fill(memory[1]));
    } finally {
      releasePackedWeights();
      optimizer.dispose();
      tf.dispose([x, zeros, ...vars]);
    }
  });
});
