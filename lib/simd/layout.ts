/** Layout changes between tfjs's batch-major tensors and the SIMD kernels' time-major buffers. */

/** Copy src laid out [A][B][row] into dst (from element offset `at`) laid out [B][A][row]. */
export function swapLeading(src: Float32Array, A: number, B: number, row: number, dst: Float32Array, at: number): void {
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      const from = (a * B + b) * row;
      dst.set(src.subarray(from, from + row), at + (b * A + a) * row);
    }
  }
}
