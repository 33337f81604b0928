/**
 * The backend-neutral fused recurrence written with tfjs ops: the path used on tfjs-node and
 * the reference the fast kernels are tested against. Time-major inside ([T, B, ...]).
 */
import * as tf from "@tensorflow/tfjs";
import type { BackwardResult, ForwardResult, RecurrenceEngine, StepArgs } from "./engine";

const sigmoidGrad = (y: tf.Tensor) => tf.mul(y, tf.sub(1, y)); // dσ/da from σ(a)
const tanhGrad = (y: tf.Tensor) => tf.sub(1, tf.square(y)); // dtanh/da from tanh(a)

/** Input projection for all steps at once: [T, B, G*U]. */
function projectInputs(a: StepArgs): tf.Tensor[] {
  const { batch: B, time: T, inputDim: D } = a.dims;
  const xTime = tf.transpose(a.x, [1, 0, 2]).reshape([T * B, D]);
  const proj = tf.add(tf.matMul(xTime, a.kernel), a.bias).reshape([T, B, -1]);
  return tf.unstack(proj, 0);
}

function forward(a: StepArgs): ForwardResult {
  const { units: U } = a.dims;
  const R = a.recurrentKernel;
  const xs = projectInputs(a);
  let h: tf.Tensor = a.h0;
  let c: tf.Tensor | undefined = a.c0;
  const hs: tf.Tensor[] = [];
  const acts: tf.Tensor[] = []; // per-step gate activations
  const cs: tf.Tensor[] = [];
  for (const xp of xs) {
    if (a.kind === "rnn") {
      const pre = tf.add(xp, tf.matMul(h, R));
      h = a.relu ? tf.relu(pre) : tf.tanh(pre);
    } else if (a.kind === "lstm") {
      const z = tf.add(xp, tf.matMul(h, R));
      const [zi, zf, zg, zo] = tf.split(z, 4, 1);
      const i = tf.sigmoid(zi), f = tf.sigmoid(zf), g = tf.tanh(zg), o = tf.sigmoid(zo);
      c = tf.add(tf.mul(f, c!), tf.mul(i, g));
      h = tf.mul(o, tf.tanh(c));
      acts.push(tf.concat([i, f, g, o], 1));
      cs.push(c);
    } else {
      // tfjs-layers GRU: the reset gate scales h before the candidate's recurrent product.
      const [xz, xr, xh] = tf.split(xp, 3, 1);
      const inner = tf.matMul(h, R.slice([0, 0], [U, 2 * U]));
      const [rz, rr] = tf.split(inner, 2, 1);
      const z = tf.sigmoid(tf.add(xz, rz));
      const r = tf.sigmoid(tf.add(xr, rr));
      const hh = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h), R.slice([0, 2 * U], [U, U]))));
      h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
      acts.push(tf.concat([z, r, hh], 1));
    }
    hs.push(h);
  }
  const outputs = tf.stack(hs, 1) as tf.Tensor3D;
  const value = a.kind === "lstm" ? (tf.concat([outputs, tf.expandDims(c!, 1)], 1) as tf.Tensor3D) : outputs;
  if (!a.keepActivations) return { value, saved: [] };
  const saved = [tf.stack(hs, 0)];
  if (acts.length) saved.push(tf.stack(acts, 0));
  if (cs.length) saved.push(tf.stack(cs, 0));
  return { value, saved };
}

