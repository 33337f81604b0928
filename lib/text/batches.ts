/**
 * Training batches for next-character prediction, as in the lab's get_batch: random
 * windows of the encoded corpus, the target being the input shifted one step ahead.
 */
import * as tf from "@tensorflow/tfjs";
import { RngLike, toRng } from "../random";

export interface WindowBatch {
  /** [batchSize][seqLength] input ids. */
  x: number[][];
  /** [batchSize][seqLength] target ids: y[b][t] === x[b][t + 1]. */
  y: number[][];
  /** Where each window starts in the encoded sequence. */
  starts: number[];
}

export interface TensorBatch {
  /** int32 [batchSize, seqLength]. */
  x: tf.Tensor2D;
  /** int32 [batchSize, seqLength], x shifted one step ahead. */
  y: tf.Tensor2D;
  starts: number[];
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`getBatch: ${name} must be a positive integer, got ${value}`);
  }
}

/** Random windows as plain arrays. `rng` is a seed, a () => [0,1) function or an Rng. */
export function sampleWindows(encoded: ArrayLike<number>, seqLength: number, batchSize: number, rng?: RngLike): WindowBatch {
  if (encoded == null || typeof encoded.length !== "number") {
    throw new TypeError("getBatch: encoded must be an array of ids (e.g. vocab.encode(text))");
  }
  checkPositiveInteger("seqLength", seqLength);
  checkPositiveInteger("batchSize", batchSize);
  if (encoded.length < seqLength + 1) {
    throw new RangeError(
      `getBatch: the encoded sequence has ${encoded.length} ids, but a window of seqLength ${seqLength} ` +
        `needs at least ${seqLength + 1} (the input plus one step for the shifted target); ` +
        `use a shorter seqLength or more text`,
    );
  }
  const random = toRng(rng);
  // Valid starts s satisfy s + seqLength <= length - 1, so the target's last id exists.
  const choices = encoded.length - seqLength;
  const x: number[][] = [];
  const y: number[][] = [];
  const starts: number[] = [];
  for (let b = 0; b < batchSize; b++) {
    const s = random.int(choices);
    starts.push(s);
    const xs = new Array<number>(seqLength);
    const ys = new Array<number>(seqLength);
    for (let t = 0; t < seqLength; t++) {
      xs[t] = encoded[s + t];
      ys[t] = encoded[s + t + 1];
    }
    x.push(xs);
    y.push(ys);
  }
  return { x, y, starts };
}

/** The lab's get_batch: int32 tensors x and y of shape [batchSize, seqLength]. */
export function getBatch(encoded: ArrayLike<number>, seqLength: number, batchSize: number, rng?: RngLike): TensorBatch {
  const { x, y, starts } = sampleWindows(encoded, seqLength, batchSize, rng);
  return { x: tf.tensor2d(x, [batchSize, seqLength], "int32"), y: tf.tensor2d(y, [batchSize, seqLength], "int32"), starts };
}
