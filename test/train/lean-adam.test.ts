import { expect } from "chai";
import * as tf from "@tensorflow/tfjs";
import { leanAdam, resolveOptimizer } from "../../lib/train";
import { captureOptimizerState } from "../../lib/train/optimizer";

/** Three variables and a loss on them, the same from the same seed. */
function problem(seed: number) {
  const vars = [
    tf.variable(tf.randomNormal([64, 128], 0, 1, "float32", seed), true, `lean-a-${seed}`),
    tf.variable(tf.randomNormal([128, 32], 0, 1, "float32", seed + 1), true, `lean-b-${seed}`),
    tf.variable(tf.randomNormal([32], 0, 1, "float32", seed + 2), true, `lean-c-${seed}`),
  ];
  const x = tf.randomNormal([16, 64], 0, 1, "float32", seed + 3);
  const loss = () => tf.tidy(() => tf.add(tf.matMul(tf.matMul(x, vars[0]), vars[1]), vars[2]).square().mean() as tf.Scalar);
  return { vars, x, loss };
}

function train(optimizer: tf.Optimizer, seed: number, steps: number): number[][] {
  const p = problem(seed);
  for (let i = 0; i < steps; i++) {
    const { value, grads } = tf.variableGrads(p.loss, p.vars);
    optimizer.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
  }
  const weights = p.vars.map((v) => Array.from(v.dataSync()));
  tf.dispose([...p.vars, p.x]);
  return weights;
}

describe("train: lean Adam (one tidy per variable)", () => {
  it("updates exactly as tf.train.adam does, step for step, with the same state and class name", async () => {
    const ours = leanAdam(0.01, 0.9, 0.999, 1e-7);
    const theirs = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    try {
      expect(train(ours, 1, 5)).to.deep.equal(train(theirs, 1, 5));
      expect(ours.getClassName()).to.equal("Adam");
      expect(ours.iterations).to.equal(theirs.iterations);
      const [sa, sb] = [await captureOptimizerState(ours), await captureOptimizerState(theirs)];
      expect(sa.slots.map((s) => s.name.replace(/lean-\w-1/, "v"))).to.deep.equal(sb.slots.map((s) => s.name.replace(/lean-\w-1/, "v")));
      expect(sa.slots.map((s) => Array.from(s.values))).to.deep.equal(sb.slots.map((s) => Array.from(s.values)));
      expect(Array.from(sa.fields.accBeta1.values)).to.deep.equal(Array.from(sb.fields.accBeta1.values));
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });

  it("on the wasm backend, updates each variable in one kernel pass (no tfjs op of the variable's size), as the test above checks to the bit", async () => {
    expect(tf.getBackend()).to.equal("wasm");
    const value = tf.variable(tf.randomNormal([300, 7], 0, 1, "float32", 21), true, "lean-fused");
    const gradient = tf.randomNormal([300, 7], 0, 1, "float32", 22);
    const optimizer = leanAdam(0.01);
    try {
      const grads = [{ name: value.name, tensor: gradient }];
      optimizer.applyGradients(grads);
      const before = Array.from(value.dataSync());
      const info = await tf.profile(() => optimizer.applyGradients(grads));
      // What remains are the bias corrections' scalars (1 - beta^t and beta^t's update).
      expect(info.kernels.every((k) => k.outputShapes.every((s) => s.length === 0)), info.kernelNames.join()).to.equal(true);
      expect(Array.from(value.dataSync())).to.not.deep.equal(before);
    } finally {
      tf.dispose([value, gradient]);
      optimizer.dispose();
    }
  });

  it("is what the name \"adam\" gives, and keeps fewer bytes alive during an update than tfjs's Adam", async () => {
    const named = resolveOptimizer("adam", 0.01);
    expect(named.constructor.name).to.equal("LeanAdamOptimizer");
    named.dispose();
    /** Bytes an update holds at its top beyond those alive before it (tfjs's profiler; not a timing). */
    const updatePeak = async (optimizer: tf.Optimizer) => {
      const p = problem(5);
      const { value, grads } = tf.variableGrads(p.loss, p.vars);
      try {
        optimizer.applyGradients(grads); // the first update creates the moments; measure the second
        // tfjs's peakBytes counts every tensor alive, those of earlier tests included.
        const before = tf.memory().numBytes;
        const info = await tf.profile(() => optimizer.applyGradients(grads));
        return info.peakBytes - before;
      } finally {
        tf.dispose([value, ...Object.values(grads), ...p.vars, p.x]);
        optimizer.dispose();
      }
    };
    const lean = await updatePeak(leanAdam(0.01));
    const stock = await updatePeak(tf.train.adam(0.01));
    // tfjs keeps every variable's temporaries until the last is updated; the lean one, about
    // one variable's worth (the largest here is 128x64 of the 12,320 floats).
    expect(lean, `lean ${lean} bytes, tfjs ${stock} bytes`).to.be.below(stock * 0.75);
  });

  it("holds at most three of a variable's size at the top of its update, not every temporary", async () => {
    const value = tf.variable(tf.randomNormal([256, 1024], 0, 1, "float32", 11), true, "lean-big");
    const gradient = tf.randomNormal([256, 1024], 0, 1, "float32", 12);
    const optimizer = leanAdam(0.01);
    try {
      const grads = [{ name: value.name, tensor: gradient }];
      optimizer.applyGradients(grads); // the first update creates the moments; measure the second
      const before = tf.memory().numBytes;
      const info = await tf.profile(() => optimizer.applyGradients(grads));
      const size = 256 * 1024 * 4;
      // The update's formula has fourteen tensors of this size; one tidy around it keeps all.
      expect((info.peakBytes - before) / size).to.be.at.most(3.01);
      expect(tf.memory().numBytes, "nothing left behind").to.equal(before);
    } finally {
      tf.dispose([value, gradient]);
      optimizer.dispose();
    }
  });
});
