/**
 * The simplest language model worth comparing a network with: a bigram, p(next | previous
 * word), counted from a sequence of ids and smoothed by adding k to every count (add-k), so
 * that a pair never seen in training gets a small probability instead of an infinite loss.
 */
import * as tf from "@tensorflow/tfjs";

export interface BigramOptions {
  /** Number of distinct ids (vocab.size); every id must lie in 0..vocabSize-1. */
  vocabSize: number;
  /** Added to every pair's count (default 0.1); k = 1 is Laplace smoothing. */
  k?: number;
}

type IdRows = number[][] | tf.Tensor;

function checkId(where: string, id: number, vocabSize: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
    throw new RangeError(`bigram: ${where} is ${id}, not an id in 0..${vocabSize - 1}; encode the text with the vocabulary whose size you passed as vocabSize`);
  }
}

function rowsOf(name: string, rows: IdRows): number[][] {
  const plain = rows instanceof tf.Tensor ? (rows.arraySync() as number[][]) : rows;
  if (!Array.isArray(plain) || !plain.every((row) => Array.isArray(row))) {
    throw new TypeError(`bigram: ${name} must be rows of ids ([batch][time], e.g. getBatch's x and y), got ${rows instanceof tf.Tensor ? `a tensor of shape [${rows.shape}]` : typeof rows}`);
  }
  return plain;
}

export class BigramModel {
  readonly vocabSize: number;
  readonly k: number;
  /** counts[previous * vocabSize + next]. */
  private readonly counts: Float64Array;
  /** How often each id is followed by anything. */
  private readonly totals: Float64Array;

  constructor(ids: ArrayLike<number>, options: BigramOptions) {
    const { vocabSize } = options;
    const k = options.k ?? 0.1;
    if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new RangeError(`bigram: vocabSize must be a positive integer (vocab.size), got ${vocabSize}`);
    if (!(k > 0) || !Number.isFinite(k)) throw new RangeError(`bigram: k must be a positive number (e.g. 0.1, or 1 for Laplace smoothing), got ${k}`);
    if (ids == null || typeof ids.length !== "number" || ids.length < 2) {
      throw new TypeError("bigram: ids must be a sequence of at least two ids (e.g. corpus.encoded)");
    }
    this.vocabSize = vocabSize;
    this.k = k;
    this.counts = new Float64Array(vocabSize * vocabSize);
    this.totals = new Float64Array(vocabSize);
    for (let i = 0; i < ids.length; i++) checkId(`ids[${i}]`, ids[i], vocabSize);
    for (let i = 1; i < ids.length; i++) {
      this.counts[ids[i - 1] * vocabSize + ids[i]] += 1;
      this.totals[ids[i - 1]] += 1;
    }
  }

  /** p(next | previous) = (count(previous, next) + k) / (count(previous, ·) + k V). */
  probability(previous: number, next: number): number {
    checkId("previous", previous, this.vocabSize);
    checkId("next", next, this.vocabSize);
    return (this.counts[previous * this.vocabSize + next] + this.k) / (this.totals[previous] + this.k * this.vocabSize);
  }

  /** p(· | previous) over every id; sums to 1. */
  distribution(previous: number): number[] {
    return Array.from({ length: this.vocabSize }, (_, next) => this.probability(previous, next));
  }

  /**
   * Mean cross-entropy in nats of predicting targets[b][t] from inputs[b][t] (getBatch's
   * { x, y } windows, as arrays or int tensors): the number to set beside a model's loss.
   */
  crossEntropy(inputs: IdRows, targets: IdRows): number {
    const xs = rowsOf("inputs", inputs);
    const ys = rowsOf("targets", targets);
    const shapeOf = (rows: number[][]) => `[${rows.length}, ${rows[0]?.length ?? 0}]`;
    if (xs.length === 0 || xs.length !== ys.length || xs.some((row, b) => row.length !== ys[b].length)) {
      throw new RangeError(`bigram: inputs ${shapeOf(xs)} and targets ${shapeOf(ys)} must be non-empty and of the same shape`);
    }
    let sum = 0;
    let n = 0;
    xs.forEach((row, b) =>
      row.forEach((previous, t) => {
        sum -= Math.log(this.probability(previous, ys[b][t]));
        n++;
      }),
    );
    return sum / n;
  }
}

/** A bigram model counted from `ids` (e.g. corpus.encoded), smoothed with add-k. */
export function bigramModel(ids: ArrayLike<number>, options: BigramOptions): BigramModel {
  return new BigramModel(ids, options);
}
