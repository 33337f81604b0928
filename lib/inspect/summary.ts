/**
 * A model's parts with their output shapes and parameter counts, as plain data (a magic or a
 * notebook renders it). Takes a tf.LayersModel or the library's Seq2Seq, which has no layer
 * objects and so gets one row per weight.
 */
import type * as tf from "@tensorflow/tfjs";
import { Seq2Seq } from "../nn/seq2seq";

export interface LayerSummary {
  /** The layer's name, or for a Seq2Seq the weight's name without the model prefix. */
  name: string;
  /** The layer's class name (e.g. "LSTM"), or "weight" for a Seq2Seq row. */
  kind: string;
  /**
   * The layer's output shape (null entries are free sizes such as the batch), a list of
   * shapes for a layer with several outputs, or null when the layer was never called.
   * For a Seq2Seq row: the weight's shape.
   */
  outputShape: tf.Shape | tf.Shape[] | null;
  params: number;
}

export interface ModelSummaryData {
  name: string;
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  /** For a Seq2Seq: its vocabularies and whether it attends. */
  description?: string;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** What the model is made of; a LayersModel must be built (its weights must exist). */
export function modelSummary(model: tf.LayersModel | Seq2Seq): ModelSummaryData {
  // Duck-typed so models built by another copy of seqlab or tfjs (a kernel installed apart
  // from the notebook's project) are accepted too.
  if (model instanceof Seq2Seq || isSeq2SeqShaped(model)) return seq2seqSummary(model as Seq2Seq);
  const m = model as Partial<tf.LayersModel> | null;
  if (m !== null && typeof m === "object" && Array.isArray(m.layers) && Array.isArray(m.weights)) return layersSummary(model as tf.LayersModel);
  throw new TypeError("modelSummary expects a tf.LayersModel (tf.sequential, buildLabModel, ...) or a Seq2Seq");
}

function isSeq2SeqShaped(model: unknown): boolean {
  const m = model as Partial<Seq2Seq> | null;
  return m !== null && typeof m === "object" && Array.isArray(m.trainableVariables) && typeof m.translate === "function" && m.options !== undefined;
}

function layersSummary(model: tf.LayersModel): ModelSummaryData {
  const layers = model.layers.map((layer): LayerSummary => {
    let outputShape: LayerSummary["outputShape"] = null;
    try {
      outputShape = layer.outputShape;
    } catch {
      // a layer that was never called has no output shape yet
    }
    let params: number;
    try {
      params = layer.countParams();
    } catch {
      throw new Error(`layer "${layer.name}" has no weights yet; build the model first, e.g. model.build([null, seqLength]) or run it on one batch`);
    }
    return { name: layer.name, kind: layer.getClassName(), outputShape, params };
  });
  return {
    name: model.name,
    layers,
    totalParams: model.weights.reduce((n, w) => n + sizeOf(w.shape as number[]), 0),
    trainableParams: model.trainableWeights.reduce((n, w) => n + sizeOf(w.shape as number[]), 0),
  };
}

/**
 * A Seq2Seq weight's name without the model prefix. The attention's weights carry tf's
 * automatic names ("0", "1"), so they are named after their role in the attention (Wq, Wk, v).
 */
function weightNames(model: Seq2Seq): Map<tf.Variable, string> {
  const names = new Map<tf.Variable, string>();
  for (const v of model.trainableVariables) names.set(v, v.name.includes("/") ? v.name.split("/").slice(1).join("/") : v.name);
  const params = (model.attention as { params?: Record<string, tf.Variable | undefined> } | undefined)?.params ?? {};
  for (const [role, v] of Object.entries(params)) if (v) names.set(v, `attention/${role}`);
  return names;
}

function seq2seqSummary(model: Seq2Seq): ModelSummaryData {
  const variables = model.trainableVariables;
  const names = weightNames(model);
  const layers = variables.map((v): LayerSummary => ({ name: names.get(v) as string, kind: "weight", outputShape: v.shape, params: v.size }));
  const total = layers.reduce((n, l) => n + l.params, 0);
  const o = model.options;
  return {
    name: variables[0]?.name.split("/")[0] ?? "seq2seq",
    layers,
    totalParams: total,
    trainableParams: total,
    description: `Encoder-decoder: source vocabulary ${o.sourceVocabSize}, target vocabulary ${o.targetVocabSize}, attention: ${model.attention ? "yes" : "no"}`,
  };
}
