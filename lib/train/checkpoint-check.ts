/**
 * Checks a checkpoint against the model and optimizer it is about to overwrite: every
 * count, shape and value, before anything changes, so a damaged file fails with its name
 * and the weight at fault instead of half-overwriting the live model.
 */
import type * as tf from "@tensorflow/tfjs";
import type { TensorData } from "./optimizer";
import type { Checkpoint } from "./checkpoint";

/** Slot variables per trained variable, by optimizer class (getWeights() order: kind-major). */
const SLOTS_PER_VARIABLE: Record<string, number[]> = {
  SGD: [0],
  Momentum: [1],
  Adagrad: [1],
  Adadelta: [2],
  Adam: [2],
  RMSProp: [2, 3], // 3 when centered
};

const ARCHITECTURE = "resume with the same model architecture";
const DAMAGED = "the file is damaged or was not saved by this model; resume from another checkpoint";

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Values that match the shape's size and are all finite. `what` names the tensor. */
export function checkTensorData(d: TensorData, what: string, source: string): void {
  const size = d.shape.reduce((a, b) => a * b, 1);
  if (d.values.length !== size) {
    throw new Error(`${source}: ${what} has ${d.values.length} values but its shape [${d.shape}] needs ${size}; ${DAMAGED}.`);
  }
  let bad = 0;
  for (let i = 0; i < d.values.length; i++) if (!Number.isFinite(d.values[i])) bad++;
  if (bad > 0) {
    throw new Error(
      `${source}: ${what} holds ${bad} non-finite value(s) (NaN or ±Infinity) of ${size}; it was saved from a diverged run or is damaged. Resume from an earlier checkpoint.`,
    );
  }
}

function checkShape(d: TensorData, what: string, v: tf.Variable, source: string): void {
  if (!sameShape(d.shape, v.shape)) {
    throw new Error(`${source}: ${what} has shape [${d.shape}] but variable ${v.name} has shape [${v.shape}]; ${ARCHITECTURE}.`);
  }
}

/** Throws, changing nothing, unless `ckpt` can be loaded into `variables` and `optimizer`. */
export function checkCheckpointFits(ckpt: Checkpoint, variables: tf.Variable[], optimizer: tf.Optimizer, source: string): void {
  const n = variables.length;
  if (ckpt.weights.length !== n) {
    throw new Error(`${source} has ${ckpt.weights.length} weight tensors but the model has ${n} trainable variables; ${ARCHITECTURE}.`);
  }
  ckpt.weights.forEach((w, i) => {
    const what = `weight ${i} (${w.name})`;
    checkShape(w, what, variables[i], source);
    checkTensorData(w, what, source);
  });

  const state = ckpt.optimizer;
  if (optimizer.getClassName() !== state.className) {
    throw new Error(`Checkpoint optimizer is ${state.className} but the training optimizer is ${optimizer.getClassName()}; use the same optimizer to resume.`);
  }
  const allowed = SLOTS_PER_VARIABLE[state.className];
  const count = state.slots.length;
  // No slots at all is a checkpoint taken before the first update.
  if (count > 0 && (count % n !== 0 || (allowed && !allowed.includes(count / n)))) {
    const expected = allowed ? allowed.map((k) => k * n).join(" or ") : `a multiple of ${n}`;
    throw new Error(`${source} has ${count} optimizer slots, but ${state.className} on ${n} variables keeps ${expected}; ${DAMAGED}.`);
  }
  state.slots.forEach((s, i) => {
    const what = `optimizer slot ${i} (${s.name})`;
    checkShape(s, what, variables[i % n], source);
    checkTensorData(s, what, source);
  });
  const own = optimizer as unknown as Record<string, unknown>;
  for (const [key, d] of Object.entries(state.fields)) {
    const field = own[key] as tf.Variable | undefined;
    if (!field || !Array.isArray(field.shape)) throw new Error(`${source}: optimizer ${state.className} has no field ${key} to restore; ${DAMAGED}.`);
    if (!sameShape(d.shape, field.shape)) throw new Error(`${source}: optimizer field ${key} has shape [${d.shape}], expected [${field.shape}]; ${DAMAGED}.`);
    checkTensorData(d, `optimizer field ${key}`, source);
  }
}
