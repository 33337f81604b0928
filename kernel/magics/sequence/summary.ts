/** %summary: a model's layers, output shapes and parameter counts as a table. */
import type * as tf from "@tensorflow/tfjs";
import type { MagicSpec } from "../types";
import { Table } from "./table";
import { isLayersModel, isSeq2Seq, positionalRef, type Seq2SeqLike } from "./values";

export interface SummaryRow {
  name: string;
  kind: string;
  /** e.g. "[null,null,64]"; "?" when the layer is not built yet. */
  outputShape: string;
  params: number;
}

export class ModelSummary extends Table {
  constructor(
    readonly modelName: string,
    readonly layers: SummaryRow[],
    readonly totalParams: number,
    readonly trainableParams: number,
  ) {
    super({
      caption: `Model "${modelName}": ${layers.length} ${layers.length === 1 ? "part" : "parts"}`,
      columns: ["layer", "type", "output shape", "parameters"],
      rows: layers.map((l) => [l.name, l.kind, l.outputShape, l.params.toLocaleString("en-US")]),
      footer: [
        `Total parameters: ${totalParams.toLocaleString("en-US")}`,
        `Trainable: ${trainableParams.toLocaleString("en-US")}; not trainable: ${(totalParams - trainableParams).toLocaleString("en-US")}`,
      ],
    });
  }
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function shapeText(shape: unknown): string {
  return JSON.stringify(shape)?.replace(/,/g, ", ") ?? "?";
}

/** Rows of a tf.LayersModel; throws when its weights do not exist yet. */
export function layersModelSummary(model: tf.LayersModel): ModelSummary {
  const rows = model.layers.map((layer) => {
    let outputShape = "?";
    try {
      outputShape = shapeText(layer.outputShape);
    } catch {
      // a layer that was never called has no output shape yet
    }
    let params = 0;
    try {
      params = layer.countParams();
    } catch {
      throw new Error(`layer "${layer.name}" has no weights yet; build the model first, e.g. model.build([null, seqLength]) or run it on one batch`);
    }
    return { name: layer.name, kind: layer.getClassName(), outputShape, params };
  });
  const trainable = model.trainableWeights.reduce((n, w) => n + sizeOf(w.shape as number[]), 0);
  const total = model.weights.reduce((n, w) => n + sizeOf(w.shape as number[]), 0);
  return new ModelSummary(model.name, rows, total, trainable);
}

/** One row per weight of the library's Seq2Seq (it has no layer objects). */
export function seq2seqSummary(model: Seq2SeqLike): ModelSummary {
  const rows = model.trainableVariables.map((v) => {
    const parts = v.name.split("/");
    return { name: parts.slice(1).join("/") || v.name, kind: "weight", outputShape: `weight ${shapeText(v.shape)}`, params: v.size };
  });
  const total = rows.reduce((n, r) => n + r.params, 0);
  const o = model.options;
  const name = model.trainableVariables[0]?.name.split("/")[0] ?? "seq2seq";
  const summary = new ModelSummary(name, rows, total, total);
  summary.spec.footer!.unshift(
    `Encoder-decoder: source vocabulary ${o.sourceVocabSize}, target vocabulary ${o.targetVocabSize}, attention: ${model.attention ? "yes" : "no"}`,
  );
  return summary;
}

export const summaryMagic: MagicSpec = {
  name: "summary",
  kind: "line",
  usage: "%summary $model",
  help: [
    "Shows a model's layers with their types, output shapes and parameter counts, and the totals.",
    "Takes a tf.LayersModel (tf.sequential, sl.buildLabModel, ...) or the library's sl.Seq2Seq",
    "(one row per weight). The value is a ModelSummary { layers, totalParams, trainableParams }.",
    "",
    "Example:",
    "  const model = sl.buildLabModel({ vocabSize: 20, embeddingDim: 8, units: 16 });",
    "  %summary $model",
  ].join("\n"),
  run(ctx, args) {
    if (args.positionals.length !== 1) ctx.usageError(`expected one model ($model), got ${args.positionals.length} arguments`);
    const ref = positionalRef(ctx, args, 0, "the model ($model)");
    const model = ctx.expect(ref, "a model (a tf.LayersModel or sl.Seq2Seq)", (v): v is tf.LayersModel | Seq2SeqLike => isLayersModel(v) || isSeq2Seq(v));
    try {
      return isSeq2Seq(model) ? seq2seqSummary(model) : layersModelSummary(model);
    } catch (err) {
      return ctx.usageError(`${ref.written}: ${(err as Error).message}`);
    }
  },
};
