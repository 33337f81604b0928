/**
 * Optimizers by name or instance, and their state as plain data (for checkpoints) or as
 * cheap in-memory snapshots (for rolling back after a non-finite step).
 */
import * as tf from "@tensorflow/tfjs";
import { leanAdam } from "./lean-adam";

export type OptimizerName = "sgd" | "momentum" | "adam" | "adamax" | "adagrad" | "adadelta" | "rmsprop";
export type OptimizerSpec = tf.Optimizer | OptimizerName;

const DEFAULT_RATES: Record<OptimizerName, number> = {
  sgd: 0.1,
  momentum: 0.01,
  adam: 0.001,
  adamax: 0.002,
  adagrad: 0.01,
  adadelta: 0.001,
  rmsprop: 0.001,
};

/** The rate a named optimizer gets when none is given (undefined for an unknown name). */
export function defaultLearningRate(name: string): number | undefined {
  return DEFAULT_RATES[name.toLowerCase() as OptimizerName];
}

/** An optimizer instance from a name (with learningRate or a sensible default) or as given. */
export function resolveOptimizer(spec: OptimizerSpec, learningRate?: number): tf.Optimizer {
  if (typeof spec !== "string") {
    if (spec == null || typeof (spec as tf.Optimizer).applyGradients !== "function") {
      throw new Error("optimizer must be a tf.Optimizer or one of: " + Object.keys(DEFAULT_RATES).join(", "));
    }
    return spec;
  }
  const name = spec.toLowerCase() as OptimizerName;
  if (!(name in DEFAULT_RATES)) {
    throw new Error(`Unknown optimizer "${spec}". Use one of: ${Object.keys(DEFAULT_RATES).join(", ")}, or pass a tf.train optimizer instance.`);
  }
  const lr = learningRate ?? defaultLearningRate(name)!;
  if (!(lr > 0)) throw new Error(`learningRate must be > 0, got ${lr}`);
  switch (name) {
    case "sgd":
      return tf.train.sgd(lr);
    case "momentum":
      return tf.train.momentum(lr, 0.9);
    case "adam":
      return leanAdam(lr);
    case "adamax":
      return tf.train.adamax(lr);
    case "adagrad":
      return tf.train.adagrad(lr);
    case "adadelta":
      return tf.train.adadelta(lr);
    case "rmsprop":
      return tf.train.rmsprop(lr);
  }
}

/** A tensor as plain, exactly restorable data. */
export interface TensorData {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  /** A private copy of the tensor's elements. */
  values: Float32Array | Int32Array;
}

export interface OptimizerStateData {
  className: string;
  iterations: number;
  /** The slots from getWeights() (moments, accumulators), in the optimizer's order. */
  slots: TensorData[];
  /** Scalar variables the optimizer keeps on itself (Adam's running beta powers), by field. */
  fields: Record<string, TensorData>;
}

function isVariable(value: unknown): value is tf.Variable {
  return value instanceof tf.Variable;
}

export function tensorToData(name: string, t: tf.Tensor): TensorData {
  const dtype = t.dtype === "int32" ? "int32" : "float32";
  const data = t.dataSync();
  const values = dtype === "int32" ? Int32Array.from(data as ArrayLike<number>) : Float32Array.from(data as ArrayLike<number>);
  return { name, shape: [...t.shape], dtype, values };
}

export function dataToTensor(d: TensorData): tf.Tensor {
  return tf.tensor(d.values, d.shape, d.dtype);
}

/** Variables held directly on the optimizer object, e.g. Adam's accBeta1/accBeta2. */
function ownVariableFields(opt: tf.Optimizer): [string, tf.Variable][] {
  return Object.entries(opt).filter((e): e is [string, tf.Variable] => isVariable(e[1]));
}

