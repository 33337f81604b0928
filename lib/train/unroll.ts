/**
 * Runs a linear stack of tf.layers (Sequential, or a functional model that is a chain) one
 * time step at a time through each recurrent layer's cell, with explicit state in and out.
 * Works with tf.layers' SimpleRNN/LSTM/GRU (through their cells) and with lib/nn's recurrent
 * layers (through the readable cells, which lib/nn tests equal to its fused op).
 * This one routine gives: truncated BPTT for layer models (carry state between chunks),
 * stateful batch-1 sampling from a model trained at any batch size, hidden states for
 * heatmaps, and dL/dh_t taps for models whose layers have no hook of their own.
 * It computes what tfjs's own RNN layer computes (the same cell.call per step).
 */
import * as tf from "@tensorflow/tfjs";
import { cellStep } from "../nn/cells/unroll";
import { runRecurrence, type RecurrenceImplementation } from "../nn/recurrence";
import type { CellKind, RecurrenceWeights } from "../nn/fused/types";

type Layer = tf.layers.Layer;

/** The parts of a tfjs RNN layer this module uses. */
interface TfjsRnnLayer extends Layer {
  cell: Layer & { stateSize: number | number[] };
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
}

/** The parts of a lib/nn recurrent layer (fused op inside) this module uses. */
interface SeqlabRecurrentLayer extends Layer {
  kind: CellKind;
  units: number;
  activation?: "tanh" | "relu";
  returnSequences: boolean;
  returnState: boolean;
  implementation?: RecurrenceImplementation;
  recurrenceWeights(): RecurrenceWeights;
}

export type RecurrentKind = CellKind | "other";

/** One time step of a recurrent layer with explicit state ([h] or [h, c]). */
export interface RecurrentStepper {
  kind: RecurrentKind;
  stateCount: number;
  returnSequences: boolean;
  goBackwards: boolean;
  zeroState(batch: number): tf.Tensor[];
  /** Returns h_t and the full new state (h_t first). */
  step(x: tf.Tensor2D, state: tf.Tensor[], training: boolean): { h: tf.Tensor2D; state: tf.Tensor[] };
  /** Weights in the shared Keras layout, for readable cells (gates, Jacobians); rnn/lstm/gru only. */
  weights?(): RecurrenceWeights;
  /**
   * The whole sequence in one op (lib/nn's fused recurrence), used when no per-step access
   * is needed: outputs [batch, time, units] and the final state.
   */
  sequence?(x: tf.Tensor3D, state: tf.Tensor[]): { outputs: tf.Tensor3D; state: tf.Tensor[] };
}

export interface StackLayer {
  layer: Layer;
  /** Set for recurrent layers: their index among the recurrent layers of the stack. */
  recurrentIndex?: number;
  kind?: RecurrentKind;
  stepper?: RecurrentStepper;
}

function isTfjsRnn(layer: Layer): layer is TfjsRnnLayer {
  const cell = (layer as Partial<TfjsRnnLayer>).cell;
  return cell != null && typeof cell.call === "function" && cell.stateSize != null;
}

function isSeqlabRecurrent(layer: Layer): layer is SeqlabRecurrentLayer {
  const l = layer as Partial<SeqlabRecurrentLayer>;
  return typeof l.recurrenceWeights === "function" && (l.kind === "rnn" || l.kind === "lstm" || l.kind === "gru");
}

export function isRecurrentLayer(layer: Layer): boolean {
  return isTfjsRnn(layer) || isSeqlabRecurrent(layer);
}

function tfjsStepper(layer: TfjsRnnLayer): RecurrentStepper {
  const cell = layer.cell as unknown as { stateSize: number | number[]; call(i: tf.Tensor[], k: object): tf.Tensor[] };
  const sizes = Array.isArray(cell.stateSize) ? cell.stateSize : [cell.stateSize];
  const kind: RecurrentKind = ({ SimpleRNN: "rnn", LSTM: "lstm", GRU: "gru" } as Record<string, CellKind | undefined>)[layer.getClassName()] ?? "other";
  const stepper: RecurrentStepper = {
    kind,
    stateCount: sizes.length,
    returnSequences: layer.returnSequences,
    goBackwards: layer.goBackwards,
    zeroState: (batch) => sizes.map((n) => tf.zeros([batch, n])),
    step(x, state, training) {
      // The cell returns [output, ...newState]; for SimpleRNN/LSTM/GRU the output is h.
      const out = cell.call([x, ...state], { training });
      return { h: out[0] as tf.Tensor2D, state: out.slice(1) };
    },
  };
  if (kind !== "other") {
    stepper.weights = () => {
      const [kernel, recurrentKernel, bias] = layer.getWeights();
      if (!bias) throw new Error(`${layer.name} has no bias; readable cells need useBias: true`);
      return { kernel: kernel as tf.Tensor2D, recurrentKernel: recurrentKernel as tf.Tensor2D, bias: bias as tf.Tensor1D };
    };
  }
  return stepper;
}

