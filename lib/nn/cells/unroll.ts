/**
 * Running a readable cell over a whole sequence with shared weights, step by step. It keeps
 * every step's gates so notebooks can plot them over time, and it implements the fused
 * op's contract (same arguments, same results) so it doubles as the reference the fast
 * path is tested against.
 */
import * as tf from "@tensorflow/tfjs";
import type { CellKind, RecurrenceOptions, RecurrenceResult, RecurrenceState, RecurrenceWeights } from "../fused/types";
import { gateCount } from "../init";
import { rnnStep } from "./rnn";
import { lstmStep } from "./lstm";
import { gruStep } from "./gru";

export interface CellStepResult {
  state: RecurrenceState;
  /** The cell's gate values at this step, by name ([batch, units] each). */
  gates: Record<string, tf.Tensor2D>;
}

/** tf.tidy for results that hold tensors in typed objects (tidy keeps every tensor it finds). */
export function tidyResult<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

/** One step of any kind of cell; `watchCell` wraps the LSTM's new c_t (see lstmStep). */
export function cellStep(
  kind: CellKind,
  weights: RecurrenceWeights,
  x: tf.Tensor2D,
  state: RecurrenceState,
  options: RecurrenceOptions = {},
  watchCell?: (c: tf.Tensor2D) => tf.Tensor2D,
): CellStepResult {
  switch (kind) {
    case "rnn": {
      const r = rnnStep(weights, x, state.h, options.activation ?? "tanh");
      return { state: { h: r.h }, gates: { ...r.gates } };
    }
    case "lstm": {
      if (!state.c) throw new Error("LSTM step needs a cell state c as well as h");
      const r = lstmStep(weights, x, state.h, state.c, watchCell);
      return { state: { h: r.h, c: r.c }, gates: { ...r.gates } };
    }
    case "gru": {
      const r = gruStep(weights, x, state.h);
      return { state: { h: r.h }, gates: { ...r.gates } };
    }
    default:
      throw new Error(`Unknown cell kind ${JSON.stringify(kind)}; use "rnn", "lstm" or "gru"`);
  }
}

/** A zero state for `batch` sequences. */
export function zeroState(kind: CellKind, batch: number, units: number): RecurrenceState {
  const h = tf.zeros([batch, units]) as tf.Tensor2D;
  return kind === "lstm" ? { h, c: tf.zeros([batch, units]) as tf.Tensor2D } : { h };
}

/** Check shapes up front so a mistake names the offending tensor instead of failing in matMul. */
export function checkRecurrenceShapes(kind: CellKind, x: tf.Tensor, weights: RecurrenceWeights, initial?: RecurrenceState): void {
  if (x.rank !== 3) throw new Error(`recurrence input must be [batch, time, features], got shape [${x.shape}]`);
  const [batch, time, features] = x.shape;
  if (time < 1) throw new Error("recurrence input has no time steps");
  const gates = gateCount(kind);
  const units = weights.recurrentKernel.shape[0];
  const expect = (name: string, actual: number[], wanted: number[]) => {
    if (actual.length !== wanted.length || actual.some((v, i) => v !== wanted[i])) {
      throw new Error(`${kind} ${name} has shape [${actual}], expected [${wanted}] (inputDim ${features}, units ${units}, ${gates} gate(s))`);
    }
  };
  expect("kernel", weights.kernel.shape, [features, gates * units]);
  expect("recurrentKernel", weights.recurrentKernel.shape, [units, gates * units]);
  expect("bias", weights.bias.shape, [gates * units]);
  if (initial) {
    expect("initial h", initial.h.shape, [batch, units]);
    if (kind === "lstm") {
      if (!initial.c) throw new Error("lstm initial state needs c as well as h");
      expect("initial c", initial.c.shape, [batch, units]);
    }
  }
}

/**
 * Collects the gradient of one state (h_t or the LSTM's c_t) for every step through
 * identity ops with a custom gradient and hands the stacked [batch, time, units] tensor to
 * the callback once the first step's gradient (always the last to arrive) is in. Steps the
 * loss does not reach get zeros.
 */
class StateGradientTap {
  private readonly grads: (tf.Tensor2D | undefined)[];
  private readonly tap: (h: tf.Tensor2D, t: number) => tf.Tensor2D;

