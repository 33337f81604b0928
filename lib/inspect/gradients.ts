/**
 * Gradients through time as plain data: for one batch, ||dL/dh_t|| for every time step and
 * recurrent layer, the per-step loss, and a verdict on whether gradients vanish or explode.
 */
import * as tf from "@tensorflow/tfjs";
import { sparseCrossEntropyPerItem, toIds } from "../train/losses";
import type { GradientCapture } from "../train/loop";
import { modelVariables } from "../train/model-variables";
import { layerStack, runStack } from "../train/unroll";
import { HiddenGradientProbe } from "./probe";
import type { GradientsThroughTimeData } from "./types";
import { DEFAULT_THRESHOLDS, gradientRatio, verdictFor, type VerdictThresholds } from "./verdict";
import { jacobianNorms } from "./jacobian";

export interface ForwardResult {
  loss: tf.Scalar;
  /** Optional per-time-step loss [T] (mean over the batch). */
  stepLoss?: tf.Tensor;
}

export interface MeasureOptions {
  /** One name per recurrent layer the forward pass taps (layer indices 0..n-1). */
  layers: string[];
  /** Variables to differentiate (this is what triggers backprop); default: all trainable. */
  variables?: tf.Variable[];
  thresholds?: VerdictThresholds;
}

/**
 * The general form: `forward(probe)` computes the loss and passes every hidden state
 * through `probe.tap(layer, t, h)` (or hands `probe.hiddenGradient(layer)` to a layer's
 * `onHiddenGradient`). Costs one forward and one backward pass.
 */
export async function measureGradientsThroughTime(
  forward: (probe: HiddenGradientProbe) => tf.Scalar | ForwardResult,
  options: MeasureOptions,
): Promise<GradientsThroughTimeData> {
  if (!Array.isArray(options.layers) || options.layers.length === 0) {
    throw new Error("measureGradientsThroughTime: `layers` must name at least one recurrent layer");
  }
  const probe = new HiddenGradientProbe(options.layers.length);
  let stepLoss: tf.Tensor | undefined;
  let lossValue: number;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const out = forward(probe);
      if (out instanceof tf.Tensor) return out;
      if (out.stepLoss) stepLoss = tf.keep(out.stepLoss.clone());
      return out.loss;
    }, options.variables);
    tf.dispose(Object.values(grads));
    lossValue = (await value.data())[0];
    value.dispose();
  } catch (e) {
    probe.dispose();
    stepLoss?.dispose();
    throw e;
  }
  const { norms, unitNorms } = await probe.read();
  const perStep = stepLoss ? Array.from(await stepLoss.data()) : undefined;
  stepLoss?.dispose();
  const timeSteps = Math.max(0, ...norms.map((n) => n.length));
  const ratio = norms.map(gradientRatio);
  const result: GradientsThroughTimeData = {
    layers: [...options.layers],
    timeSteps,
    norms,
    unitNorms,
    ratio,
    verdict: verdictFor(options.layers, ratio, options.thresholds ?? DEFAULT_THRESHOLDS),
    loss: lossValue,
  };
  if (perStep) result.stepLoss = perStep;
  return result;
}

/** Layers that hand back dL/dh_t themselves (lib/nn's recurrent layers). */
interface HiddenGradientLayer {
  name: string;
  onHiddenGradient?: (dh: tf.Tensor3D) => void;
}

function hookedLayers(model: tf.LayersModel): HiddenGradientLayer[] {
  return model.layers.filter((l) => "onHiddenGradient" in l) as unknown as HiddenGradientLayer[];
}

export interface ModelGradientsOptions {
  thresholds?: VerdictThresholds;
  /**
   * "all" (default): the training loss, mean over every time step. "last": only the last
   * step's prediction, so dL/dh_t shows purely how far one gradient travels back in time
   * (with "all", every step's own loss adds to its gradient and masks vanishing).
   */
  lossOn?: "all" | "last";
  /** Also estimate the recurrent Jacobian norms (extra cost: power iteration per step). */
  jacobian?: boolean | { iterations?: number };
}

/**
 * Gradients through time of a token model (ids [B,T] → logits [B,T,V]) on a batch {x, y}
 * under mean next-token cross-entropy. Uses the layers' onHiddenGradient hook when they
 * have one, else runs the stack step by step with taps.
 */