function seqlabStepper(layer: SeqlabRecurrentLayer): RecurrentStepper {
  const lstm = layer.kind === "lstm";
  return {
    kind: layer.kind,
    stateCount: lstm ? 2 : 1,
    returnSequences: layer.returnSequences,
    goBackwards: false,
    zeroState: (batch) => (lstm ? [tf.zeros([batch, layer.units]), tf.zeros([batch, layer.units])] : [tf.zeros([batch, layer.units])]),
    step(x, state) {
      const input = (x.dtype === "float32" ? x : tf.cast(x, "float32")) as tf.Tensor2D;
      const s = lstm ? { h: state[0] as tf.Tensor2D, c: state[1] as tf.Tensor2D } : { h: state[0] as tf.Tensor2D };
      const r = cellStep(layer.kind, layer.recurrenceWeights(), input, s, { activation: layer.kind === "rnn" ? layer.activation : undefined });
      return { h: r.state.h, state: r.state.c ? [r.state.h, r.state.c] : [r.state.h] };
    },
    weights: () => layer.recurrenceWeights(),
    sequence(x, state) {
      const input = (x.dtype === "float32" ? x : tf.cast(x, "float32")) as tf.Tensor3D;
      const initial = lstm ? { h: state[0] as tf.Tensor2D, c: state[1] as tf.Tensor2D } : { h: state[0] as tf.Tensor2D };
      const implementation = layer.implementation ?? "fused";
      const r = runRecurrence(implementation, layer.kind, input, layer.recurrenceWeights(), initial, {
        activation: layer.kind === "rnn" ? layer.activation : undefined,
      });
      return { outputs: r.outputs, state: r.state.c ? [r.state.h, r.state.c] : [r.state.h] };
    },
  };
}

/** The model's layers in execution order; throws when the model is not a simple chain. */
export function layerStack(model: tf.LayersModel): StackLayer[] {
  const layers = model.layers.filter((l) => l.getClassName() !== "InputLayer");
  for (let i = 1; i < layers.length; i++) {
    const inbound = (layers[i] as unknown as { inboundNodes: { inboundLayers: Layer[] }[] }).inboundNodes;
    const parents = inbound?.[0]?.inboundLayers ?? [];
    const ok = parents.length === 1 && parents[0] === layers[i - 1] && inbound.length === 1;
    if (!ok) {
      throw new Error(`Layer ${layers[i].name} does not simply follow ${layers[i - 1].name}; step-by-step running supports linear stacks (tf.sequential) only.`);
    }
  }
  let r = 0;
  return layers.map((layer) => {
    const stepper = isSeqlabRecurrent(layer) ? seqlabStepper(layer) : isTfjsRnn(layer) ? tfjsStepper(layer) : undefined;
    if (!stepper) return { layer };
    if ((layer as unknown as { returnState?: boolean }).returnState) {
      throw new Error(`Layer ${layer.name} has returnState: true, which step-by-step running does not support`);
    }
    return { layer, recurrentIndex: r++, kind: stepper.kind, stepper };
  });
}

export function recurrentLayerNames(model: tf.LayersModel): string[] {
  return layerStack(model).filter((s) => s.recurrentIndex !== undefined).map((s) => s.layer.name);
}

/** How many state tensors a recurrent layer carries (LSTM: h and c); 0 for other layers. */
export function stateCount(layer: Layer): number {
  if (isSeqlabRecurrent(layer)) return seqlabStepper(layer).stateCount;
  if (isTfjsRnn(layer)) return tfjsStepper(layer).stateCount;
  return 0;
}

