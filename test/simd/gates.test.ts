/**
 * Each gate function of recurrence.as against plain JS: the forward ones against the cell
 * equations (tfjs-layers' LSTM, GRU and SimpleRNN), the backward ones against central
 * differences of those equations, so no formula is copied from the kernels.
 */
import { expect } from "chai";
import { values, withArena } from "./helpers";

const B = 3;
const U = 5; // not a multiple of 4
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Largest |got - want| over all elements. */
function maxDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).to.equal(want.length);
  let d = 0;
  for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
  return d;
}

/** dF/dv by central differences, in float64. */
function numericGrad(f: (v: Float64Array) => number, at: ArrayLike<number>): Float64Array {
  const v = Float64Array.from(at);
  const g = new Float64Array(v.length);
  const eps = 1e-6;
  for (let i = 0; i < v.length; i++) {
    const keep = v[i];
    v[i] = keep + eps;
    const up = f(v);
    v[i] = keep - eps;
    g[i] = (up - f(v)) / (2 * eps);
    v[i] = keep;
  }
  return g;
}

/** Columns [c0, c0 + U) of each row of a [B, width] matrix. */
function block(m: ArrayLike<number>, width: number, c0: number): Float64Array {
  const out = new Float64Array(B * U);
  for (let b = 0; b < B; b++) for (let j = 0; j < U; j++) out[b * U + j] = m[b * width + c0 + j];
  return out;
}

/** Blocks of U columns side by side per row: the inverse of block(). */
function joinBlocks(blocks: ArrayLike<number>[]): Float32Array {
  const width = blocks.length * U;
  const out = new Float32Array(B * width);
  blocks.forEach((blk, g) => {
    for (let b = 0; b < B; b++) for (let j = 0; j < U; j++) out[b * width + g * U + j] = blk[b * U + j];
  });
  return out;
}

const sum = (a: ArrayLike<number>, f: (i: number) => number) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += f(i);
  return s;
};

const TOL = 1e-5;

