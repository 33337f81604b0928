// AssemblyScript kernels for the fused recurrence, compiled with SIMD by
// scripts/build-kernels.js (the .as extension keeps tsc away; the build hands it to asc as .ts).
//
// All matrices are float32, row-major, addressed by byte offsets into this module's memory,
// which the JS loader owns: it allocates with alloc/free and copies tensors in and out.
//
// Matrix products use packed operands so the innermost loop reads memory contiguously:
//   A (the left side, M x K) is packed in blocks of 4 rows: [ceil(M/4)][K][4];
//   B (the right side, K x N) is packed in panels of 8 columns: [ceil(N/8)][K][8].
// One pass computes a 4x8 tile of C with eight 128-bit accumulators, one k at a time: V8's
// x64 code then keeps all eight in registers (unrolled by two, it spilled half of them to the
// stack every iteration and ran 1.3-1.5x slower).
//
// scripts/build-kernels.js compiles this file twice: with relaxed SIMD, where madd is one fused
// multiply-add instruction, and without, where it is a multiply and an add (the loader picks the
// first when the running V8 accepts it).
//
// The memory is shared: worker threads instantiate this same module on it and run
// gemmPanels on their share of the panels (see lib/simd/pool.ts). So no function here
// keeps state in static memory; scratch space is passed in by the caller.

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Bytes needed to pack an M x K left operand. */
export function packedASize(M: i32, K: i32): i32 {
  return ((M + 3) >> 2) * K * 16;
}

/** Bytes needed to pack a K x N right operand. */
export function packedBSize(K: i32, N: i32): i32 {
  return ((N + 7) >> 3) * K * 32;
}

/** Pack A (M x K; element (m,k) at src[m*ld+k], or src[k*ld+m] when trans) into row blocks of 4. */
export function packA(src: usize, M: i32, K: i32, ld: i32, trans: i32, dst: usize): void {
  const blocks = (M + 3) >> 2;
  for (let mb = 0; mb < blocks; mb++) {
    const out = dst + <usize>(mb * K * 16);
    for (let r = 0; r < 4; r++) {
      const m = mb * 4 + r;
      if (m >= M) {
        for (let k = 0; k < K; k++) store<f32>(out + <usize>(k * 16 + r * 4), 0);
      } else if (trans) {
        for (let k = 0; k < K; k++) store<f32>(out + <usize>(k * 16 + r * 4), load<f32>(src + <usize>((k * ld + m) * 4)));
      } else {
        const row = src + <usize>(m * ld * 4);
        for (let k = 0; k < K; k++) store<f32>(out + <usize>(k * 16 + r * 4), load<f32>(row + <usize>(k * 4)));
      }
    }
  }
}

/** Pack B (K x N; element (k,n) at src[k*ld+n], or src[n*ld+k] when trans) into panels of 8 columns. */
export function packB(src: usize, K: i32, N: i32, ld: i32, trans: i32, dst: usize): void {
  const panels = (N + 7) >> 3;
  for (let p = 0; p < panels; p++) {
    const out = dst + <usize>(p * K * 32);
    const n0 = p * 8;
    const width = min(8, N - n0);
    if (!trans && width == 8) {
      for (let k = 0; k < K; k++) {
        const from = src + <usize>((k * ld + n0) * 4);
        v128.store(out + <usize>(k * 32), v128.load(from));
        v128.store(out + <usize>(k * 32), v128.load(from, 16), 16);
      }
      continue;
    }
    for (let j = 0; j < 8; j++) {
      const n = n0 + j;
      if (n >= N) {
        for (let k = 0; k < K; k++) store<f32>(out + <usize>(k * 32 + j * 4), 0);
      } else if (trans) {
        const row = src + <usize>(n * ld * 4);
        for (let k = 0; k < K; k++) store<f32>(out + <usize>(k * 32 + j * 4), load<f32>(row + <usize>(k * 4)));
      } else {
        for (let k = 0; k < K; k++) store<f32>(out + <usize>(k * 32 + j * 4), load<f32>(src + <usize>((k * ld + n) * 4)));
      }
    }
  }
}