/** Replaces h_t (e.g. with an identity whose gradient records dL/dh_t). */
export type HiddenTap = (recurrentIndex: number, t: number, h: tf.Tensor2D) => tf.Tensor2D;

export interface StackRunOptions {
  /** Per recurrent layer, its initial state ([h] or [h, c]); null or missing means zeros. */
  initialStates?: (tf.Tensor[] | null)[] | null;
  tap?: HiddenTap;
  /** Passed to layers and cells (dropout). Default false. */
  training?: boolean;
  /** Also return every recurrent layer's h_t, [layer][t] -> [batch, units]. */
  keepHidden?: boolean;
  /**
   * Also return the inputs each recurrent layer saw ([layer][t] -> [batch, features]) and
   * its full state before every step ([layer][t] -> [h] or [h, c]).
   */
  keepInputs?: boolean;
}

export interface StackRunResult {
  output: tf.Tensor;
  /** Final state of each recurrent layer. */
  states: tf.Tensor[][];
  hidden?: tf.Tensor2D[][];
  inputs?: tf.Tensor2D[][];
  /** [layer][t]: the state going into step t (t = 0: the initial state). */
  statesBefore?: tf.Tensor[][][];
}

/**
 * Runs `x` through the stack. Every returned tensor is new and owned by the caller
 * (call inside tf.tidy or dispose the result). Differentiable.
 */
export function runStack(model: tf.LayersModel | StackLayer[], x: tf.Tensor, options: StackRunOptions = {}): StackRunResult {
  const stack = Array.isArray(model) ? model : layerStack(model);
  const training = options.training ?? false;
  const states: tf.Tensor[][] = [];
  const hidden: tf.Tensor2D[][] = [];
  const inputsSeen: tf.Tensor2D[][] = [];
  const before: tf.Tensor[][][] = [];
  let current = x;
  for (const { layer, recurrentIndex, stepper: layerStepper } of stack) {
    if (recurrentIndex === undefined) {
      current = layer.apply(current, { training }) as tf.Tensor;
      continue;
    }
    const stepper = layerStepper!;
    if (current.rank !== 3) throw new Error(`Recurrent layer ${layer.name} needs [batch, time, features] input, got shape [${current.shape}]`);
    const batch = current.shape[0];
    const given = options.initialStates?.[recurrentIndex];
    if (given && given.length !== stepper.stateCount) {
      throw new Error(`Layer ${layer.name} carries ${stepper.stateCount} state tensor(s) but the initial state has ${given.length}`);
    }
    let state = given ?? stepper.zeroState(batch);
    if (stepper.sequence && !options.tap && !options.keepInputs) {
      // No per-step access needed: run the layer's fused op over the whole sequence.
      const r = stepper.sequence(current as tf.Tensor3D, state);
      states.push(r.state);
      if (options.keepHidden) hidden.push(tf.unstack(r.outputs, 1) as tf.Tensor2D[]);
      current = stepper.returnSequences ? r.outputs : r.state[0];
      continue;
    }
    // tf.unstack's gradient breaks on a length-1 axis (it gets one tensor, not a list).
    const steps = (current.shape[1] === 1 ? [tf.reshape(current, [batch, current.shape[2] as number])] : tf.unstack(current, 1)) as tf.Tensor2D[];
    if (stepper.goBackwards) steps.reverse();
    const hs: tf.Tensor2D[] = [];
    const layerBefore: tf.Tensor[][] = [];
    for (let t = 0; t < steps.length; t++) {
      layerBefore.push(state);
      const next = stepper.step(steps[t], state, training);
      let h = next.h;
      if (options.tap) h = options.tap(recurrentIndex, t, h);
      state = [h, ...next.state.slice(1)];
      hs.push(h);
    }
    states.push(state);
    if (options.keepHidden) hidden.push(hs);
    if (options.keepInputs) {
      inputsSeen.push(steps);
      before.push(layerBefore);
    }
    current = stepper.returnSequences ? tf.stack(hs, 1) : hs[hs.length - 1];
  }
  const result: StackRunResult = { output: current, states };
  if (options.keepHidden) result.hidden = hidden;
  if (options.keepInputs) {
    result.inputs = inputsSeen;
    result.statesBefore = before;
  }
  return result;
}
