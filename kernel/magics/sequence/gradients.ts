/** %gradients: gradient norm through time for one batch (lib/inspect), drawn by lib/viz, with a verdict in words. */
import type * as tf from "@tensorflow/tfjs";
import type { GradientsThroughTimeData } from "../../../lib/inspect/types";
import { gradientRatio, trendFor } from "../../../lib/inspect/verdict";
import type { MagicContext, MagicSpec, ValueRef } from "../types";
import { bindVariable, isHistory, isIdBatch, isLayersModel, nameOf, optionRef, outVariable, positionalRef } from "./values";

type Ids = tf.Tensor | number[][];

function isBatch(value: unknown): value is { x: Ids; y: Ids } {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return isIdBatch(v.x) && isIdBatch(v.y);
}

const sci = (x: number) => (!Number.isFinite(x) ? String(x) : x === 0 ? "0" : Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? x.toPrecision(3) : x.toExponential(2));

/**
 * One sentence per layer: the two norms, their ratio, and what it means. The ratio and the
 * verdict (thresholds included) are lib/inspect/verdict.ts's, so the magic and the library agree.
 */
export function describeGradients(data: GradientsThroughTimeData): string[] {
  const T = data.timeSteps;
  return data.layers.map((layer, i) => {
    const norms = data.norms[i];
    const first = norms[0];
    const last = norms[T - 1];
    const ratio = gradientRatio(norms);
    const trend = trendFor(ratio);
    const head = `${layer}: ‖dL/dh‖ is ${sci(last)} at the last time step (t=${T - 1}) and ${sci(first)} at the first (t=0)`;
    if (trend === "no gradient") return `${head}; no gradient reaches the last step, so there is no ratio to read.`;
    const ratioText = `the first step gets ${sci(ratio)}× the last step's gradient (last/first = ${sci(1 / ratio)})`;
    if (trend === "vanishing") return `${head}: gradients VANISH through time — ${ratioText}, so early inputs barely learn.`;
    if (trend === "exploding") return `${head}: gradients EXPLODE through time — ${ratioText}; clip the gradient norm (--clip).`;
    return `${head}: gradients neither vanish nor explode over ${T} steps — ${ratioText}.`;
  });
}

function idsArgument(ctx: MagicContext, ref: ValueRef): Ids {
  return ctx.expect(ref, "token ids (a 2-D tensor or number[][] of [batch, time])", isIdBatch);
}

/**
 * --interactive: a slider over the steps at which training recorded gradients through time
 * (sl.widgets.gradientExplorer over the history's records, checked against the model's layers).
 */
async function explore(ctx: MagicContext, args: Parameters<MagicSpec["run"]>[1], model: tf.LayersModel, modelName: string): Promise<undefined> {
  if (args.positionals.length !== 1) ctx.usageError("with --interactive, give only the model: %gradients $model --interactive [--history $history]; the batches are the ones training recorded");
  if (args.options.out !== undefined) ctx.usageError("--out keeps one measurement; with --interactive, read the history's gradientsThroughTime instead");
  const historyRef = optionRef(args, "history") ?? { written: "history", value: ctx.namespace.history };
  if (historyRef.value === undefined) ctx.usageError("no `history` in the notebook: train first with %%train $model ... --every N (or pass --history $yourHistory)");
  const history = ctx.expect(historyRef, "a TrainingHistory (what %%train keeps in `history`)", isHistory);
  const records = history.gradientsThroughTime;
  if (records.length === 0) ctx.usageError(`${historyRef.written} has no gradient records: train with --every N (e.g. %%train $${modelName} --data $batches --every 10) to record them`);
  const layerNames = model.layers.map((l) => l.name);
  const foreign = records[0].data.layers.filter((name) => !layerNames.includes(name));
  if (foreign.length > 0) ctx.usageError(`${historyRef.written} was recorded on layer(s) ${foreign.join(", ")}, which ${modelName} does not have; pass the history of this model's training`);
  const layer = args.options.layer as string | undefined;
  const { widgets } = await import("../../../lib");
  try {
    ctx.display(widgets.gradientExplorer(records, { layer }));
  } catch (err) {
    ctx.usageError((err as Error).message);
  }
  ctx.print(`${records.length} recorded step(s), ${records[0].step}–${records[records.length - 1].step}: move the slider to redraw ‖dL/dh_t‖ and the per-unit heatmap for that step.`);
  return undefined;
}

