/**
 * Measuring dL/dh_t for every hidden state h_t. Two routes, same numbers:
 *  - a tap: an identity op on h_t whose gradient function records the gradient that
 *    arrives (the "zero probe" idea without extra inputs), for step-by-step models;
 *  - the fused op's and readable unroll's `onHiddenGradient` callback, which hands back
 *    dL/dh_t for all t at once.
 * The recorded values are the Frobenius norm over [batch, units] of dL/dh_t, and per unit
 * the norm over the batch (the per-unit heatmap of an interactive inspector).
 */
import * as tf from "@tensorflow/tfjs";

export class HiddenGradientProbe {
  /** unitNorms[layer][t] ([units]), as kept tensors until read. */
  private readonly pending: (tf.Tensor1D | undefined)[][] = [];
  private readonly lengths: number[] = [];
  /** Per layer, all steps' per-unit norms at once [time, units] (from onHiddenGradient). */
  private readonly matrices: (tf.Tensor2D | undefined)[] = [];

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

  private store(layer: number, t: number, unitNorms: tf.Tensor1D): void {
    this.pending[layer][t]?.dispose();
    this.pending[layer][t] = unitNorms;
  }

  /** Wrap h_t; use the returned tensor everywhere h_t is used (output and next step). */
  tap = (layer: number, t: number, h: tf.Tensor2D): tf.Tensor2D => {
    this.check(layer);
    this.lengths[layer] = Math.max(this.lengths[layer], t + 1);
    const identity = tf.customGrad(((value: tf.Tensor) => ({
      value: tf.clone(value),
      gradFunc: (dy: tf.Tensor) => {
        this.store(layer, t, tf.keep(tf.tidy(() => tf.sqrt(tf.sum(tf.square(dy), 0)) as tf.Tensor1D)));
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
    // One [time, units] matrix per layer: a single read later instead of one per step.
    const unitNorms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(dh), 0)) as tf.Tensor2D);
    dh.dispose();
    this.matrices[layer]?.dispose();
    this.matrices[layer] = tf.keep(unitNorms);
  };

  /**
   * norms[layer][t] and unitNorms[layer][t][unit] as numbers; steps the loss never reached
   * read 0. Frees the tensors.
   */
  async read(): Promise<{ norms: number[][]; unitNorms: number[][][] }> {
    const unitNorms: number[][][] = [];
    for (let l = 0; l < this.layerCount; l++) {
      const matrix = this.matrices[l];
      if (matrix) {
        unitNorms.push((await matrix.array()) as number[][]);
        continue;
      }
      const width = this.pending[l].find((n) => n)?.shape[0] ?? 0;
      const rows: number[][] = [];
      for (let t = 0; t < this.lengths[l]; t++) {
        const n = this.pending[l][t];
        rows.push(n ? Array.from(await n.data()) : new Array<number>(width).fill(0));
      }
      unitNorms.push(rows);
    }
    this.dispose();
    // The step's norm over all units: sqrt of the sum of the per-unit squares.
    const norms = unitNorms.map((rows) => rows.map((row) => Math.sqrt(row.reduce((sum, v) => sum + v * v, 0))));
    return { norms, unitNorms };
  }

  dispose(): void {
    for (let l = 0; l < this.matrices.length; l++) {
      this.matrices[l]?.dispose();
      this.matrices[l] = undefined;
    }
    for (const row of this.pending) {
      for (const n of row) n?.dispose();
      row.length = 0;
    }
  }
}