export async function captureOptimizerState(opt: tf.Optimizer): Promise<OptimizerStateData> {
  const weights = await opt.getWeights();
  try {
    const slots = weights.slice(1).map((w) => tensorToData(w.name, w.tensor));
    const fields: Record<string, TensorData> = {};
    for (const [key, v] of ownVariableFields(opt)) fields[key] = tensorToData(key, v);
    return { className: opt.getClassName(), iterations: opt.iterations, slots, fields };
  } finally {
    weights[0]?.tensor.dispose(); // the "iter" scalar is made fresh by getWeights
  }
}

/**
 * Puts a captured state into an optimizer of the same class. Old slot variables are
 * disposed so repeated restores do not leak.
 */
export async function restoreOptimizerState(opt: tf.Optimizer, state: OptimizerStateData): Promise<void> {
  if (opt.getClassName() !== state.className) {
    throw new Error(`Checkpoint optimizer is ${state.className} but the training optimizer is ${opt.getClassName()}; use the same optimizer to resume.`);
  }
  const old = await opt.getWeights();
  const iter = tf.scalar(state.iterations, "int32");
  const slotTensors = state.slots.map(dataToTensor);
  try {
    if (state.slots.length > 0 || old.length > 1) {
      await opt.setWeights([{ name: "iter", tensor: iter }, ...state.slots.map((s, i) => ({ name: s.name, tensor: slotTensors[i] }))]);
    } else {
      await opt.setWeights([{ name: "iter", tensor: iter }]);
    }
    const fields = new Map(ownVariableFields(opt));
    for (const [key, d] of Object.entries(state.fields)) {
      const v = fields.get(key);
      if (!v) throw new Error(`Optimizer ${state.className} has no field ${key} to restore`);
      tf.tidy(() => v.assign(dataToTensor(d)));
    }
  } finally {
    tf.dispose(slotTensors);
    iter.dispose();
    old[0]?.tensor.dispose();
    // setWeights replaced the slot variables; free the ones it dropped.
    const current = new Set((await opt.getWeights().then((w) => { w[0]?.tensor.dispose(); return w.slice(1).map((x) => x.tensor); })));
    for (const w of old.slice(1)) if (!current.has(w.tensor) && !w.tensor.isDisposed) w.tensor.dispose();
  }
}

/**
 * A tensor holding `v`'s data as it is now, without copying it (tf.clone copies on wasm:
 * 66 MB a step for the lab model's weights and Adam's moments). Sound because an update
 * never writes into a variable's data: assign() gives the variable new data, and this keeps
 * the old alive until disposed.
 */
export function heldValue(v: tf.Tensor): tf.Tensor {
  return tf.reshape(v, v.shape); // a reshape shares its input's data (and counts the reference)
}

/** The optimizer's variables as they are now (held, not copied: see heldValue). */
export interface OptimizerSnapshot {
  iterations: number;
  values: Map<tf.Variable, tf.Tensor>;
}

export async function snapshotOptimizer(opt: tf.Optimizer): Promise<OptimizerSnapshot> {
  const weights = await opt.getWeights();
  weights[0]?.tensor.dispose();
  const values = new Map<tf.Variable, tf.Tensor>();
  for (const w of weights.slice(1)) if (isVariable(w.tensor)) values.set(w.tensor, heldValue(w.tensor));
  for (const [, v] of ownVariableFields(opt)) values.set(v, heldValue(v));
  return { iterations: opt.iterations, values };
}

export async function restoreOptimizerSnapshot(opt: tf.Optimizer, snap: OptimizerSnapshot): Promise<void> {
  const weights = await opt.getWeights();
  weights[0]?.tensor.dispose();
  for (const w of weights.slice(1)) {
    // Slots created after the snapshot (Adam makes its moments on the first update) go back to zero.
    if (isVariable(w.tensor) && !snap.values.has(w.tensor)) tf.tidy(() => (w.tensor as tf.Variable).assign(tf.zerosLike(w.tensor)));
  }
  for (const [v, value] of snap.values) if (!v.isDisposed) v.assign(value);
  (opt as unknown as { iterations_: number }).iterations_ = snap.iterations;
}

export function disposeOptimizerSnapshot(snap: OptimizerSnapshot): void {
  for (const t of snap.values.values()) t.dispose();
  snap.values.clear();
}