export const gradientsMagic: MagicSpec = {
  name: "gradients",
  kind: "line",
  arguments: "$model $x $y  (or $model $batch, or $model --interactive)",
  help: [
    "Measures, for one batch, the norm of the loss gradient reaching each hidden state h_t",
    "(sl.gradientsThroughTime) and plots it against the time step, one line per recurrent layer",
    "on a log scale. Then it says in words whether the gradient vanishes or explodes on its way",
    "back: the ratio between the first and the last time step (below 1e-2: vanishing; above 1e2:",
    "exploding). --loss-on last uses only the last step's prediction, so the curve shows purely",
    "how far one error signal travels back (with all, every step adds its own loss).",
    "The model maps ids [batch, time] to logits [batch, time, vocab]; $x and $y are tensors or",
    "number[][]; a single $batch with { x, y } (what sl.getBatch returns) works too.",
    "--out NAME keeps the numbers (layers, norms, ratio, verdict) in a notebook variable.",
    "--interactive (model only) shows a slider over the training steps at which %%train --every N",
    "recorded gradients through time (in `history`, or --history $h): moving it redraws that",
    "step's norm curve and the per-unit heatmap (sl.widgets.gradientExplorer); --layer picks",
    "the recurrent layer. Without widgets (HTML export) a plotly slider shows the same steps.",
    "",
    "Examples:",
    "  %gradients $model $x $y",
    "  %gradients $model $batch --loss-on last --out gtt",
    "  %gradients $model --interactive",
  ].join("\n"),
  options: {
    "loss-on": { type: "string", value: "all|last", help: "all or last", default: "all" },
    out: { type: "string", value: "NAME", help: "notebook variable to store the measured numbers in" },
    interactive: { type: "boolean", help: "a slider over the training steps recorded in the history" },
    history: { type: "string", value: "$history", help: "with --interactive: the TrainingHistory (default: `history`)" },
    layer: { type: "string", value: "NAME", help: "with --interactive: the recurrent layer to show (default: the first)" },
  },
  async run(ctx, args) {
    if (args.options.interactive) {
      const modelRef = positionalRef(ctx, args, 0, "the model ($model)");
      return explore(ctx, args, ctx.expect(modelRef, "a model (a tf.LayersModel with a recurrent layer)", isLayersModel), nameOf(modelRef));
    }
    if (args.positionals.length < 2 || args.positionals.length > 3) {
      ctx.usageError(`expected $model $x $y (or $model $batch), got ${args.positionals.length} arguments`);
    }
    const modelRef = positionalRef(ctx, args, 0, "the model ($model)");
    const model = ctx.expect(modelRef, "a model (a tf.LayersModel with a recurrent layer)", isLayersModel);
    let batch: { x: Ids; y: Ids };
    if (args.positionals.length === 2) {
      batch = ctx.expect(positionalRef(ctx, args, 1, "the batch"), "a batch { x, y } of token ids", isBatch);
    } else {
      batch = { x: idsArgument(ctx, positionalRef(ctx, args, 1, "$x")), y: idsArgument(ctx, positionalRef(ctx, args, 2, "$y")) };
    }
    const lossOn = args.options["loss-on"];
    if (lossOn !== "all" && lossOn !== "last") ctx.usageError(`--loss-on must be all or last, got ${JSON.stringify(lossOn)}`);
    const out = outVariable(ctx, args);
    const lib = await import("../../../lib");
    let data: GradientsThroughTimeData;
    try {
      data = await lib.gradientsThroughTime(model, batch, { lossOn: lossOn as "all" | "last" });
    } catch (err) {
      return ctx.usageError(`could not measure gradients through time: ${(err as Error).message}`);
    }
    if (out) await bindVariable(ctx, out, data, `import("seqlab").GradientsThroughTimeData`);
    ctx.display(lib.gradientNormsFigure(data, { title: `Gradient norm through time (${nameOf(modelRef)}, loss on ${lossOn} steps)` }));
    for (const line of describeGradients(data)) ctx.print(line);
    return undefined;
  },
};