/** c + a*b per lane: fused (one rounding) in the relaxed-SIMD build, a multiply and an add otherwise. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * C (M x N, row stride ldc) = A·B, or C + A·B when accumulate is non-zero. A and B packed
 * as above; only panels [p0, p1) are computed (so threads can split the work). tile: 128
 * bytes of scratch owned by the calling thread, for edge tiles.
 */
export function gemmPanels(
  Ap: usize, Bp: usize, C: usize, M: i32, N: i32, K: i32, ldc: i32, accumulate: i32, p0: i32, p1: i32, tile: usize,
): void {
  const mBlocks = (M + 3) >> 2;
  // Rows of A per chunk so a chunk of packed A (chunk*K*4 bytes) stays in the L2 cache.
  let chunk = (65536 / max(K, 1)) & ~3;
  if (chunk < 4) chunk = 4;
  const chunkBlocks = chunk >> 2;
  for (let mb0 = 0; mb0 < mBlocks; mb0 += chunkBlocks) {
    const mb1 = min(mBlocks, mb0 + chunkBlocks);
    for (let p = p0; p < p1; p++) {
      const panel = Bp + <usize>(p * K * 32);
      const n0 = p * 8;
      const fullN = N - n0 >= 8;
      for (let mb = mb0; mb < mb1; mb++) {
        if (mb * 4 + 1 == M) {
          // A single row left (e.g. batch-1 sampling): skip the three zero rows' work.
          gemmRow(Ap + <usize>(mb * K * 16), panel, C + <usize>((mb * 4 * ldc + n0) * 4), K, min(8, N - n0), accumulate, tile);
          continue;
        }
        let a = Ap + <usize>(mb * K * 16);
        let b = panel;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
        let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        for (let k = 0; k < K; k++) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          let a0 = v128.load32_splat(a);
          c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
          a0 = v128.load32_splat(a, 4);
          c10 = madd(a0, b0, c10); c11 = madd(a0, b1, c11);
          a0 = v128.load32_splat(a, 8);
          c20 = madd(a0, b0, c20); c21 = madd(a0, b1, c21);
          a0 = v128.load32_splat(a, 12);
          c30 = madd(a0, b0, c30); c31 = madd(a0, b1, c31);
          a += 16;
          b += 32;
        }
        const m0 = mb * 4;
        if (fullN && m0 + 4 <= M) {
          let row = C + <usize>((m0 * ldc + n0) * 4);
          const stride = <usize>(ldc * 4);
          if (accumulate) {
            c00 = f32x4.add(c00, v128.load(row)); c01 = f32x4.add(c01, v128.load(row, 16));
            c10 = f32x4.add(c10, v128.load(row + stride)); c11 = f32x4.add(c11, v128.load(row + stride, 16));
            c20 = f32x4.add(c20, v128.load(row + 2 * stride)); c21 = f32x4.add(c21, v128.load(row + 2 * stride, 16));
            c30 = f32x4.add(c30, v128.load(row + 3 * stride)); c31 = f32x4.add(c31, v128.load(row + 3 * stride, 16));
          }
          v128.store(row, c00); v128.store(row, c01, 16);
          row += stride;
          v128.store(row, c10); v128.store(row, c11, 16);
          row += stride;
          v128.store(row, c20); v128.store(row, c21, 16);
          row += stride;
          v128.store(row, c30); v128.store(row, c31, 16);
        } else {
          // Edge tile: spill to scratch, then write only the rows and columns that exist.
          v128.store(tile, c00); v128.store(tile, c01, 16);
          v128.store(tile, c10, 32); v128.store(tile, c11, 48);
          v128.store(tile, c20, 64); v128.store(tile, c21, 80);
          v128.store(tile, c30, 96); v128.store(tile, c31, 112);
          const rows = min(4, M - m0);
          const cols = min(8, N - n0);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < cols; j++) {
              const at = C + <usize>(((m0 + r) * ldc + n0 + j) * 4);
              const v = load<f32>(tile + <usize>(r * 32 + j * 4));
              store<f32>(at, accumulate ? load<f32>(at) + v : v);
            }
          }
        }
      }
    }
  }
}


