/**
 * One entry point for "run this recurrence over a sequence": the fused op (fast, default)
 * or the step-by-step readable cells (the reference; slower, and autodiff keeps one set
 * of activations per step). Both follow the same contract and are tested equal.
 */
import type * as tf from "@tensorflow/tfjs";
import { fusedRecurrence } from "./fused";
import type { CellKind, RecurrenceOptions, RecurrenceResult, RecurrenceState, RecurrenceWeights } from "./fused/types";
import { unrolledRecurrence } from "./cells/unroll";

export type RecurrenceImplementation = "fused" | "unrolled";

export function runRecurrence(
  implementation: RecurrenceImplementation,
  kind: CellKind,
  x: tf.Tensor3D,
  weights: RecurrenceWeights,
  initial: RecurrenceState,
  options: RecurrenceOptions = {},
): RecurrenceResult {
  if (implementation === "fused") return fusedRecurrence(kind, x, weights, initial, options);
  if (implementation === "unrolled") return unrolledRecurrence(kind, x, weights, initial, options);
  throw new Error(`Unknown recurrence implementation ${JSON.stringify(implementation)}; use "fused" or "unrolled"`);
}
