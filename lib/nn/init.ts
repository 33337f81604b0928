/**
 * Weight initialisation for recurrent cells in the tfjs-layers/Keras layout
 * (kernel [inputDim, gates*units], recurrentKernel [units, gates*units], bias [gates*units]).
 */
import * as tf from "@tensorflow/tfjs";
import type { CellKind, RecurrenceWeights } from "./fused/types";
import { orthogonalMatrix } from "./orthogonal";

/** Gates per cell kind: the width multiplier of every weight. */
export function gateCount(kind: CellKind): number {
  switch (kind) {
    case "rnn":
      return 1;
    case "lstm":
      return 4;
    case "gru":
      return 3;
    default:
      throw new Error(`Unknown cell kind ${JSON.stringify(kind)}; use "rnn", "lstm" or "gru"`);
  }
}

/** Gate names in the layout's order. */
export function gateNames(kind: CellKind): string[] {
  return kind === "lstm" ? ["input", "forget", "candidate", "output"] : kind === "gru" ? ["update", "reset", "candidate"] : ["hidden"];
}

export type KernelInit = "glorotUniform" | "glorotNormal" | "orthogonal" | "identity" | "zeros";

export interface RecurrenceInitOptions {
  /** Input kernel (default "glorotUniform"). */
  kernel?: KernelInit;
  /** Recurrent kernel (default "orthogonal", as tfjs-layers; the lab uses "glorotUniform"). */
  recurrent?: KernelInit;
  /**
   * "matrix" (default) treats the whole [in, gates*units] matrix as one Glorot fan, as Keras
   * does; "gate" initialises each gate's [in, units] block on its own, as PyTorch's
   * per-gate xavier_uniform_ (the reference script) does.
   */
  fan?: "matrix" | "gate";
  /** LSTM: start the forget-gate bias at 1 (default true, as Keras' unitForgetBias). */
  unitForgetBias?: boolean;
  /** Scale for "identity" (default 1). */
  gain?: number;
  /** Seed for reproducible weights. */
  seed?: number;
}

function initMatrix(kind: KernelInit, rows: number, cols: number, seed: number | undefined, gain: number): tf.Tensor2D {
  switch (kind) {
    case "glorotUniform":
      return tf.initializers.glorotUniform({ seed }).apply([rows, cols]) as tf.Tensor2D;
    case "glorotNormal":
      return tf.initializers.glorotNormal({ seed }).apply([rows, cols]) as tf.Tensor2D;
    case "orthogonal":
      return orthogonalMatrix(rows, cols, seed, gain);
    case "identity":
      if (rows !== cols) {
        throw new Error(`identity initialisation needs a square block, got [${rows}, ${cols}]; use it for the recurrent kernel`);
      }
      return tf.mul(tf.eye(rows), gain) as tf.Tensor2D;
    case "zeros":
      return tf.zeros([rows, cols]);
    default:
      throw new Error(`Unknown initialiser ${JSON.stringify(kind)}`);
  }
}

/** One weight matrix of `gates` blocks, each [rows, units]. */
export function initGateMatrix(
  kind: KernelInit,
  rows: number,
  units: number,
  gates: number,
  fan: "matrix" | "gate",
  seed: number | undefined,
  gain = 1,
): tf.Tensor2D {
  return tf.tidy(() => {
    // Square-only and orthogonal schemes are defined per gate block; so is the "gate" fan.
    if (fan === "gate" || kind === "identity" || kind === "orthogonal") {
      const blocks = Array.from({ length: gates }, (_, g) => initMatrix(kind, rows, units, seed === undefined ? undefined : seed + 7919 * g, gain));
      return gates === 1 ? blocks[0] : (tf.concat(blocks, 1) as tf.Tensor2D);
    }
    return initMatrix(kind, rows, units * gates, seed, gain);
  });
}

/** Fresh weights for a cell; the caller owns the tensors. */
export function initRecurrenceWeights(kind: CellKind, inputDim: number, units: number, options: RecurrenceInitOptions = {}): RecurrenceWeights {
  for (const [name, v] of [["inputDim", inputDim], ["units", units]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  const gates = gateCount(kind);
  const fan = options.fan ?? "matrix";
  const seed = options.seed;
  const kernel = initGateMatrix(options.kernel ?? "glorotUniform", inputDim, units, gates, fan, seed);
  const recurrentKernel = initGateMatrix(
    options.recurrent ?? "orthogonal",
    units,
    units,
    gates,
    fan,
    seed === undefined ? undefined : seed + 1,
    options.gain ?? 1,
  );
  const biasValues = new Float32Array(gates * units);
  if (kind === "lstm" && options.unitForgetBias !== false) biasValues.fill(1, units, 2 * units);
  return { kernel, recurrentKernel, bias: tf.tensor1d(biasValues) };
}