  constructor(
    private readonly time: number,
    private readonly callback: (dh: tf.Tensor3D) => void,
  ) {
    this.grads = new Array(time).fill(undefined);
    this.tap = (h, t) => {
      const identity = tf.customGrad(((value: tf.Tensor) => ({
        value: tf.clone(value),
        gradFunc: (dy: tf.Tensor) => {
          this.record(t, dy as tf.Tensor2D);
          return [dy];
        },
      })) as unknown as Parameters<typeof tf.customGrad>[0]);
      return identity(h) as tf.Tensor2D;
    };
  }

  watch(h: tf.Tensor2D, t: number): tf.Tensor2D {
    return this.tap(h, t);
  }

  private record(t: number, dy: tf.Tensor2D): void {
    this.grads[t]?.dispose();
    this.grads[t] = tf.keep(tf.clone(dy));
    if (t !== 0) return;
    const shape = dy.shape;
    const all = tf.tidy(() => tf.stack(this.grads.map((g) => g ?? tf.zeros(shape)), 1) as tf.Tensor3D);
    for (let i = 0; i < this.time; i++) {
      this.grads[i]?.dispose();
      this.grads[i] = undefined;
    }
    this.callback(tf.keep(all));
  }
}

export interface UnrollOptions extends RecurrenceOptions {
  /** Keep every step's gates in the result (default true). */
  keepGates?: boolean;
  /**
   * LSTM only. Called during backpropagation with dL/dc_t for every step, [batch, time,
   * units]: the total gradient reaching each cell state (through h_t and through c_{t+1}),
   * like onHiddenGradient for h_t. The callee owns the tensor and must dispose it.
   */
  onCellGradient?: (dc: tf.Tensor3D) => void;
}

export interface UnrollResult extends RecurrenceResult {
  /** Each gate over time, [batch, time, units]; empty when keepGates is false. */
  gates: Record<string, tf.Tensor3D>;
  /** LSTM: every cell state, [batch, time, units]. */
  cells?: tf.Tensor3D;
}

/** Run a cell over x [batch, time, features] with shared weights. */
export function unroll(
  kind: CellKind,
  x: tf.Tensor3D,
  weights: RecurrenceWeights,
  initial?: RecurrenceState,
  options: UnrollOptions = {},
): UnrollResult {
  checkRecurrenceShapes(kind, x, weights, initial);
  const [batch, time] = x.shape;
  const units = weights.recurrentKernel.shape[0];
  const keepGates = options.keepGates !== false;
  if (options.onCellGradient && kind !== "lstm") {
    throw new Error(`onCellGradient needs an LSTM (only it has a cell state c_t); this cell is ${JSON.stringify(kind)}: use onHiddenGradient`);
  }
  const tap = options.onHiddenGradient ? new StateGradientTap(time, options.onHiddenGradient) : undefined;
  const cellTap = options.onCellGradient ? new StateGradientTap(time, options.onCellGradient) : undefined;
  return tidyResult(() => {
    let state = initial ?? zeroState(kind, batch, units);
    const steps = tf.unstack(x, 1) as tf.Tensor2D[];
    const hs: tf.Tensor2D[] = [];
    const cs: tf.Tensor2D[] = [];
    const gateSeries: Record<string, tf.Tensor2D[]> = {};
    for (let t = 0; t < time; t++) {
      const step = cellStep(kind, weights, steps[t], state, options, cellTap && ((c) => cellTap.watch(c, t)));
      const h = tap ? tap.watch(step.state.h, t) : step.state.h;
      state = { ...step.state, h };
      hs.push(h);
      if (step.state.c) cs.push(step.state.c);
      if (keepGates) {
        for (const [name, value] of Object.entries(step.gates)) (gateSeries[name] ??= []).push(value);
      }
    }
    const gates: Record<string, tf.Tensor3D> = {};
    for (const [name, series] of Object.entries(gateSeries)) gates[name] = tf.stack(series, 1) as tf.Tensor3D;
    const result: UnrollResult = { outputs: tf.stack(hs, 1) as tf.Tensor3D, state, gates };
    if (kind === "lstm") result.cells = tf.stack(cs, 1) as tf.Tensor3D;
    return result;
  });
}

/**
 * The fused op's contract computed step by step with the readable cells: outputs and final
 * state only, differentiable by ordinary autodiff.
 */
export function unrolledRecurrence(
  kind: CellKind,
  x: tf.Tensor3D,
  weights: RecurrenceWeights,
  initial: RecurrenceState,
  options: RecurrenceOptions = {},
): RecurrenceResult {
  const r = unroll(kind, x, weights, initial, { ...options, keepGates: false });
  if (r.cells) r.cells.dispose();
  return { outputs: r.outputs, state: r.state };
}