export async function gradientsThroughTime(
  model: tf.LayersModel,
  batch: { x: tf.Tensor | number[][]; y: tf.Tensor | number[][] },
  options: ModelGradientsOptions = {},
): Promise<GradientsThroughTimeData> {
  const variables = modelVariables(model);
  const lossOn = options.lossOn ?? "all";
  if (lossOn !== "all" && lossOn !== "last") throw new Error(`lossOn must be "all" or "last", got ${JSON.stringify(lossOn)}`);
  const lossOf = (logits: tf.Tensor): ForwardResult => {
    const y = toIds(batch.y, "batch.y");
    const items = sparseCrossEntropyPerItem(y, logits);
    if (lossOn === "last") {
      if (items.rank !== 2) throw new Error('lossOn: "last" needs per-step outputs: logits [batch, time, vocab]');
      const T = items.shape[1] as number;
      return { loss: tf.mean(tf.slice(items, [0, T - 1], [-1, 1])) as tf.Scalar };
    }
    if (items.rank === 2) return { loss: tf.mean(items) as tf.Scalar, stepLoss: tf.mean(items, 0) };
    return { loss: tf.mean(items) as tf.Scalar };
  };
  const hooked = hookedLayers(model);
  let result: GradientsThroughTimeData;
  if (hooked.length > 0) {
    const previous = hooked.map((l) => l.onHiddenGradient);
    try {
      result = await measureGradientsThroughTime(
        (probe) => {
          hooked.forEach((l, i) => (l.onHiddenGradient = probe.hiddenGradient(i)));
          return lossOf(model.apply(toIds(batch.x, "batch.x"), { training: true }) as tf.Tensor);
        },
        { layers: hooked.map((l) => l.name), variables, thresholds: options.thresholds },
      );
    } finally {
      hooked.forEach((l, i) => (l.onHiddenGradient = previous[i]));
    }
  } else {
    const stack = layerStack(model);
    const names = stack.filter((s) => s.recurrentIndex !== undefined).map((s) => s.layer.name);
    if (names.length === 0) throw new Error("gradientsThroughTime: the model has no recurrent layers");
    result = await measureGradientsThroughTime(
      (probe) => lossOf(runStack(stack, toIds(batch.x, "batch.x"), { tap: probe.tap, training: true }).output),
      { layers: names, variables, thresholds: options.thresholds },
    );
  }
  if (options.jacobian) {
    const iterations = typeof options.jacobian === "object" ? options.jacobian.iterations : undefined;
    result.jacobianNorms = (await jacobianNorms(model, batch.x, { iterations })).norms;
  }
  return result;
}

/** One layer's gradient norms over training, from a history's records (for heatmaps). */
export function gradientHistory(
  records: readonly { step: number; data: GradientsThroughTimeData }[],
  layer: string | number = 0,
): { steps: number[]; norms: number[][]; layer: string } {
  if (records.length === 0) throw new Error("no gradient records yet; train with gradientsThroughTime: { every: N }");
  const index = typeof layer === "number" ? layer : records[0].data.layers.indexOf(layer);
  if (index < 0 || index >= records[0].data.layers.length) {
    throw new Error(`unknown layer ${JSON.stringify(layer)}; recorded layers: ${records[0].data.layers.join(", ")}`);
  }
  return { steps: records.map((r) => r.step), norms: records.map((r) => r.data.norms[index]), layer: records[0].data.layers[index] };
}

/**
 * Listens to a training step's own backward pass through the layers' onHiddenGradient
 * hooks, so recording gradients through time costs almost nothing. For train()'s
 * `gradientsThroughTime.capture`; returns undefined when no layer has the hook.
 */
export function hiddenGradientCapture(model: tf.LayersModel, thresholds: VerdictThresholds = DEFAULT_THRESHOLDS): GradientCapture | undefined {
  const hooked = hookedLayers(model);
  if (hooked.length === 0) return undefined;
  let probe: HiddenGradientProbe | undefined;
  let previous: HiddenGradientLayer["onHiddenGradient"][] = [];
  const unhook = () => {
    hooked.forEach((l, i) => (l.onHiddenGradient = previous[i]));
    previous = [];
  };
  return {
    begin() {
      probe = new HiddenGradientProbe(hooked.length);
      previous = hooked.map((l) => l.onHiddenGradient);
      hooked.forEach((l, i) => (l.onHiddenGradient = probe!.hiddenGradient(i)));
    },
    async end(loss: number) {
      unhook();
      const { norms, unitNorms } = await probe!.read();
      probe = undefined;
      const layers = hooked.map((l) => l.name);
      const ratio = norms.map(gradientRatio);
      return { layers, timeSteps: Math.max(0, ...norms.map((n) => n.length)), norms, unitNorms, ratio, verdict: verdictFor(layers, ratio, thresholds), loss };
    },
    abort() {
      unhook();
      probe?.dispose();
      probe = undefined;
    },
  };
}
