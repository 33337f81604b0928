/**
 * Measuring dL/dh_t for every hidden state h_t. Two routes, same numbers:
 *  - a tap: an identity op on h_t whose gradient function records the gradient that
 *    arrives (the "zero probe" idea without extra inputs), for step-by-step models;
 *  - the fused op's and readable unroll's `onHiddenGradient` callback, which hands back
 *    dL/dh_t for all t at once.
 * The recorded value is the Frobenius norm over [batch, units] of dL/dh_t.
 */
import * as tf from "@tensorflow/tfjs";

export class HiddenGradientProbe {
  /** norms[layer][t], as kept scalar tensors until read. */
  private readonly pending: (tf.Scalar | undefined)[][] = [];
  private readonly lengths: number[] = [];
  /** Per layer, all steps' norms at once (from onHiddenGradient). */
  private readonly vectors: (tf.Tensor1D | undefined)[] = [];

  constructor(readonly layerCount: number) {
    for (let i = 0; i < layerCount; i++) {
      this.pending.push([]);
      this.lengths.push(0);
    }
  }

  private check(layer: number): void {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.layerCount) {
      throw new Error(`probe layer index ${layer} is out of range (0..${this.layerCount - 1})`);
    }
  }

  private store(layer: number, t: number, norm: tf.Scalar): void {
    this.pending[layer][t]?.dispose();
    this.pending[layer][t] = norm;
  }

  /** Wrap h_t; use the returned tensor everywhere h_t is used (output and next step). */
  tap = (layer: number, t: number, h: tf.Tensor2D): tf.Tensor2D => {
    this.check(layer);
    this.lengths[layer] = Math.max(this.lengths[layer], t + 1);
    const identity = tf.customGrad(((value: tf.Tensor) => ({
      value: tf.clone(value),
      gradFunc: (dy: tf.Tensor) => {
        this.store(layer, t, tf.keep(tf.norm(dy)) as tf.Scalar);
        return [dy];
      },
    })) as unknown as Parameters<typeof tf.customGrad>[0]);
    return identity(h) as tf.Tensor2D;
  };

  /** A callback for `onHiddenGradient` (dh: [batch, time, units]); it disposes dh. */
  hiddenGradient = (layer: number) => (dh: tf.Tensor3D): void => {
    this.check(layer);
    const time = dh.shape[1];
    this.lengths[layer] = Math.max(this.lengths[layer], time);
    // One [time] vector per layer: a single read later instead of one per step.
    const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(dh), [0, 2])) as tf.Tensor1D);
    dh.dispose();
    this.vectors[layer]?.dispose();
    this.vectors[layer] = tf.keep(norms);
  };

  /** The norms as numbers, [layer][t]; steps the loss never reached read 0. Frees the tensors. */
  async read(): Promise<number[][]> {
    const out: number[][] = [];
    for (let l = 0; l < this.layerCount; l++) {
      const vector = this.vectors[l];
      if (vector) {
        out.push(Array.from(await vector.data()));
        continue;
      }
      const row: number[] = [];
      for (let t = 0; t < this.lengths[l]; t++) {
        const n = this.pending[l][t];
        row.push(n ? (await n.data())[0] : 0);
      }
      out.push(row);
    }
    this.dispose();
    return out;
  }

  dispose(): void {
    for (let l = 0; l < this.vectors.length; l++) {
      this.vectors[l]?.dispose();
      this.vectors[l] = undefined;
    }
    for (const row of this.pending) {
      for (const n of row) n?.dispose();
      row.length = 0;
    }
  }
}
