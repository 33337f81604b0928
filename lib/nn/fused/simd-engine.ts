/**
 * The fused recurrence on seqlab's WebAssembly SIMD kernels (used on the wasm and cpu
 * backends): tensors are copied into SIMD kernel memory, the whole sequence runs there, and
 * the results come back as tensors. Layout inside is time-major ([T][B][...]).
 */
import * as tf from "@tensorflow/tfjs";
import { loadSimd } from "../../simd";
import { swapLeading } from "../../simd/layout";
import { sharedPackedWeights, type PackedWeights } from "../../simd/packed-weights";
import { mark } from "../../simd/profile";
import { allocStepScratch, recurrentPackSpecs, recurrentStep } from "./simd-step";
import { dataIdOf, floats } from "../../simd/tensor-floats";
import { expandRows, gatherDistinct, repeatedRows, sumRowsInto, type RepeatedRows } from "../../simd/repeated-rows";
import type { BackwardResult, ForwardResult, RecurrenceEngine, StepArgs } from "./engine";

function recurrentPacks(a: StepArgs, pw: PackedWeights, transpose: boolean): number[] {
  return recurrentPackSpecs(a.kind, a.dims.units, transpose).map((spec) => pw.get(a.recurrentKernel, spec));
}

/**
 * The input's repeated rows in the kernels' time-major order (row t*B + b), when enough
 * repeat to pay. Found once per input: kept by its data id (tfjs data never changes) for the
 * backward pass, and gone with the data.
 */
const rowsByInput = new WeakMap<object, RepeatedRows | null>();
function inputRows(a: StepArgs): RepeatedRows | undefined {
  const id = dataIdOf(a.x);
  let rows = rowsByInput.get(id);
  if (rows === undefined) {
    const { batch: B, time: T, inputDim: D } = a.dims;
    rows = repeatedRows(floats(a.x), B * T, D, (i) => (i % B) * T + Math.floor(i / B)) ?? null;
    rowsByInput.set(id, rows);
  }
  return rows ?? undefined;
}

function forward(a: StepArgs): ForwardResult {
  const k = loadSimd();
  const x = k.x;
  const pw = sharedPackedWeights(k);
  const { batch: B, time: T, inputDim: D, units: U, gates: G } = a.dims;
  const GU = G * U, TB = T * B, BU = B * U;
  mark();
  const Wp = pw.get(a.kernel, { role: "W", col0: 0, cols: GU, transpose: false });
  const Rps = recurrentPacks(a, pw, false);
  mark("pack weights");
  const arena = k.arena();
  try {
    const repeated = inputRows(a);
    const rows = repeated ? repeated.firsts.length : TB; // rows the input product runs on
    const xRows = arena.floats(rows * D); // x time-major, or its distinct rows
    const z = arena.floats(TB * GU);
    const zDistinct = repeated ? arena.floats(rows * GU) : z;
    const hs = arena.floats((T + 1) * BU);
    const cs = a.kind === "lstm" ? arena.floats((T + 1) * BU) : 0;
    const Ap = arena.bytes(x.packedASize(rows, D));
    const scratch = allocStepScratch(a.kind, B, U, x, (n) => arena.bytes(n));
    const bias = arena.put(floats(a.bias));
    // No allocation below this line, so the memory view stays valid.
    const mem = k.f32();
    if (repeated) gatherDistinct(repeated, floats(a.x), D, mem, xRows >> 2);
    else swapLeading(floats(a.x), B, T, D, mem, xRows >> 2);
    mem.set(floats(a.h0), hs >> 2);
    if (cs) mem.set(floats(a.c0!), cs >> 2);
    mark("copies in/out");
    // Input projection for every step at once: z = x·W + b (on the distinct rows of x, then
    // copied to the rows that repeat them).
    x.fillRows(zDistinct, rows, GU, bias);
    x.packA(xRows, rows, D, D, 0, Ap);
    k.gemm(Ap, Wp, zDistinct, rows, GU, D, GU, true);
    if (repeated) expandRows(repeated, mem, zDistinct >> 2, z >> 2, GU);
    mark("forward input GEMM");
    // The recurrence, one step at a time: h_{t-1}·R on all threads, then the gates.
    const stateBytes = BU * 4;
    for (let t = 0; t < T; t++) {
      const hPrev = hs + t * stateBytes;
      const cPrev = cs + t * stateBytes;
      recurrentStep(k, a.kind, a.relu, B, U, Rps, z + t * B * GU * 4, hPrev, hPrev + stateBytes, cPrev, cPrev + stateBytes, scratch);
    }
    mark("forward recurrence");

    const slots = a.kind === "lstm" ? T + 1 : T;
    const out = new Float32Array(B * slots * U);
    const h0 = (hs >> 2) + BU; // h_1 .. h_T follow h0
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const from = h0 + (t * B + b) * U;
        out.set(mem.subarray(from, from + U), (b * slots + t) * U);
      }
    }
    if (cs) {
      const cLast = (cs >> 2) + T * BU;
      for (let b = 0; b < B; b++) out.set(mem.subarray(cLast + b * U, cLast + (b + 1) * U), (b * slots + T) * U);
    }
    const value = tf.tensor3d(out, [B, slots, U]);
    if (!a.keepActivations) {
      mark("copies in/out");
      return { value, saved: [] };
    }
    const saved: tf.Tensor[] = [tf.tensor3d(k.read(hs, (T + 1) * BU), [T + 1, B, U])];
    if (a.kind !== "rnn") saved.push(tf.tensor3d(k.read(z, TB * GU), [T, B, GU]));
    if (cs) saved.push(tf.tensor3d(k.read(cs, (T + 1) * BU), [T + 1, B, U]));
    mark("copies in/out");
    return { value, saved };
  } finally {
    arena.release();
  }
}