/** One row of C (cols <= 8 columns at c) from row 0 of a packed 4-row block and one panel. */
function gemmRow(a: usize, b: usize, c: usize, K: i32, cols: i32, accumulate: i32, tile: usize): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let t0 = f32x4.splat(0), t1 = f32x4.splat(0);
  let k = 0;
  for (; k + 1 < K; k += 2) {
    const x0 = v128.load32_splat(a);
    const x1 = v128.load32_splat(a, 16);
    s0 = madd(x0, v128.load(b), s0);
    s1 = madd(x0, v128.load(b, 16), s1);
    t0 = madd(x1, v128.load(b, 32), t0);
    t1 = madd(x1, v128.load(b, 48), t1);
    a += 32;
    b += 64;
  }
  if (k < K) {
    const x0 = v128.load32_splat(a);
    s0 = madd(x0, v128.load(b), s0);
    s1 = madd(x0, v128.load(b, 16), s1);
  }
  s0 = f32x4.add(s0, t0);
  s1 = f32x4.add(s1, t1);
  if (cols == 8) {
    if (accumulate) {
      s0 = f32x4.add(s0, v128.load(c));
      s1 = f32x4.add(s1, v128.load(c, 16));
    }
    v128.store(c, s0);
    v128.store(c, s1, 16);
    return;
  }
  v128.store(tile, s0);
  v128.store(tile, s1, 16);
  for (let j = 0; j < cols; j++) {
    const at = c + <usize>(j * 4);
    const v = load<f32>(tile + <usize>(j * 4));
    store<f32>(at, accumulate ? load<f32>(at) + v : v);
  }
}

/** Fill each of `rows` rows (length n) of dst with the vector v. */
export function fillRows(dst: usize, rows: i32, n: i32, v: usize): void {
  const bytes = <usize>(n * 4);
  for (let r = 0; r < rows; r++) memory.copy(dst + <usize>r * bytes, v, bytes);
}

/** out[n] = sum over rows of src[r, n] (the bias gradient). */
export function columnSums(src: usize, rows: i32, n: i32, out: usize): void {
  memory.fill(out, 0, <usize>(n * 4));
  for (let r = 0; r < rows; r++) {
    const row = src + <usize>(r * n * 4);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const at = out + <usize>(j * 4);
      v128.store(at, f32x4.add(v128.load(at), v128.load(row + <usize>(j * 4))));
    }
    for (; j < n; j++) {
      const at = out + <usize>(j * 4);
      store<f32>(at, load<f32>(at) + load<f32>(row + <usize>(j * 4)));
    }
  }
}

function sigmoid(x: f32): f32 {
  return 1.0 / (1.0 + Mathf.exp(-x));
}

function tanh(x: f32): f32 {
  // 1 - 2/(e^{2x}+1) saturates cleanly at both ends (e^{2x} overflows to inf for large x).
  return 1.0 - 2.0 / (Mathf.exp(2.0 * x) + 1.0);
}

/**
 * One LSTM step's gates, after zt (B x 4U) received x·W + b + h·R: zt becomes the activated
 * gates (i, f, g, o); the new cell and hidden states go to cNext and hNext (B x U).
 */
export function lstmGates(B: i32, U: i32, zt: usize, cPrev: usize, cNext: usize, hNext: usize): void {
  lstmGatesUnits(B, U, 0, U, zt, cPrev, cNext, hNext);
}

/** lstmGates for units [u0, u1) only: what one thread's share of a step (lstmStepUnits) touches. */
function lstmGatesUnits(B: i32, U: i32, u0: i32, u1: i32, zt: usize, cPrev: usize, cNext: usize, hNext: usize): void {
  const G = 4 * U;
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    const row = zt + <usize>(b * G * 4);
    for (let j = u0; j < u1; j++) {
      const pi = row + <usize>(j * 4);
      const i = sigmoid(load<f32>(pi));
      const f = sigmoid(load<f32>(pi + u4));
      const g = tanh(load<f32>(pi + 2 * u4));
      const o = sigmoid(load<f32>(pi + 3 * u4));
      const s = <usize>((b * U + j) * 4);
      const c = f * load<f32>(cPrev + s) + i * g;
      store<f32>(cNext + s, c);
      store<f32>(hNext + s, o * tanh(c));
      store<f32>(pi, i);
      store<f32>(pi + u4, f);
      store<f32>(pi + 2 * u4, g);
      store<f32>(pi + 3 * u4, o);
    }
  }
}