describe("simd: gate functions against plain JS", () => {
  describe("LSTM", () => {
    const z = values(B * 4 * U, 1, 2); // pre-activations i, f, g, o
    const cPrev = values(B * U, 2);
    /** c_t and h_t from pre-activations, as the LSTM equations give them. */
    const lstm = (zpre: ArrayLike<number>, c0: ArrayLike<number>) => {
      const [i, f, g, o] = [0, 1, 2, 3].map((k) => block(zpre, 4 * U, k * U));
      const c = new Float64Array(B * U);
      const h = new Float64Array(B * U);
      for (let s = 0; s < B * U; s++) {
        c[s] = sigmoid(f[s]) * c0[s] + sigmoid(i[s]) * Math.tanh(g[s]);
        h[s] = sigmoid(o[s]) * Math.tanh(c[s]);
      }
      return { c, h, gates: joinBlocks([i.map(sigmoid), f.map(sigmoid), g.map(Math.tanh), o.map(sigmoid)]) };
    };

    it("lstmGates: activated gates in place, c_t and h_t", () => {
      const want = lstm(z, cPrev);
      withArena((k, arena) => {
        const zt = arena.put(z), cp = arena.put(cPrev), cn = arena.floats(B * U), hn = arena.floats(B * U);
        k.x.lstmGates(B, U, zt, cp, cn, hn);
        expect(maxDiff(k.read(zt, z.length), want.gates)).to.be.below(TOL);
        expect(maxDiff(k.read(cn, B * U), want.c)).to.be.below(TOL);
        expect(maxDiff(k.read(hn, B * U), want.h)).to.be.below(TOL);
      });
    });

    it("lstmGatesBackward: gate pre-activation gradients, dL/dh_t and dL/dc_{t-1} equal central differences", () => {
      const dOut = values(B * U, 3), dh = values(B * U, 4), dcIn = values(B * U, 5);
      const dht = dOut.map((v, s) => v + dh[s]);
      // L = <dL/dh_t, h_t> + <dL/dc_t from later steps, c_t>: what the step passes back.
      const loss = (zpre: ArrayLike<number>, c0: ArrayLike<number>) => {
        const { c, h } = lstm(zpre, c0);
        return sum(h, (s) => dht[s] * h[s] + dcIn[s] * c[s]);
      };
      const wantDz = numericGrad((v) => loss(v, cPrev), z);
      const wantDc = numericGrad((v) => loss(z, v), cPrev);
      const fwd = lstm(z, cPrev);
      withArena((k, arena) => {
        const at = arena.put(fwd.gates), cp = arena.put(cPrev), cn = arena.put(fwd.c);
        const pOut = arena.put(dOut), pdh = arena.put(dh), pdc = arena.put(dcIn);
        const dzt = arena.floats(B * 4 * U), dhs = arena.floats(B * U);
        k.x.lstmGatesBackward(B, U, at, cp, cn, pOut, pdh, pdc, dzt, dhs);
        expect(maxDiff(k.read(dzt, B * 4 * U), wantDz)).to.be.below(TOL);
        expect(maxDiff(k.read(pdc, B * U), wantDc)).to.be.below(TOL);
        expect(maxDiff(k.read(dhs, B * U), dht)).to.be.below(TOL);
      });
    });
  });

  for (const relu of [false, true]) {
    describe(`RNN (${relu ? "relu" : "tanh"})`, () => {
      const act = relu ? (x: number) => Math.max(0, x) : Math.tanh;
      const z = values(B * U, 6, 2);

      it("rnnActivate: h_t in place and in hNext", () => {
        withArena((k, arena) => {
          const zt = arena.put(z), hn = arena.floats(B * U);
          k.x.rnnActivate(B * U, zt, hn, relu ? 1 : 0);
          const want = Array.from(z, act);
          expect(maxDiff(k.read(zt, B * U), want)).to.be.below(TOL);
          expect(maxDiff(k.read(hn, B * U), want)).to.be.below(TOL);
        });
      });

      it("rnnActivateBackward: pre-activation gradients and dL/dh_t equal central differences", () => {
        const dOut = values(B * U, 7), dh = values(B * U, 8);
        const dht = dOut.map((v, s) => v + dh[s]);
        const wantDz = numericGrad((v) => sum(v, (s) => dht[s] * act(v[s])), z);
        withArena((k, arena) => {
          const hNow = arena.put(Array.from(z, act)), pOut = arena.put(dOut), pdh = arena.put(dh);
          const dzt = arena.floats(B * U), dhs = arena.floats(B * U);
          k.x.rnnActivateBackward(B * U, hNow, pOut, pdh, dzt, dhs, relu ? 1 : 0);
          expect(maxDiff(k.read(dzt, B * U), wantDz)).to.be.below(TOL);
          expect(maxDiff(k.read(dhs, B * U), dht)).to.be.below(TOL);
        });
      });
    });
  }

  describe("GRU (tfjs-layers equations: h_t = z*h + (1-z)*tanh(x_h + (r*h)·R_h))", () => {
    const x = values(B * 3 * U, 9, 2); // x·W + b for the z, r and candidate blocks
    const inner = values(B * 2 * U, 10, 2); // h·R for the z and r blocks
    const hPrev = values(B * U, 11);
    const [az, ar] = [0, 1].map((g) => {
      const fromH = block(inner, 2 * U, g * U);
      return block(x, 3 * U, g * U).map((v, s) => v + fromH[s]);
    });
    const ah = block(x, 3 * U, 2 * U); // the candidate's pre-activation (after (r*h)·R_h is added)

    it("gruGates: z and r in place, r*h; the candidate block untouched", () => {
      withArena((k, arena) => {
        const zt = arena.put(x), pin = arena.put(inner), hp = arena.put(hPrev), rh = arena.floats(B * U);
        k.x.gruGates(B, U, zt, pin, hp, rh);
        expect(maxDiff(k.read(zt, x.length), joinBlocks([az.map(sigmoid), ar.map(sigmoid), ah]))).to.be.below(TOL);
        expect(maxDiff(k.read(rh, B * U), ar.map((v, s) => sigmoid(v) * hPrev[s]))).to.be.below(TOL);
      });
    });

    it("gruCandidate: the candidate activated in place and h_t", () => {
      const zAct = az.map(sigmoid), rAct = ar.map(sigmoid);
      withArena((k, arena) => {
        const zt = arena.put(joinBlocks([zAct, rAct, ah])), hp = arena.put(hPrev), hn = arena.floats(B * U);
        k.x.gruCandidate(B, U, zt, hp, hn);
        const hh = ah.map(Math.tanh);
        expect(maxDiff(k.read(zt, x.length), joinBlocks([zAct, rAct, hh]))).to.be.below(TOL);
        expect(maxDiff(k.read(hn, B * U), zAct.map((zg, s) => zg * hPrev[s] + (1 - zg) * hh[s]))).to.be.below(TOL);
      });
    });

    const at = joinBlocks([az.map(sigmoid), ar.map(sigmoid), ah.map(Math.tanh)]);
    const dOut = values(B * U, 12), dh = values(B * U, 13);
    const dht = dOut.map((v, s) => v + dh[s]);

    it("gruBackwardGates: the z and candidate pre-activation gradients equal central differences; dL/dh_t", () => {
      const loss = (zPre: ArrayLike<number>, hPre: ArrayLike<number>) =>
        sum(dht, (s) => dht[s] * (sigmoid(zPre[s]) * hPrev[s] + (1 - sigmoid(zPre[s])) * Math.tanh(hPre[s])));
      const wantZ = numericGrad((v) => loss(v, ah), az);
      const wantH = numericGrad((v) => loss(az, v), ah);
      withArena((k, arena) => {
        const pat = arena.put(at), hp = arena.put(hPrev), pOut = arena.put(dOut), pdh = arena.put(dh);
        const dzt = arena.put(new Float32Array(B * 3 * U).fill(NaN)), dhs = arena.floats(B * U);
        k.x.gruBackwardGates(B, U, pat, hp, pOut, pdh, dzt, dhs);
        const got = k.read(dzt, B * 3 * U);
        expect(maxDiff(block(got, 3 * U, 0), wantZ)).to.be.below(TOL);
        expect(maxDiff(block(got, 3 * U, 2 * U), wantH)).to.be.below(TOL);
        expect(block(got, 3 * U, U).every(Number.isNaN), "the reset block is left for gruBackwardReset").to.equal(true);
        expect(maxDiff(k.read(dhs, B * U), dht)).to.be.below(TOL);
        expect(maxDiff(k.read(pdh, B * U), dht)).to.be.below(TOL);
      });
    });

    it("gruBackwardReset: the reset gate's gradient and dL/dh_{t-1} (besides the z/r products) equal central differences", () => {
      const drh = values(B * U, 14); // dL/d(r*h), from the candidate's product
      const zAct = az.map(sigmoid);
      // The parts of L that reach h_{t-1} without a product with R: z*h directly, and r*h.
      const loss = (rPre: ArrayLike<number>, h: ArrayLike<number>) => sum(h, (s) => dht[s] * zAct[s] * h[s] + drh[s] * sigmoid(rPre[s]) * h[s]);
      const wantR = numericGrad((v) => loss(v, hPrev), ar);
      const wantDh = numericGrad((v) => loss(ar, v), hPrev);
      withArena((k, arena) => {
        const pat = arena.put(at), hp = arena.put(hPrev), pdrh = arena.put(drh), pdh = arena.put(dht);
        const dzt = arena.put(new Float32Array(B * 3 * U).fill(NaN));
        k.x.gruBackwardReset(B, U, pat, hp, pdrh, dzt, pdh);
        const got = k.read(dzt, B * 3 * U);
        expect(maxDiff(block(got, 3 * U, U), wantR)).to.be.below(TOL);
        expect([0, 2].every((g) => block(got, 3 * U, g * U).every(Number.isNaN)), "the other blocks untouched").to.equal(true);
        expect(maxDiff(k.read(pdh, B * U), wantDh)).to.be.below(TOL);
      });
    });
  });

  describe("bias helpers", () => {
    for (const n of [8, 7]) {
      it(`fillRows and columnSums, rows of ${n}`, () => {
        const rows = 5;
        const v = values(n, 15);
        const m = values(rows * n, 16);
        withArena((k, arena) => {
          const dst = arena.floats(rows * n), pv = arena.put(v), src = arena.put(m), out = arena.put(new Float32Array(n).fill(NaN));
          k.x.fillRows(dst, rows, n, pv);
          k.x.columnSums(src, rows, n, out);
          expect(Array.from(k.read(dst, rows * n))).to.deep.equal(Array.from({ length: rows }, () => Array.from(v)).flat());
          const want = Array.from({ length: n }, (_, j) => sum(Array(rows), (r) => m[r * n + j]));
          expect(maxDiff(k.read(out, n), want)).to.be.below(TOL);
        });
      });
    }
  });
});
