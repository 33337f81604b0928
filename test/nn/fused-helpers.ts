/** Shared pieces for the fused recurrence tests: deterministic data and an unrolled reference. */
import * as tf from "@tensorflow/tfjs";
import type { CellKind } from "../../lib/nn/fused";
import { gateCount } from "../../lib/nn/init";

/** A deterministic pseudo-random tensor (a fixed formula, the same on every backend). */
export function fixed(shape: number[], seed: number, scale = 0.5): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = scale * Math.sin(seed * 12.9898 + i * 78.233 + (i % 7) * seed);
  return tf.tensor(v, shape);
}

export interface Problem {
  kind: CellKind;
  relu: boolean;
  x: tf.Tensor3D;
  kernel: tf.Tensor2D;
  recurrentKernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  h0: tf.Tensor2D;
  c0?: tf.Tensor2D;
  /** Weights of a scalar loss over outputs (and final states), so every gradient is non-trivial. */
  wOut: tf.Tensor3D;
  wH: tf.Tensor2D;
  wC: tf.Tensor2D;
}

export function makeProblem(kind: CellKind, B: number, T: number, D: number, U: number, relu = false): Problem {
  const G = gateCount(kind);
  return {
    kind,
    relu,
    x: fixed([B, T, D], 1, 1) as tf.Tensor3D,
    kernel: fixed([D, G * U], 2, 0.6) as tf.Tensor2D,
    recurrentKernel: fixed([U, G * U], 3, 0.6) as tf.Tensor2D,
    bias: fixed([G * U], 4, 0.3) as tf.Tensor1D,
    h0: fixed([B, U], 5, 0.5) as tf.Tensor2D,
    c0: kind === "lstm" ? (fixed([B, U], 6, 0.5) as tf.Tensor2D) : undefined,
    wOut: fixed([B, T, U], 7, 1) as tf.Tensor3D,
    wH: fixed([B, U], 8, 1) as tf.Tensor2D,
    wC: fixed([B, U], 9, 1) as tf.Tensor2D,
  };
}

export function problemInputs(p: Problem): tf.Tensor[] {
  const list = [p.x, p.kernel, p.recurrentKernel, p.bias, p.h0];
  if (p.c0) list.push(p.c0);
  return list;
}

export function lossOf(p: Problem, outputs: tf.Tensor, h: tf.Tensor, c?: tf.Tensor): tf.Scalar {
  let loss = tf.add(tf.sum(tf.mul(outputs, p.wOut)), tf.sum(tf.mul(h, p.wH)));
  if (c) loss = tf.add(loss, tf.sum(tf.mul(c, p.wC)));
  return loss as tf.Scalar;
}

/**
 * The textbook step-by-step cell, unrolled with plain tfjs ops and autodiff. `probes` (zeros,
 * one per step) are added to h_t, so the gradient with respect to a probe is dL/dh_t.
 */
export function unrolled(
  p: Problem,
  [x, W, R, b, h0, c0]: tf.Tensor[],
  probes?: tf.Tensor[],
): { outputs: tf.Tensor3D; h: tf.Tensor2D; c?: tf.Tensor2D } {
  const [B, T, D] = x.shape;
  const sig = tf.sigmoid;
  let h = h0, c = c0;
  const hs: tf.Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const xt = tf.reshape(tf.slice(x, [0, t, 0], [B, 1, D]), [B, D]);
    const xw = tf.add(tf.matMul(xt, W), b);
    if (p.kind === "rnn") {
      const a = tf.add(xw, tf.matMul(h, R));
      h = p.relu ? tf.relu(a) : tf.tanh(a);
    } else if (p.kind === "lstm") {
      const [i, f, g, o] = tf.split(tf.add(xw, tf.matMul(h, R)), 4, 1);
      c = tf.add(tf.mul(sig(f), c!), tf.mul(sig(i), tf.tanh(g)));
      h = tf.mul(sig(o), tf.tanh(c));
    } else {
      const [xz, xr, xh] = tf.split(xw, 3, 1);
      const [Rz, Rr, Rh] = tf.split(R, 3, 1);
      const z = sig(tf.add(xz, tf.matMul(h, Rz)));
      const r = sig(tf.add(xr, tf.matMul(h, Rr)));
      const hh = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h), Rh)));
      h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
    }
    if (probes) h = tf.add(h, probes[t]);
    hs.push(h);
  }
  return { outputs: tf.stack(hs, 1) as tf.Tensor3D, h: h as tf.Tensor2D, c: c as tf.Tensor2D | undefined };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
