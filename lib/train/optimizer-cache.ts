/**
 * One optimizer per set of trained variables, kept across train() calls: a second call
 * continues Adam's moments where the first stopped, and no call leaves an optimizer's slot
 * variables behind (a fresh optimizer per call leaked them, until the wasm heap aborted).
 */
import * as tf from "@tensorflow/tfjs";
import { defaultLearningRate, resolveOptimizer, type OptimizerName } from "./optimizer";

interface Entry {
  /** Optimizer name, learning rate and the variables' ids: what makes it reusable. */
  key: string;
  optimizer: tf.Optimizer;
}

/** Keyed by the first trained variable (a model's variables are made once, with the model). */
const entries = new Map<tf.Variable, Entry>();

/**
 * The optimizer that trains `variables` with these settings: the one from the last call if
 * the settings are the same (leaving out the rate and giving the default are the same) and
 * `fresh` is not set, else a new one (and the old one is disposed).
 */
export function sharedOptimizer(variables: tf.Variable[], name: OptimizerName | string, learningRate?: number, fresh = false): tf.Optimizer {
  disposeOrphans();
  const rate = learningRate ?? defaultLearningRate(name);
  const key = `${name.toLowerCase()}@${rate}:${variables.map((v) => v.id).join(",")}`;
  const entry = entries.get(variables[0]);
  if (entry && entry.key === key && !fresh && !isDisposed(entry.optimizer)) return entry.optimizer;
  // Resolve first: bad settings must not cost the run its optimizer state.
  const optimizer = resolveOptimizer(name as OptimizerName, learningRate);
  if (entry) entry.optimizer.dispose();
  entries.set(variables[0], { key, optimizer });
  return optimizer;
}

/** Optimizers of disposed models hold slot variables nobody can use: free them. */
function disposeOrphans(): void {
  for (const [variable, entry] of entries) {
    if (variable.isDisposed) {
      entry.optimizer.dispose();
      entries.delete(variable);
    }
  }
}

/**
 * Whether optimizer.dispose() has run (train() returns the optimizer, and callers may
 * dispose it): it disposes the tensors the optimizer keeps on itself.
 */
function isDisposed(optimizer: tf.Optimizer): boolean {
  return Object.values(optimizer).some((field) => {
    if (field instanceof tf.Tensor) return field.isDisposed;
    if (!Array.isArray(field)) return false;
    return field.some((slot) => (slot as { variable?: unknown })?.variable instanceof tf.Tensor && (slot as { variable: tf.Tensor }).variable.isDisposed);
  });
}
