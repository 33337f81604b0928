/**
 * Runs a linear stack of tf.layers (Sequential, or a functional model that is a chain) one
 * time step at a time through each recurrent layer's cell, with explicit state in and out.
 * This one routine gives: truncated BPTT for layer models (carry state between chunks),
 * stateful batch-1 sampling from a model trained at any batch size, hidden states for
 * heatmaps, and dL/dh_t taps for models whose layers have no hook of their own.
 * It computes what tfjs's own RNN layer computes (the same cell.call per step).
 */
import * as tf from "@tensorflow/tfjs";

type Layer = tf.layers.Layer;

/** The parts of a tfjs RNN layer this module uses. */
interface RnnLayerLike extends Layer {
  cell: Layer & { stateSize: number | number[]; call(inputs: tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor[] };
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
}

export type RecurrentKind = "rnn" | "lstm" | "gru" | "other";

export interface StackLayer {
  layer: Layer;
  /** Set for recurrent layers: their index among the recurrent layers of the stack. */
  recurrentIndex?: number;
  kind?: RecurrentKind;
}

export function isRecurrentLayer(layer: Layer): layer is RnnLayerLike {
  const cell = (layer as Partial<RnnLayerLike>).cell;
  return cell != null && typeof cell.call === "function" && cell.stateSize != null;
}

function kindOf(layer: RnnLayerLike): RecurrentKind {
  switch (layer.getClassName()) {
    case "SimpleRNN":
      return "rnn";
    case "LSTM":
      return "lstm";
    case "GRU":
      return "gru";
    default:
      return "other";
  }
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
    if (!isRecurrentLayer(layer)) return { layer };
    if (layer.returnState) throw new Error(`Layer ${layer.name} has returnState: true, which step-by-step running does not support`);
    return { layer, recurrentIndex: r++, kind: kindOf(layer) };
  });
}

export function recurrentLayerNames(model: tf.LayersModel): string[] {
  return layerStack(model).filter((s) => s.recurrentIndex !== undefined).map((s) => s.layer.name);
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

/** How many state tensors a recurrent layer carries (LSTM: h and c). */
export function stateCount(layer: Layer): number {
  if (!isRecurrentLayer(layer)) return 0;
  return Array.isArray(layer.cell.stateSize) ? layer.cell.stateSize.length : 1;
}

function zeroStates(layer: RnnLayerLike, batch: number): tf.Tensor[] {
  const sizes = Array.isArray(layer.cell.stateSize) ? layer.cell.stateSize : [layer.cell.stateSize];
  return sizes.map((n) => tf.zeros([batch, n]));
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
  for (const { layer, recurrentIndex } of stack) {
    if (recurrentIndex === undefined) {
      current = layer.apply(current, { training }) as tf.Tensor;
      continue;
    }
    const rnn = layer as RnnLayerLike;
    if (current.rank !== 3) throw new Error(`Recurrent layer ${rnn.name} needs [batch, time, features] input, got shape [${current.shape}]`);
    const batch = current.shape[0];
    const given = options.initialStates?.[recurrentIndex];
    let state = given ?? zeroStates(rnn, batch);
    const steps = tf.unstack(current, 1) as tf.Tensor2D[];
    if (rnn.goBackwards) steps.reverse();
    const hs: tf.Tensor2D[] = [];
    const layerBefore: tf.Tensor[][] = [];
    for (let t = 0; t < steps.length; t++) {
      layerBefore.push(state);
      const out = rnn.cell.call([steps[t], ...state], { training }) as tf.Tensor[];
      let h = out[0] as tf.Tensor2D;
      if (options.tap) h = options.tap(recurrentIndex, t, h);
      state = [h, ...out.slice(2)];
      hs.push(h);
    }
    states.push(state);
    if (options.keepHidden) hidden.push(hs);
    if (options.keepInputs) {
      inputsSeen.push(steps);
      before.push(layerBefore);
    }
    current = rnn.returnSequences ? tf.stack(hs, 1) : hs[hs.length - 1];
  }
  const result: StackRunResult = { output: current, states };
  if (options.keepHidden) result.hidden = hidden;
  if (options.keepInputs) {
    result.inputs = inputsSeen;
    result.statesBefore = before;
  }
  return result;
}
