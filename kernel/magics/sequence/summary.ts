/** %summary: a model's layers, output shapes and parameter counts as a table. */
import type * as tf from "@tensorflow/tfjs";
import type { LayerSummary, ModelSummaryData } from "../../../lib/inspect/summary";
import type { Seq2Seq } from "../../../lib/nn/seq2seq";
import type { MagicSpec } from "../types";
import { Table } from "./table";
import { isLayersModel, isSeq2Seq, positionalRef, type Seq2SeqLike } from "./values";

/** The library's summary data, shown as a table (HTML and text). */
export class ModelSummary extends Table implements ModelSummaryData {
  readonly name: string;
  readonly layers: LayerSummary[];
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly description?: string;

  constructor(data: ModelSummaryData) {
    const { name, layers, totalParams, trainableParams, description } = data;
    super({
      caption: `Model "${name}": ${layers.length} ${layers.length === 1 ? "part" : "parts"}`,
      columns: ["layer", "type", "output shape", "parameters"],
      rows: layers.map((l) => [l.name, l.kind, shapeText(l), l.params.toLocaleString("en-US")]),
      footer: [
        ...(description ? [description] : []),
        `Total parameters: ${totalParams.toLocaleString("en-US")}`,
        `Trainable: ${trainableParams.toLocaleString("en-US")}; not trainable: ${(totalParams - trainableParams).toLocaleString("en-US")}`,
      ],
    });
    this.name = name;
    this.layers = layers;
    this.totalParams = totalParams;
    this.trainableParams = trainableParams;
    this.description = description;
  }
}

/** "[null, null, 64]"; "?" for a layer never called; Seq2Seq rows are weights. */
function shapeText(layer: LayerSummary): string {
  if (layer.outputShape === null) return "?";
  const text = JSON.stringify(layer.outputShape).replace(/,/g, ", ");
  return layer.kind === "weight" ? `weight ${text}` : text;
}

export const summaryMagic: MagicSpec = {
  name: "summary",
  kind: "line",
  usage: "%summary $model",
  help: [
    "Shows a model's layers with their types, output shapes and parameter counts, and the totals.",
    "Takes a tf.LayersModel (tf.sequential, sl.buildLabModel, ...) or the library's sl.Seq2Seq",
    "(one row per weight). The value holds the same data as sl.modelSummary(model).",
    "",
    "Example:",
    "  const model = sl.buildLabModel({ vocabSize: 20, embeddingDim: 8, units: 16 });",
    "  %summary $model",
  ].join("\n"),
  async run(ctx, args) {
    if (args.positionals.length !== 1) ctx.usageError(`expected one model ($model), got ${args.positionals.length} arguments`);
    const ref = positionalRef(ctx, args, 0, "the model ($model)");
    const model = ctx.expect(ref, "a model (a tf.LayersModel or sl.Seq2Seq)", (v): v is tf.LayersModel | Seq2SeqLike => isLayersModel(v) || isSeq2Seq(v));
    // Loaded on first use: the library brings TensorFlow.js, which the kernel's start-up leaves out.
    const { modelSummary } = await import("../../../lib/inspect/summary");
    try {
      return new ModelSummary(modelSummary(model as tf.LayersModel | Seq2Seq));
    } catch (err) {
      return ctx.usageError(`${ref.written}: ${(err as Error).message}`);
    }
  },
};