function backward(a: StepArgs, dValue: tf.Tensor3D, saved: tf.Tensor[]): BackwardResult {
  const { batch: B, time: T, inputDim: D, units: U } = a.dims;
  const R = a.recurrentKernel;
  const hsT = tf.unstack(saved[0], 0);
  const actsT = a.kind === "rnn" ? [] : tf.unstack(saved[1], 0);
  const csT = a.kind === "lstm" ? tf.unstack(saved[2], 0) : [];
  const dOut = tf.unstack(tf.transpose(dValue, [1, 0, 2]), 0); // T (+1 for LSTM's final c)
  let dhNext: tf.Tensor = tf.zerosLike(a.h0);
  let dcNext: tf.Tensor | undefined = a.kind === "lstm" ? dOut[T] : undefined;
  const dZ: tf.Tensor[] = new Array(T);
  const dhs: tf.Tensor[] = new Array(T);
  const Rzr = a.kind === "gru" ? R.slice([0, 0], [U, 2 * U]) : R;
  const Rh = a.kind === "gru" ? R.slice([0, 2 * U], [U, U]) : R;
  for (let t = T - 1; t >= 0; t--) {
    const dh = tf.add(dOut[t], dhNext);
    dhs[t] = dh;
    const hPrev = t > 0 ? hsT[t - 1] : a.h0;
    if (a.kind === "rnn") {
      const h = hsT[t];
      const da = a.relu ? tf.mul(dh, tf.step(h)) : tf.mul(dh, tanhGrad(h));
      dZ[t] = da;
      dhNext = tf.matMul(da, R, false, true);
    } else if (a.kind === "lstm") {
      const [i, f, g, o] = tf.split(actsT[t], 4, 1);
      const cPrev = t > 0 ? csT[t - 1] : a.c0!;
      const tc = tf.tanh(csT[t]);
      const dc = tf.add(dcNext!, tf.mul(tf.mul(dh, o), tanhGrad(tc)));
      const di = tf.mul(dc, g), df = tf.mul(dc, cPrev), dg = tf.mul(dc, i), dO = tf.mul(dh, tc);
      const dz = tf.concat(
        [tf.mul(di, sigmoidGrad(i)), tf.mul(df, sigmoidGrad(f)), tf.mul(dg, tanhGrad(g)), tf.mul(dO, sigmoidGrad(o))],
        1,
      );
      dZ[t] = dz;
      dcNext = tf.mul(dc, f);
      dhNext = tf.matMul(dz, R, false, true);
    } else {
      const [z, r, hh] = tf.split(actsT[t], 3, 1);
      const daz = tf.mul(tf.mul(dh, tf.sub(hPrev, hh)), sigmoidGrad(z));
      const dah = tf.mul(tf.mul(dh, tf.sub(1, z)), tanhGrad(hh));
      const drh = tf.matMul(dah, Rh, false, true);
      const dar = tf.mul(tf.mul(drh, hPrev), sigmoidGrad(r));
      const dzr = tf.concat([daz, dar], 1);
      dZ[t] = tf.concat([dzr, dah], 1);
      dhNext = tf.add(tf.add(tf.mul(dh, z), tf.mul(drh, r)), tf.matMul(dzr, Rzr, false, true));
    }
  }
  // Weight gradients: one product over all time steps each.
  const dZall = tf.concat(dZ, 0); // [T*B, G*U], time-major rows
  const xTime = tf.transpose(a.x, [1, 0, 2]).reshape([T * B, D]);
  const hPrevAll = tf.concat([a.h0, ...hsT.slice(0, T - 1)], 0); // [T*B, U]
  const dKernel = tf.matMul(xTime, dZall, true, false);
  let dRecurrent: tf.Tensor;
  if (a.kind === "gru") {
    const rAll = tf.concat(actsT.map((act) => act.slice([0, U], [B, U])), 0);
    const dzr = dZall.slice([0, 0], [T * B, 2 * U]);
    const dah = dZall.slice([0, 2 * U], [T * B, U]);
    dRecurrent = tf.concat([tf.matMul(hPrevAll, dzr, true, false), tf.matMul(tf.mul(rAll, hPrevAll), dah, true, false)], 1);
  } else {
    dRecurrent = tf.matMul(hPrevAll, dZall, true, false);
  }
  const dBias = tf.sum(dZall, 0);
  const dx = tf.transpose(tf.matMul(dZall, a.kernel, false, true).reshape([T, B, D]), [1, 0, 2]);
  const grads = [dx, dKernel, dRecurrent, dBias, dhNext];
  if (a.kind === "lstm") grads.push(dcNext!);
  const dh = tf.stack(dhs, 1) as tf.Tensor3D;
  return { grads, dh };
}

export const tfjsEngine: RecurrenceEngine = { name: "tfjs", forward, backward };
