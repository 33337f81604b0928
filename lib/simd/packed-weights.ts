/**
 * Packed copies of weight matrices in SIMD kernel memory, cached per tensor data. tfjs tensors are
 * immutable and a Variable's assign swaps in new data, so a tensor's dataId names its values:
 * sampling reuses one packing for every character; training repacks once per step. A packing
 * whose data tfjs has freed (the weights before an update) can never be used again, so it is
 * freed before the next packing is made: the next one then reuses its memory.
 */
import * as tf from "@tensorflow/tfjs";
import type { Simd } from "./index";
import { dataIdOf, floats } from "./tensor-floats";

/** How a matrix [rows, cols] (a column block of it) is packed as the right operand B. */
export interface PackSpec {
  /** Cache key part: which packing of this tensor. */
  role: string;
  /** First column and number of columns of the block taken from the matrix. */
  col0: number;
  cols: number;
  /** Pack the block's transpose instead (B = block^T). */
  transpose: boolean;
}

interface Entry {
  dataId: object;
  role: string;
  ptr: number;
}

/** Most recent packings kept: a training step uses 4 (LSTM, RNN) to 6 (GRU). */
const CAPACITY = 8;

/** Whether tfjs still holds the data with this id; once freed, an id never comes back. */
function dataHeld(dataId: object): boolean {
  const engine = tf.engine() as unknown as { state: { tensorInfo: { has(id: object): boolean } } };
  return engine.state.tensorInfo.has(dataId);
}

export class PackedWeights {
  private entries: Entry[] = [];
  constructor(private readonly k: Simd) {}

  /** The packed operand for this tensor and spec, packing it on first use. */
  get(t: tf.Tensor2D, spec: PackSpec): number {
    const dataId = dataIdOf(t);
    const hit = this.entries.findIndex((e) => e.dataId === dataId && e.role === spec.role);
    if (hit >= 0) {
      const [e] = this.entries.splice(hit, 1);
      this.entries.push(e);
      return e.ptr;
    }
    this.dropFreed();
    const ptr = packRightOperand(this.k, floats(t), t.shape, spec);
    this.entries.push({ dataId, role: spec.role, ptr });
    while (this.entries.length > CAPACITY) this.k.free(this.entries.shift()!.ptr);
    return ptr;
  }

  /** Free this tensor's packings in the given roles, if kept (they would not be used again). */
  drop(t: tf.Tensor2D, roles: string[]): void {
    const dataId = dataIdOf(t);
    this.freeWhere((e) => e.dataId === dataId && roles.includes(e.role));
  }

  /** How many packings are kept (each in SIMD kernel memory). */
  get size(): number {
    return this.entries.length;
  }

  /** Free the packings of data tfjs has freed. */
  private dropFreed(): void {
    this.freeWhere((e) => !dataHeld(e.dataId));
  }

  private freeWhere(which: (e: Entry) => boolean): void {
    for (const e of this.entries.filter(which)) this.k.free(e.ptr);
    this.entries = this.entries.filter((e) => !which(e));
  }

  /** Drop every packing (frees SIMD kernel memory). */
  clear(): void {
    for (const e of this.entries) this.k.free(e.ptr);
    this.entries = [];
  }
}

let shared: PackedWeights | undefined;

/** The cache the fused recurrence packs into, so that consecutive calls reuse packings. */
export function sharedPackedWeights(k: Simd): PackedWeights {
  shared ??= new PackedWeights(k);
  return shared;
}

/** Free every cached weight packing (e.g. after training, before a long idle). */
export function releasePackedWeights(): void {
  shared?.clear();
}

/**
 * Pack a matrix [rows, cols] given by its values (or a column block of it, or its transpose,
 * as `spec` says) as a right operand, into new SIMD kernel memory the caller frees.
 */
export function packRightOperand(k: Simd, values: Float32Array, shape: readonly number[], spec: PackSpec): number {
  const [rows, cols] = shape;
  const K = spec.transpose ? spec.cols : rows;
  const N = spec.transpose ? rows : spec.cols;
  const ptr = k.alloc(k.x.packedBSize(K, N));
  const arena = k.arena();
  try {
    const src = arena.put(values) + spec.col0 * 4;
    k.x.packB(src, K, N, cols, spec.transpose ? 1 : 0, ptr);
  } catch (err) {
    k.free(ptr);
    throw err;
  } finally {
    arena.release();
  }
  return ptr;
}
