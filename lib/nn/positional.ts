/**
 * Positional encodings. Attention by itself treats its input as a set: permute the tokens and
 * every output is permuted the same way. Adding a vector that depends on the position to each
 * token's embedding lets the model use order.
 */
import * as tf from "@tensorflow/tfjs";
import type { LayerArgs } from "@tensorflow/tfjs-layers/dist/engine/topology";
import type { Kwargs } from "@tensorflow/tfjs-layers/dist/types";

type Shape = (number | null)[];

/**
 * The sinusoidal table [length, dim] of "Attention is all you need":
 * PE[p, 2i] = sin(p / 10000^(2i/dim)), PE[p, 2i+1] = cos(p / 10000^(2i/dim)).
 * Each pair of columns is a clock of its own frequency, so nearby positions get similar rows.
 */
export function sinusoidalPositionalEncoding(length: number, dim: number): tf.Tensor2D {
  for (const [name, v] of [["length", length], ["dim", dim]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`sinusoidalPositionalEncoding: ${name} must be a positive integer, got ${v}`);
  }
  const table = new Float32Array(length * dim);
  for (let p = 0; p < length; p++) {
    for (let j = 0; j < dim; j++) {
      const angle = p / Math.pow(10000, (2 * Math.floor(j / 2)) / dim);
      table[p * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tf.tensor2d(table, [length, dim]);
}

export type PositionalEncodingKind = "sinusoidal" | "learned" | "none";

export interface PositionalEncodingArgs extends LayerArgs {
  /** "sinusoidal" (fixed table, default), "learned" (a trained vector per position) or "none" (adds nothing: for comparisons). */
  encoding?: PositionalEncodingKind;
  /** Longest sequence the layer accepts. */
  maxLength: number;
  /** learned: seed of the initial values. */
  seed?: number;
}

/** Adds a position's vector to each token's embedding: [batch, time, dim] → the same shape. */
export class PositionalEncoding extends tf.layers.Layer {
  static readonly className = "SeqlabPositionalEncoding";
  readonly encoding: PositionalEncodingKind;
  readonly maxLength: number;
  readonly seed?: number;
  private table?: tf.LayerVariable;

  constructor(args: PositionalEncodingArgs) {
    super(args);
    const encoding = args.encoding ?? "sinusoidal";
    if (!["sinusoidal", "learned", "none"].includes(encoding)) {
      throw new Error(`positionalEncoding: encoding must be "sinusoidal", "learned" or "none", got ${JSON.stringify(encoding)}`);
    }
    if (!Number.isInteger(args.maxLength) || args.maxLength < 1) {
      throw new Error(`positionalEncoding: maxLength must be a positive integer, got ${args.maxLength}`);
    }
    this.encoding = encoding;
    this.maxLength = args.maxLength;
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const dim = shape[shape.length - 1];
    if (shape.length !== 3 || dim === null) throw new Error(`positionalEncoding expects [batch, time, dim] with a known dim, got [${shape}]`);
    if (this.encoding !== "none") {
      const learned = this.encoding === "learned";
      const init = learned ? tf.initializers.randomNormal({ stddev: 0.02, seed: this.seed }) : tf.initializers.zeros();
      // The fixed table is a non-trainable weight so that it saves and loads with the model.
      this.table = this.addWeight("table", [this.maxLength, dim], "float32", init, undefined, learned);
      if (!learned) {
        const table = sinusoidalPositionalEncoding(this.maxLength, dim);
        this.table.write(table);
        table.dispose();
      }
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const length = x.shape[1]!;
      if (length > this.maxLength) {
        throw new Error(`${this.name}: the sequence has ${length} positions but the positional encoding covers ${this.maxLength}; use shorter sequences or build the model with a larger maxLength`);
      }
      if (!this.table) return tf.clone(x);
      return tf.add(x, tf.slice(this.table.read(), [0, 0], [length, -1]));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), encoding: this.encoding, maxLength: this.maxLength, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}
tf.serialization.registerClass(PositionalEncoding);

/** A PositionalEncoding layer for tf.sequential / tf.model. */
export function positionalEncoding(args: PositionalEncodingArgs): PositionalEncoding {
  return new PositionalEncoding(args);
}
