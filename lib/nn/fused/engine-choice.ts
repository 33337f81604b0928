/** Which implementation a fused recurrence runs on: the WebAssembly SIMD kernels where they serve, else tfjs ops. */
import * as tf from "@tensorflow/tfjs";
import { SIMD_BACKENDS, simdStatus } from "../../simd";
import type { RecurrenceEngine } from "./engine";
import { simdEngine } from "./simd-engine";
import { tfjsEngine } from "./tfjs-engine";
import type { CellKind, RecurrenceOptions } from "./types";

/**
 * The engine a call will use: the WebAssembly SIMD kernels on wasm/cpu, tfjs ops elsewhere.
 * The same for every cell kind (each has SIMD kernels); the kind stays in the signature for callers.
 */
export function recurrenceEngineName(_kind: CellKind, options: RecurrenceOptions = {}): string {
  return pickEngine(options).name;
}

export function pickEngine(options: RecurrenceOptions): RecurrenceEngine {
  const choice = options.engine ?? "auto";
  if (choice === "tfjs") return tfjsEngine;
  return simdEngineFor(tf.getBackend(), choice === "simd" || choice === "kernels") ?? tfjsEngine;
}

/**
 * The SIMD engine when it can run for this backend (every cell kind has SIMD kernels), else
 * undefined (the caller falls back to tfjs ops). With `required`, explain instead why it cannot.
 */
function simdEngineFor(backend: string, required: boolean): RecurrenceEngine | undefined {
  if (!SIMD_BACKENDS.has(backend)) {
    if (required) {
      throw new Error(
        `fusedRecurrence: the WebAssembly SIMD kernels serve the wasm and cpu backends, not "${backend}"; use engine "auto" or "tfjs"`,
      );
    }
    return undefined;
  }
  const status = simdStatus();
  if (!status.available) {
    if (required) throw new Error(`fusedRecurrence: ${status.reason}`);
    return undefined;
  }
  return simdEngine;
}