/**
 * One thread's share of an LSTM step, units [u0, u1) (multiples of 8, as is U): zt's columns
 * for those units in each of the four gate blocks receive h_{t-1}·R (Ap: packed h_{t-1}, Rp:
 * packed R), then those units' gates run. A unit's gates need only its own four columns, so
 * the threads never wait for each other within a step, and each product tile and each gate
 * is computed exactly as on one thread (the same bits).
 */
export function lstmStepUnits(
  Ap: usize, Rp: usize, zt: usize, B: i32, U: i32, u0: i32, u1: i32, cPrev: usize, cNext: usize, hNext: usize, tile: usize,
): void {
  const G = 4 * U;
  for (let g = 0; g < 4; g++) gemmPanels(Ap, Rp, zt, B, G, U, G, 1, (g * U + u0) >> 3, (g * U + u1) >> 3, tile);
  lstmGatesUnits(B, U, u0, u1, zt, cPrev, cNext, hNext);
}

/**
 * One LSTM step backward. at: the step's gates (B x 4U); dOutT: gradient reaching h_t from
 * the output; dh: gradient reaching h_t from later steps; dc: on entry from later steps, on
 * exit for c_{t-1}. Writes dzt (B x 4U, gate pre-activation gradients) and dhsT = dL/dh_t.
 * The caller then computes dh_{t-1} = dzt · R^T.
 */
export function lstmGatesBackward(
  B: i32, U: i32, at: usize, cPrev: usize, cNow: usize, dOutT: usize, dh: usize, dc: usize, dzt: usize, dhsT: usize,
): void {
  const G = 4 * U;
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    const row = at + <usize>(b * G * 4);
    const drow = dzt + <usize>(b * G * 4);
    for (let j = 0; j < U; j++) {
      const s = <usize>((b * U + j) * 4);
      const q = <usize>(j * 4);
      const i = load<f32>(row + q);
      const f = load<f32>(row + q + u4);
      const g = load<f32>(row + q + 2 * u4);
      const o = load<f32>(row + q + 3 * u4);
      const dht = load<f32>(dOutT + s) + load<f32>(dh + s);
      store<f32>(dhsT + s, dht);
      const tc = tanh(load<f32>(cNow + s));
      const dct = load<f32>(dc + s) + dht * o * (1.0 - tc * tc);
      store<f32>(drow + q, dct * g * i * (1.0 - i));
      store<f32>(drow + q + u4, dct * load<f32>(cPrev + s) * f * (1.0 - f));
      store<f32>(drow + q + 2 * u4, dct * i * (1.0 - g * g));
      store<f32>(drow + q + 3 * u4, dht * tc * o * (1.0 - o));
      store<f32>(dc + s, dct * f);
    }
  }
}

/** One vanilla RNN step: zt (B x U) holds the pre-activation; becomes h_t, copied to hNext. */
export function rnnActivate(n: i32, zt: usize, hNext: usize, relu: i32): void {
  for (let k = 0; k < n; k++) {
    const p = zt + <usize>(k * 4);
    const a = load<f32>(p);
    const h: f32 = relu ? (a > 0 ? a : 0) : tanh(a);
    store<f32>(p, h);
    store<f32>(hNext + <usize>(k * 4), h);
  }
}

/** One vanilla RNN step backward (n = B*U); arguments as for lstmGatesBackward. */
export function rnnActivateBackward(n: i32, hNow: usize, dOutT: usize, dh: usize, dzt: usize, dhsT: usize, relu: i32): void {
  for (let k = 0; k < n; k++) {
    const s = <usize>(k * 4);
    const dht = load<f32>(dOutT + s) + load<f32>(dh + s);
    store<f32>(dhsT + s, dht);
    const h = load<f32>(hNow + s);
    store<f32>(dzt + s, relu ? (h > 0 ? dht : 0) : dht * (1.0 - h * h));
  }
}

