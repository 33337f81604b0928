/**
 * The backend-neutral fused recurrence written with tfjs ops: the path used on tfjs-node and
 * the reference the fast kernels are tested against. Time-major inside ([T, B, ...]). Each
 * cell kind's forward step, backward step and recurrent-weight gradient stand together in
 * CELLS, as in lib/simd/assembly/recurrence.as; the engine around them walks time.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackwardResult, ForwardResult, RecurrenceEngine, StepArgs } from "./engine";
import type { CellKind } from "./types";

const sigmoidGrad = (y: tf.Tensor) => tf.mul(y, tf.sub(1, y)); // dσ/da from σ(a)
const tanhGrad = (y: tf.Tensor) => tf.sub(1, tf.square(y)); // dtanh/da from tanh(a)

/** What a forward step sees: the projected input x_t·W + b, the state, the recurrent kernel R. */
interface ForwardStep {
  xp: tf.Tensor;
  h: tf.Tensor;
  c?: tf.Tensor;
  R: tf.Tensor2D;
  U: number;
  relu: boolean;
}

/** What a backward step sees: dL/dh_t in total, dL/dc_t (LSTM), and what the forward step kept. */
interface BackwardStep {
  dh: tf.Tensor;
  dc?: tf.Tensor;
  h: tf.Tensor;
  hPrev: tf.Tensor;
  /** The step's gate activations (LSTM, GRU). */
  act?: tf.Tensor;
  c?: tf.Tensor;
  cPrev?: tf.Tensor;
  R: tf.Tensor2D;
  U: number;
  relu: boolean;
}

interface CellMath {
  /** h_t (and c_t, and the gate activations the backward step needs). */
  forward(s: ForwardStep): { h: tf.Tensor; c?: tf.Tensor; act?: tf.Tensor };
  /** dz_t (gradients of the gate pre-activations) and the gradients flowing to h_{t-1}, c_{t-1}. */
  backward(s: BackwardStep): { dz: tf.Tensor; dhPrev: tf.Tensor; dcPrev?: tf.Tensor };
  /** dL/dR over all steps: hPrev [T*B, U] and dZ [T*B, G*U] time-major, acts [T][B, G*U]. */
  recurrentGrad(hPrev: tf.Tensor, dZ: tf.Tensor, acts: tf.Tensor[], U: number): tf.Tensor;
}

/** dL/dR = Σ_t h_{t-1}^T dz_t, when every gate sees h_{t-1} itself. */
const plainRecurrentGrad = (hPrev: tf.Tensor, dZ: tf.Tensor) => tf.matMul(hPrev, dZ, true, false);

const rnn: CellMath = {
  forward({ xp, h, R, relu }) {
    const pre = tf.add(xp, tf.matMul(h, R));
    return { h: relu ? tf.relu(pre) : tf.tanh(pre) };
  },
  backward({ dh, h, R, relu }) {
    const dz = relu ? tf.mul(dh, tf.step(h)) : tf.mul(dh, tanhGrad(h));
    return { dz, dhPrev: tf.matMul(dz, R, false, true) };
  },
  recurrentGrad: plainRecurrentGrad,
};

const lstm: CellMath = {
  forward({ xp, h, c, R }) {
    const z = tf.add(xp, tf.matMul(h, R));
    const [zi, zf, zg, zo] = tf.split(z, 4, 1);
    const i = tf.sigmoid(zi), f = tf.sigmoid(zf), g = tf.tanh(zg), o = tf.sigmoid(zo);
    const cNext = tf.add(tf.mul(f, c!), tf.mul(i, g));
    return { h: tf.mul(o, tf.tanh(cNext)), c: cNext, act: tf.concat([i, f, g, o], 1) };
  },
  backward({ dh, dc: dcNext, act, c, cPrev, R }) {
    const [i, f, g, o] = tf.split(act!, 4, 1);
    const tc = tf.tanh(c!);
    const dc = tf.add(dcNext!, tf.mul(tf.mul(dh, o), tanhGrad(tc)));
    const di = tf.mul(dc, g), df = tf.mul(dc, cPrev!), dg = tf.mul(dc, i), dO = tf.mul(dh, tc);
    const dz = tf.concat(
      [tf.mul(di, sigmoidGrad(i)), tf.mul(df, sigmoidGrad(f)), tf.mul(dg, tanhGrad(g)), tf.mul(dO, sigmoidGrad(o))],
      1,
    );
    return { dz, dhPrev: tf.matMul(dz, R, false, true), dcPrev: tf.mul(dc, f) };
  },
  recurrentGrad: plainRecurrentGrad,
};

/** A GRU's recurrent kernel in its blocks: [z r] and the candidate's. */
const gruBlocks = (R: tf.Tensor2D, U: number) => ({ Rzr: R.slice([0, 0], [U, 2 * U]), Rh: R.slice([0, 2 * U], [U, U]) });