function backward(a: StepArgs, dValue: tf.Tensor3D, saved: tf.Tensor[]): BackwardResult {
  const k = loadSimd();
  const x = k.x;
  const pw = sharedPackedWeights(k);
  const { batch: B, time: T, inputDim: D, units: U, gates: G } = a.dims;
  const GU = G * U, TB = T * B, BU = B * U;
  const gru = a.kind === "gru", lstm = a.kind === "lstm";
  mark();
  // The forward pass's packings of these weights are done with: after the gradient comes an
  // update (new weights, new packings). Freed first, their memory holds the transposed ones.
  pw.drop(a.kernel, ["W"]);
  pw.drop(a.recurrentKernel, recurrentPackSpecs(a.kind, U, false).map((spec) => spec.role));
  const RTps = recurrentPacks(a, pw, true);
  const WTp = pw.get(a.kernel, { role: "WT", col0: 0, cols: GU, transpose: true });
  mark("pack weights");
  // Buffers in three arenas by lifetime, each phase's freed before the next allocates, so the
  // next reuses their memory: the whole pass (`kept`), the walk back through time (`walk`),
  // and the weight-gradient products (`products`).
  const kept = k.arena(), walk = k.arena(), products = k.arena();
  try {
    const hs = kept.put(floats(saved[0]));
    const dh = kept.floats(BU);
    const dc = lstm ? kept.floats(BU) : 0;
    const dZ = kept.floats(TB * GU);
    const dhs = kept.floats(TB * U);
    const dW = kept.floats(D * GU);
    const dR = kept.floats(U * GU);
    const db = kept.floats(GU);
    const acts = a.kind === "rnn" ? 0 : walk.put(floats(saved[1]));
    const cs = lstm ? walk.put(floats(saved[2])) : 0;
    const dOut = walk.floats(TB * U);
    const ap = walk.bytes(x.packedASize(B, GU));
    const drh = gru ? walk.floats(BU) : 0;
    const rhAll = gru ? walk.floats(TB * U) : 0;
    // No allocation until the walk is done, so the memory view stays valid.
    let mem = k.f32();
    const dv = floats(dValue);
    const slots = lstm ? T + 1 : T;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const from = (b * slots + t) * U;
        mem.set(dv.subarray(from, from + U), (dOut >> 2) + (t * B + b) * U);
      }
      if (lstm) mem.set(dv.subarray((b * slots + T) * U, (b * slots + T + 1) * U), (dc >> 2) + b * U);
    }
    mark("copies in/out");

    // The backward pass through time: dZ (gate pre-activation gradients) and dL/dh_t.
    const stateBytes = BU * 4;
    mem.fill(0, dh >> 2, (dh >> 2) + BU);
    for (let t = T - 1; t >= 0; t--) {
      const at = acts + t * B * GU * 4;
      const dzt = dZ + t * B * GU * 4;
      const hPrev = hs + t * stateBytes;
      const dOutT = dOut + t * stateBytes;
      const dhsT = dhs + t * stateBytes;
      if (lstm) {
        x.lstmGatesBackward(B, U, at, cs + t * stateBytes, cs + (t + 1) * stateBytes, dOutT, dh, dc, dzt, dhsT);
        x.packA(dzt, B, GU, GU, 0, ap);
        k.gemm(ap, RTps[0], dh, B, U, GU, U, false); // dh_{t-1} = dz_t · R^T
      } else if (!gru) {
        x.rnnActivateBackward(BU, hPrev + stateBytes, dOutT, dh, dzt, dhsT, a.relu ? 1 : 0);
        x.packA(dzt, B, U, U, 0, ap);
        k.gemm(ap, RTps[0], dh, B, U, U, U, false);
      } else {
        x.gruBackwardGates(B, U, at, hPrev, dOutT, dh, dzt, dhsT);
        x.packA(dzt + 2 * U * 4, B, U, GU, 0, ap);
        k.gemm(ap, RTps[1], drh, B, U, U, U, false); // through the candidate's (r*h)·Rh
        x.gruBackwardReset(B, U, at, hPrev, drh, dzt, dh);
        x.packA(dzt, B, 2 * U, GU, 0, ap);
        k.gemm(ap, RTps[0], dh, B, U, 2 * U, U, true); // through the z and r gates
      }
    }
    if (gru) {
      // The candidate's recurrent product saw r*h (r from the activations, freed below).
      const hBase = hs >> 2, aBase = acts >> 2, rBase = rhAll >> 2;
      for (let row = 0; row < TB; row++) {
        for (let j = 0; j < U; j++) mem[rBase + row * U + j] = mem[aBase + row * GU + U + j] * mem[hBase + row * U + j];
      }
    }
    mark("backward recurrence");

    // Weight gradients, one product over all time steps each. (For a GRU, rhAll is still in
    // the walk's arena, so only what the products need below is allocated around it.)
    if (!gru) walk.release();
    // dW = xᵀ·dZ; where x's rows repeat, = (distinct rows)ᵀ·(dZ's rows summed per distinct row).
    const repeated = inputRows(a);
    const rows = repeated ? repeated.firsts.length : TB;
    const xRows = products.floats(rows * D);
    const dZp = products.bytes(x.packedBSize(TB, GU));
    const XTp = products.bytes(x.packedASize(D, rows));
    const dZsum = repeated ? products.floats(rows * GU) : 0;
    const dZsump = repeated ? products.bytes(x.packedBSize(rows, GU)) : 0;
    const HTp = products.bytes(x.packedASize(U, TB));
    const dZzr = gru ? products.bytes(x.packedBSize(TB, 2 * U)) : 0;
    const dZh = gru ? products.bytes(x.packedBSize(TB, U)) : 0;
    const RHTp = gru ? products.bytes(x.packedASize(U, TB)) : 0;
    mem = k.f32();
    if (repeated) gatherDistinct(repeated, floats(a.x), D, mem, xRows >> 2);
    else swapLeading(floats(a.x), B, T, D, mem, xRows >> 2);
    x.packB(dZ, TB, GU, GU, 0, dZp);
    x.packA(xRows, D, rows, D, 1, XTp);
    if (repeated) {
      sumRowsInto(repeated, mem, dZ >> 2, dZsum >> 2, GU);
      x.packB(dZsum, rows, GU, GU, 0, dZsump);
      k.gemm(XTp, dZsump, dW, D, GU, rows, GU, false);
    } else {
      k.gemm(XTp, dZp, dW, D, GU, TB, GU, false);
    }
    x.packA(hs, U, TB, U, 1, HTp); // rows h_0 .. h_{T-1}: the state each step started from
    if (!gru) {
      k.gemm(HTp, dZp, dR, U, GU, TB, GU, false);
    } else {
      // The candidate's recurrent product saw r*h, the z and r gates saw h.
      x.packB(dZ, TB, 2 * U, GU, 0, dZzr);
      x.packB(dZ + 2 * U * 4, TB, U, GU, 0, dZh);
      k.gemm(HTp, dZzr, dR, U, 2 * U, TB, GU, false);
      x.packA(rhAll, U, TB, U, 1, RHTp);
      k.gemm(RHTp, dZh, dR + 2 * U * 4, U, U, TB, GU, false);
    }
    x.columnSums(dZ, TB, GU, db);
    products.release();
    walk.release();
    const dZAp = products.bytes(x.packedASize(TB, GU));
    const dxT = products.floats(TB * D);
    x.packA(dZ, TB, GU, GU, 0, dZAp);
    k.gemm(dZAp, WTp, dxT, TB, D, GU, D, false);
    mark("weight-gradient GEMMs");

    const dx = new Float32Array(B * T * D);
    swapLeading(k.view32(dxT, TB * D), T, B, D, dx, 0);
    const dhBatch = new Float32Array(B * T * U);
    swapLeading(k.view32(dhs, TB * U), T, B, U, dhBatch, 0);
    const grads: tf.Tensor[] = [
      tf.tensor3d(dx, [B, T, D]),
      tf.tensor2d(k.read(dW, D * GU), [D, GU]),
      tf.tensor2d(k.read(dR, U * GU), [U, GU]),
      tf.tensor1d(k.read(db, GU)),
      tf.tensor2d(k.read(dh, BU), [B, U]),
    ];
    if (lstm) grads.push(tf.tensor2d(k.read(dc, BU), [B, U]));
    const dhTensor = tf.tensor3d(dhBatch, [B, T, U]);
    mark("copies in/out");
    return { grads, dh: dhTensor };
  } finally {
    products.release();
    walk.release();
    kept.release();
  }
}

/** The fused recurrence on seqlab's WebAssembly SIMD kernels. */
export const simdEngine: RecurrenceEngine = { name: "wasm-simd", forward, backward };
