/** Small models and data for the training tests (sizes kept tiny so the suite stays fast). */
import * as tf from "@tensorflow/tfjs";
import type { BatchContext } from "../../lib/train";

/** Linear regression y = x·[1,-2,3] + 0.5 on explicit variables. */
export function linearProblem(seed = 1) {
  const w = tf.variable(tf.randomNormal([3, 1], 0, 0.1, "float32", seed), true);
  const b = tf.variable(tf.zeros([1]), true);
  const trueW = tf.tensor2d([[1], [-2], [3]]);
  const loss = (batch: { x: tf.Tensor2D; y: tf.Tensor2D }) =>
    tf.tidy(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(batch.x, w), b), batch.y))) as tf.Scalar);
  const batches = (ctx: BatchContext) => {
    const rows = Array.from({ length: 8 }, () => [ctx.rng.normal(), ctx.rng.normal(), ctx.rng.normal()]);
    const x = tf.tensor2d(rows);
    const y = tf.tidy(() => tf.add(tf.matMul(x, trueW), 0.5)) as tf.Tensor2D;
    return { x, y };
  };
  const values = () => [...Array.from(w.dataSync()), ...Array.from(b.dataSync())];
  const dispose = () => tf.dispose([w, b, trueW]);
  return { w, b, variables: [w, b], loss, batches, values, dispose };
}

export type CellType = "simpleRNN" | "lstm" | "gru";

/** Embedding → recurrent (every step) → Dense logits, with seeded initialisers. */
export function tinyTokenModel(options: { vocab?: number; units?: number; cell?: CellType; seed?: number; embedding?: number } = {}) {
  const { vocab = 5, units = 4, cell = "lstm", seed = 7, embedding = 3 } = options;
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: vocab, outputDim: embedding, inputShape: [null], embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed }) }));
  const rnnArgs = {
    units,
    returnSequences: true,
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
  };
  model.add(cell === "lstm" ? tf.layers.lstm(rnnArgs) : cell === "gru" ? tf.layers.gru(rnnArgs) : tf.layers.simpleRNN(rnnArgs));
  model.add(tf.layers.dense({ units: vocab, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }));
  return model;
}

/** Random token windows from the batch RNG: y is x shifted by one over a cyclic pattern. */
export function tokenBatches(vocab = 5, batch = 2, time = 6) {
  return (ctx: BatchContext) => {
    const x: number[][] = [];
    const y: number[][] = [];
    for (let b = 0; b < batch; b++) {
      const start = ctx.rng.int(vocab);
      const row = Array.from({ length: time + 1 }, (_, t) => (start + t) % vocab);
      x.push(row.slice(0, time));
      y.push(row.slice(1));
    }
    return { x: tf.tensor2d(x, [batch, time], "int32"), y: tf.tensor2d(y, [batch, time], "int32") };
  };
}

export function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array).map((a) => Float32Array.from(a));
}