/**
 * GRU step, first half (tfjs-layers equations): zt (B x 3U) holds x·W + b, inner (B x 2U)
 * holds h·R[:, :2U]. Writes the z and r gates into zt and r*h into rh (B x U).
 */
export function gruGates(B: i32, U: i32, zt: usize, inner: usize, hPrev: usize, rh: usize): void {
  const G = 3 * U;
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    const row = zt + <usize>(b * G * 4);
    const irow = inner + <usize>(b * 2 * U * 4);
    for (let j = 0; j < U; j++) {
      const q = <usize>(j * 4);
      const zg = sigmoid(load<f32>(row + q) + load<f32>(irow + q));
      const r = sigmoid(load<f32>(row + q + u4) + load<f32>(irow + q + u4));
      store<f32>(row + q, zg);
      store<f32>(row + q + u4, r);
      const s = <usize>((b * U + j) * 4);
      store<f32>(rh + s, r * load<f32>(hPrev + s));
    }
  }
}

/** GRU step, second half: the candidate block of zt received (r*h)·R[:, 2U:]; finish h_t. */
export function gruCandidate(B: i32, U: i32, zt: usize, hPrev: usize, hNext: usize): void {
  const G = 3 * U;
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    const row = zt + <usize>(b * G * 4);
    for (let j = 0; j < U; j++) {
      const q = <usize>(j * 4);
      const zg = load<f32>(row + q);
      const hh = tanh(load<f32>(row + q + 2 * u4));
      store<f32>(row + q + 2 * u4, hh);
      const s = <usize>((b * U + j) * 4);
      store<f32>(hNext + s, zg * load<f32>(hPrev + s) + (1.0 - zg) * hh);
    }
  }
}

/**
 * GRU step backward, first half: dL/dh_t, and the gradients of the z gate and candidate
 * pre-activations into dzt. Leaves dL/dh_t in dh for gruBackwardReset.
 */
export function gruBackwardGates(
  B: i32, U: i32, at: usize, hPrev: usize, dOutT: usize, dh: usize, dzt: usize, dhsT: usize,
): void {
  const G = 3 * U;
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    const row = at + <usize>(b * G * 4);
    const drow = dzt + <usize>(b * G * 4);
    for (let j = 0; j < U; j++) {
      const s = <usize>((b * U + j) * 4);
      const q = <usize>(j * 4);
      const zg = load<f32>(row + q);
      const hh = load<f32>(row + q + 2 * u4);
      const dht = load<f32>(dOutT + s) + load<f32>(dh + s);
      store<f32>(dhsT + s, dht);
      store<f32>(drow + q, dht * (load<f32>(hPrev + s) - hh) * zg * (1.0 - zg));
      store<f32>(drow + q + 2 * u4, dht * (1.0 - zg) * (1.0 - hh * hh));
      store<f32>(dh + s, dht);
    }
  }
}

/**
 * GRU step backward, second half, after drh = dah · R[:, 2U:]^T: the reset gate's gradient
 * into dzt, and dh = dh_t*z + drh*r (the caller adds [daz, dar] · R[:, :2U]^T).
 */
export function gruBackwardReset(B: i32, U: i32, at: usize, hPrev: usize, drh: usize, dzt: usize, dh: usize): void {
  const G = 3 * U;
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    const row = at + <usize>(b * G * 4);
    const drow = dzt + <usize>(b * G * 4);
    for (let j = 0; j < U; j++) {
      const s = <usize>((b * U + j) * 4);
      const q = <usize>(j * 4);
      const r = load<f32>(row + q + u4);
      const zg = load<f32>(row + q);
      const d = load<f32>(drh + s);
      store<f32>(drow + q + u4, d * load<f32>(hPrev + s) * r * (1.0 - r));
      store<f32>(dh + s, load<f32>(dh + s) * zg + d * r);
    }
  }
}
