/**
 * Norms of the recurrent Jacobians J_t = dh_t/dh_{t-1}: their product is what carries a
 * gradient back through time, so steps with ||J_t|| < 1 shrink it and > 1 grow it.
 * We report the spectral norm (largest singular value), estimated by power iteration on
 * J^T J with Jacobian-vector products built from reverse-mode autodiff (J v is the
 * gradient of <J^T w, v> with respect to w), so no Jacobian matrix is ever formed.
 * For an LSTM, J_t is the partial derivative of h_t with respect to h_{t-1} holding
 * c_{t-1} fixed.
 */
import * as tf from "@tensorflow/tfjs";
import { makeRng } from "../random";
import { toIds } from "../train/losses";
import { layerStack, runStack } from "../train/unroll";

/** Spectral norm of the Jacobian of a row-wise map f at h ([batch, n] → [batch, m]), per row. */
export function spectralNormPerRow(f: (h: tf.Tensor2D) => tf.Tensor2D, h: tf.Tensor2D, iterations = 20, seed = 0): tf.Tensor1D {
  return tf.tidy(() => {
    const vjp = (w: tf.Tensor2D): tf.Tensor2D => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D), w)))(h) as tf.Tensor2D;
    const jvp = (v: tf.Tensor2D, outShape: number[]): tf.Tensor2D =>
      tf.grad((w: tf.Tensor) => tf.sum(tf.mul(vjp(w as tf.Tensor2D), v)))(tf.zeros(outShape)) as tf.Tensor2D;
    const outShape = tf.tidy(() => f(h).shape);
    const rowNorm = (x: tf.Tensor2D) => tf.sqrt(tf.sum(tf.square(x), 1, true));
    // The start vector comes from seqlab's generator: tfjs's randomNormal takes seed 0 (step 0's)
    // as "no seed" and draws from Math.random, and where the top two singular values nearly tie
    // the estimate after a few dozen iterations still depends on the start.
    const rng = makeRng(seed);
    let v = tf.tensor2d(Float32Array.from({ length: h.size }, () => rng.normal()), h.shape as [number, number]);
    v = tf.div(v, rowNorm(v));
    let sigma: tf.Tensor = tf.zeros([h.shape[0], 1]);
    for (let i = 0; i < iterations; i++) {
      const next = tf.tidy(() => {
        const u = jvp(v, outShape); // J v
        const s = rowNorm(u); // ||J v|| with ||v|| = 1
        const w = vjp(u); // J^T J v
        const wn = rowNorm(w);
        // A row whose Jacobian kills v (w = 0) keeps its v; its sigma is 0 anyway.
        const vNext = tf.where(tf.greater(wn, 0), tf.div(w, tf.maximum(wn, 1e-30)), v);
        return [vNext, s] as [tf.Tensor2D, tf.Tensor];
      });
      v.dispose();
      sigma.dispose();
      [v, sigma] = next;
    }
    return tf.reshape(sigma, [-1]) as tf.Tensor1D;
  });
}

export interface JacobianOptions {
  /** Power iterations per step (default 20). */
  iterations?: number;
}

export interface JacobianNormsData {
  layers: string[];
  /** [layer][t]: spectral norm of dh_t/dh_{t-1}, mean over the batch. */
  norms: number[][];
  method: "spectral (power iteration)";
}

/** Recurrent Jacobian norms of every recurrent layer of a token model for inputs `x` (ids). */
export async function jacobianNorms(model: tf.LayersModel, x: tf.Tensor | number[][], options: JacobianOptions = {}): Promise<JacobianNormsData> {
  const iterations = options.iterations ?? 20;
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`jacobian iterations must be a positive integer, got ${iterations}`);
  const stack = layerStack(model);
  const recurrent = stack.filter((s) => s.recurrentIndex !== undefined);
  if (recurrent.length === 0) throw new Error("jacobianNorms: the model has no recurrent layers");
  const perLayer = tf.tidy(() => {
    const run = runStack(stack, toIds(x, "x"), { keepInputs: true });
    return recurrent.map((s, l) => {
      const stepper = s.stepper!;
      const inputs = run.inputs![l];
      const before = run.statesBefore![l];
      const sigmas = inputs.map((xt, t) => {
        const [h, ...rest] = before[t];
        const step = (hh: tf.Tensor2D) => stepper.step(xt, [hh, ...rest], false).h;
        return tf.mean(spectralNormPerRow(step, h as tf.Tensor2D, iterations, t));
      });
      return tf.stack(sigmas);
    });
  });
  const norms: number[][] = [];
  for (const t of perLayer) {
    norms.push(Array.from(await t.data()));
    t.dispose();
  }
  return { layers: recurrent.map((s) => s.layer.name), norms, method: "spectral (power iteration)" };
}
