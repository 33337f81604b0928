/**
 * Padding variable-length id sequences into one rectangular batch, with a mask that marks
 * real tokens (1) and padding (0) so losses and attention can ignore the padding.
 */
import * as tf from "@tensorflow/tfjs";

export type Side = "left" | "right";

export interface PadOptions {
  /** The id written into padded slots (default 0). */
  padId?: number;
  /** Where padding goes (default "right"). */
  side?: Side;
  /** Batch width; default the longest sequence. Longer sequences are truncated. */
  maxLength?: number;
  /** Which end a too-long sequence loses (default "right": keep the beginning). */
  truncate?: Side;
}

export interface PaddedBatch {
  /** [batch][maxLength] ids. */
  ids: number[][];
  /** [batch][maxLength]: 1 for a real token, 0 for padding. */
  mask: number[][];
  /** Real lengths after truncation. */
  lengths: number[];
}

export function padSequences(sequences: readonly ArrayLike<number>[], options: PadOptions = {}): PaddedBatch {
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new Error("padSequences: pass a non-empty array of id sequences");
  }
  const padId = options.padId ?? 0;
  const side = options.side ?? "right";
  const truncate = options.truncate ?? "right";
  for (const [name, value] of [["side", side], ["truncate", truncate]] as const) {
    if (value !== "left" && value !== "right") {
      throw new Error(`padSequences: ${name} must be "left" or "right", got ${JSON.stringify(value)}`);
    }
  }
  const longest = Math.max(...sequences.map((s) => s.length));
  const width = options.maxLength ?? longest;
  if (!Number.isInteger(width) || width < 1) {
    throw new RangeError(`padSequences: maxLength must be a positive integer, got ${options.maxLength}`);
  }
  const ids: number[][] = [];
  const mask: number[][] = [];
  const lengths: number[] = [];
  for (const seq of sequences) {
    let row: number[] = Array.from({ length: seq.length }, (_, i) => seq[i]);
    if (row.length > width) row = truncate === "right" ? row.slice(0, width) : row.slice(row.length - width);
    const pad = new Array<number>(width - row.length).fill(padId);
    const ones = new Array<number>(row.length).fill(1);
    const zeros = new Array<number>(pad.length).fill(0);
    ids.push(side === "right" ? [...row, ...pad] : [...pad, ...row]);
    mask.push(side === "right" ? [...ones, ...zeros] : [...zeros, ...ones]);
    lengths.push(row.length);
  }
  return { ids, mask, lengths };
}

/** The padded batch as tensors: ids int32 [batch, time], mask float32 [batch, time]. */
export function padBatch(
  sequences: readonly ArrayLike<number>[],
  options: PadOptions = {},
): { ids: tf.Tensor2D; mask: tf.Tensor2D; lengths: number[] } {
  const padded = padSequences(sequences, options);
  return {
    ids: tf.tensor2d(padded.ids, undefined, "int32"),
    mask: tf.tensor2d(padded.mask, undefined, "float32"),
    lengths: padded.lengths,
  };
}

/** A [batch, maxLength] mask from lengths, for padding on the given side. */
export function lengthsToMask(lengths: readonly number[], maxLength: number, side: Side = "right"): number[][] {
  return lengths.map((n) => {
    if (!Number.isInteger(n) || n < 0 || n > maxLength) {
      throw new RangeError(`lengthsToMask: length ${n} is not an integer in [0, ${maxLength}]`);
    }
    const row = new Array<number>(maxLength).fill(0);
    for (let t = 0; t < n; t++) row[side === "right" ? t : maxLength - 1 - t] = 1;
    return row;
  });
}