/** tfjs-layers GRU: the reset gate scales h before the candidate's recurrent product. */
const gru: CellMath = {
  forward({ xp, h, R, U }) {
    const { Rzr, Rh } = gruBlocks(R, U);
    const [xz, xr, xh] = tf.split(xp, 3, 1);
    const [rz, rr] = tf.split(tf.matMul(h, Rzr), 2, 1);
    const z = tf.sigmoid(tf.add(xz, rz));
    const r = tf.sigmoid(tf.add(xr, rr));
    const hh = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h), Rh)));
    return { h: tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)), act: tf.concat([z, r, hh], 1) };
  },
  backward({ dh, hPrev, act, R, U }) {
    const { Rzr, Rh } = gruBlocks(R, U);
    const [z, r, hh] = tf.split(act!, 3, 1);
    const daz = tf.mul(tf.mul(dh, tf.sub(hPrev, hh)), sigmoidGrad(z));
    const dah = tf.mul(tf.mul(dh, tf.sub(1, z)), tanhGrad(hh));
    const drh = tf.matMul(dah, Rh, false, true);
    const dar = tf.mul(tf.mul(drh, hPrev), sigmoidGrad(r));
    const dzr = tf.concat([daz, dar], 1);
    const dhPrev = tf.add(tf.add(tf.mul(dh, z), tf.mul(drh, r)), tf.matMul(dzr, Rzr, false, true));
    return { dz: tf.concat([dzr, dah], 1), dhPrev };
  },
  recurrentGrad(hPrev, dZ, acts, U) {
    // The z and r gates saw h_{t-1}; the candidate saw r*h_{t-1}.
    const rows = dZ.shape[0];
    const B = acts[0].shape[0];
    const rAll = tf.concat(acts.map((act) => act.slice([0, U], [B, U])), 0);
    const dzr = dZ.slice([0, 0], [rows, 2 * U]);
    const dah = dZ.slice([0, 2 * U], [rows, U]);
    return tf.concat([tf.matMul(hPrev, dzr, true, false), tf.matMul(tf.mul(rAll, hPrev), dah, true, false)], 1);
  },
};

const CELLS: Record<CellKind, CellMath> = { rnn, lstm, gru };

/** Input projection for all steps at once: [T, B, G*U]. */
function projectInputs(a: StepArgs): tf.Tensor[] {
  const { batch: B, time: T, inputDim: D } = a.dims;
  const xTime = tf.transpose(a.x, [1, 0, 2]).reshape([T * B, D]);
  const proj = tf.add(tf.matMul(xTime, a.kernel), a.bias).reshape([T, B, -1]);
  return tf.unstack(proj, 0);
}

function forward(a: StepArgs): ForwardResult {
  const cell = CELLS[a.kind];
  const { recurrentKernel: R, relu } = a;
  const U = a.dims.units;
  let h: tf.Tensor = a.h0;
  let c: tf.Tensor | undefined = a.c0;
  const hs: tf.Tensor[] = [];
  const acts: tf.Tensor[] = []; // per-step gate activations
  const cs: tf.Tensor[] = [];
  for (const xp of projectInputs(a)) {
    const next = cell.forward({ xp, h, c, R, U, relu });
    h = next.h;
    c = next.c;
    hs.push(h);
    if (next.act) acts.push(next.act);
    if (c) cs.push(c);
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
  const cell = CELLS[a.kind];
  const { recurrentKernel: R, relu } = a;
  const { batch: B, time: T, inputDim: D, units: U } = a.dims;
  const hsT = tf.unstack(saved[0], 0);
  const actsT = a.kind === "rnn" ? [] : tf.unstack(saved[1], 0);
  const csT = a.kind === "lstm" ? tf.unstack(saved[2], 0) : [];
  const dOut = tf.unstack(tf.transpose(dValue, [1, 0, 2]), 0); // T (+1 for LSTM's final c)
  let dhNext: tf.Tensor = tf.zerosLike(a.h0);
  let dcNext: tf.Tensor | undefined = a.kind === "lstm" ? dOut[T] : undefined;
  const dZ: tf.Tensor[] = new Array(T);
  const dhs: tf.Tensor[] = new Array(T);
  for (let t = T - 1; t >= 0; t--) {
    const dh = tf.add(dOut[t], dhNext);
    dhs[t] = dh;
    const step = cell.backward({
      dh,
      dc: dcNext,
      h: hsT[t],
      hPrev: t > 0 ? hsT[t - 1] : a.h0,
      act: actsT[t],
      c: csT[t],
      cPrev: t > 0 ? csT[t - 1] : a.c0,
      R,
      U,
      relu,
    });
    dZ[t] = step.dz;
    dhNext = step.dhPrev;
    dcNext = step.dcPrev;
  }
  // Weight gradients: one product over all time steps each.
  const dZall = tf.concat(dZ, 0); // [T*B, G*U], time-major rows
  const xTime = tf.transpose(a.x, [1, 0, 2]).reshape([T * B, D]);
  const hPrevAll = tf.concat([a.h0, ...hsT.slice(0, T - 1)], 0); // [T*B, U]
  const dKernel = tf.matMul(xTime, dZall, true, false);
  const dRecurrent = cell.recurrentGrad(hPrevAll, dZall, actsT, U);
  const dBias = tf.sum(dZall, 0);
  const dx = tf.transpose(tf.matMul(dZall, a.kernel, false, true).reshape([T, B, D]), [1, 0, 2]);
  const grads = [dx, dKernel, dRecurrent, dBias, dhNext];
  if (a.kind === "lstm") grads.push(dcNext!);
  const dh = tf.stack(dhs, 1) as tf.Tensor3D;
  return { grads, dh };
}

export const tfjsEngine: RecurrenceEngine = { name: "tfjs", forward, backward };
