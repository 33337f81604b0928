/**
 * %%train: lib/train's loop with a live loss plot and progress bar (lib/viz) that redraw in
 * place through the cell's display, stoppable by an interrupt or a Stop button (a widget)
 * with weights and history kept.
 */
import type * as tf from "@tensorflow/tfjs";
import type { DisplayHost } from "../../../lib/runtime";
import type { TrainCallbacks } from "../../../lib/train/loop";
import type { TrainingHistory } from "../../../lib/train/history";
import type { MagicContext, MagicSpec } from "../types";
import { describeValue } from "../types";
import { isBatchSourceLike, toBatchSource } from "./batches";
import { bindVariable, isHistory, isLayersModel, isSeq2Seq, nameOf, positionalRef, positiveInteger, positiveNumber, type Seq2SeqLike, variableName } from "./values";

/** Settings a %%train run takes, from the flags and the cell body. */
export interface TrainSettings {
  steps?: number;
  lr?: number;
  clip?: number;
  clipValue?: number;
  every?: number;
  optimizer?: string | tf.Optimizer;
  seed?: number;
  tbptt?: number;
  smoothing?: number;
  data?: unknown;
  callbacks?: TrainCallbacks;
}

const SETTING_KEYS = ["steps", "lr", "clip", "clipValue", "every", "optimizer", "seed", "tbptt", "smoothing", "data", "callbacks"];

/** The cell body: TypeScript whose value is an object of settings (braces alone are an object). */
async function bodySettings(ctx: MagicContext, body: string | undefined): Promise<TrainSettings> {
  const code = (body ?? "").trim();
  if (code === "") return {};
  // `{ lr: 0.01 }` on its own would be a block statement; read it as an object literal.
  const value = await ctx.runCode(code.startsWith("{") && code.endsWith("}") ? `(${code})` : code);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    ctx.usageError(`the cell body must evaluate to an object of settings such as { lr: 0.01, clip: 1 }, got ${describeValue(value)}`);
  }
  const unknown = Object.keys(value as object).filter((k) => !SETTING_KEYS.includes(k));
  if (unknown.length > 0) ctx.usageError(`unknown setting ${unknown.map((k) => JSON.stringify(k)).join(", ")} in the cell body; known: ${SETTING_KEYS.join(", ")}`);
  return value as TrainSettings;
}

/** lib/viz's live views draw through this: each display is an output the run updates in place. */
function displayHostOf(ctx: MagicContext): DisplayHost {
  return {
    display(value: unknown) {
      const handle = ctx.display(value);
      return {
        update(next: unknown) {
          handle.update(next).catch((err: Error) => ctx.printError(`display update failed: ${err.message}`));
        },
      };
    },
  };
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? String(x) : x.toFixed(4));

export const trainMagic: MagicSpec = {
  name: "train",
  kind: "cell",
  arguments: "$model",
  help: [
    "Trains a model with sl.trainModel (a tf.LayersModel taking ids [batch, time] to logits",
    "[batch, time, vocab], batches { x, y }) or, for sl.Seq2Seq, sl.train on model.loss. While it",
    "runs, a loss plot (raw and smoothed) and a progress bar (step, loss, steps/s, time left)",
    "redraw in place at most four times a second.",
    "",
    "--data $batches: an array of batches (cycled in order), a function returning a batch (called",
    "  with { batchIndex, epoch, rng }; its tensors are disposed after each step), or an iterator /",
    "  generator (one batch per step; running out is an error).",
    "--steps N: train N more steps. The history lives in the notebook variable --history",
    "  (default `history`, an sl.TrainingHistory); running %%train again continues it and the",
    "  step count. The optimizer's state (Adam's moments) continues too while --optimizer and",
    "  --lr stay the same; changing them starts a new one. --fresh starts a new history and a new",
    "  optimizer; the model keeps its weights.",
    "--lr X (default 0.001 with Adam), --clip X: clip the global gradient norm to X.",
    "--every K: record gradients through time every K steps (into history.gradientsThroughTime)",
    "  and draw them as a training step × time step heatmap at the end.",
    "",
    "The cell body is optional TypeScript whose value is an object of settings; flags win over it.",
    "Keys: steps, lr, clip, clipValue, every, optimizer (\"adam\", \"sgd\", \"rmsprop\" or a",
    "tf.train optimizer), seed, tbptt (truncated BPTT chunk length), smoothing (EMA of the plot),",
    "data, callbacks ({ onStepEnd(info) { ... } }; return false to stop early).",
    "",
    "Interrupting (Kernel > Interrupt) stops at the end of the current step: the weights and the",
    "history keep every completed step, and the next %%train continues from there. In a notebook",
    "frontend with widgets, the Stop button under the progress bar does the same, and the cell",
    "ends normally with its summary.",
    "",
    "Example:",
    "  %%train $model --data $batches --steps 200 --lr 0.005 --clip 1 --every 50",
    "  { optimizer: \"adam\", smoothing: 0.95 }",
  ].join("\n"),
  options: {
    data: { type: "string", short: "d", value: "$batches", help: "the batches: $array, $function or $iterator" },
    steps: { type: "number", short: "n", help: "how many more optimizer steps to run" },
    lr: { type: "number", help: "learning rate (default: the optimizer's, 0.001 for Adam)" },
    clip: { type: "number", help: "clip the global gradient norm to this value" },
    every: { type: "number", help: "record gradients through time every K steps" },
    history: { type: "string", value: "NAME", help: "notebook variable that holds the TrainingHistory", default: "history" },
    fresh: { type: "boolean", help: "start a new history and a new optimizer (the weights are kept)" },
    optimizer: { type: "string", value: "NAME", help: "adam, sgd, rmsprop, adagrad... (default adam)" },
    seed: { type: "number", help: "seed of the rng handed to a batch function (default 0)" },
  },
  async run(ctx, args) {
    if (args.positionals.length !== 1) ctx.usageError(`expected the model to train ($model) and options, got ${args.positionals.length} positional arguments`);
    const modelRef = positionalRef(ctx, args, 0, "the model ($model)");
    const model = ctx.expect(modelRef, "a model (a tf.LayersModel or sl.Seq2Seq)", (v): v is tf.LayersModel | Seq2SeqLike => isLayersModel(v) || isSeq2Seq(v));

    const settings: TrainSettings = await bodySettings(ctx, args.body);
    for (const key of ["steps", "lr", "clip", "every", "optimizer", "seed"] as const) {
      if (args.options[key] !== undefined) (settings as Record<string, unknown>)[key] = args.options[key];
    }
    let dataWritten = "the cell body's data";
    if (args.options.data !== undefined) {
      const ref = args.optionRefs.data;
      if (!ref) ctx.usageError(`--data takes a notebook variable such as $batches, got ${JSON.stringify(args.options.data)}`);
      settings.data = ref!.value;
      dataWritten = ref!.written;
    }
    if (settings.data === undefined) ctx.usageError("missing --data $batches (an array of batches, a function returning one, or an iterator)");
    if (!isBatchSourceLike(settings.data)) {
      ctx.usageError(`\`${dataWritten}\` is ${describeValue(settings.data)}, expected batches (a non-empty array, a function returning a batch, or an iterator)`);
    }
    if (settings.steps === undefined) ctx.usageError("missing --steps N (how many steps to train)");
    const steps = positiveInteger(ctx, "steps", settings.steps);
    if (settings.lr !== undefined) positiveNumber(ctx, "lr", settings.lr);
    if (settings.clip !== undefined) positiveNumber(ctx, "clip", settings.clip);
    if (settings.clipValue !== undefined) positiveNumber(ctx, "clipValue", settings.clipValue);
    if (settings.every !== undefined) positiveInteger(ctx, "every", settings.every);
    if (settings.tbptt !== undefined) positiveInteger(ctx, "tbptt", settings.tbptt);
    if (isSeq2Seq(model) && (settings.every !== undefined || settings.tbptt !== undefined)) {
      ctx.usageError("--every and tbptt work with recurrent tf.LayersModels; an sl.Seq2Seq trains without them");
    }

    const lib = await import("../../../lib");
    const historyName = variableName(ctx, "history", args.options.history);
    const previous = ctx.namespace[historyName];
    if (previous !== undefined && !isHistory(previous) && !args.options.fresh) {
      ctx.usageError(`the variable \`${historyName}\` holds ${describeValue(previous)}, not a TrainingHistory; choose another --history name or pass --fresh to replace it`);
    }
    const history: TrainingHistory = isHistory(previous) && !args.options.fresh ? previous : new lib.TrainingHistory();
    // Stored before the first step, so an interrupt or an error leaves it in the notebook.
    await bindVariable(ctx, historyName, history, `import("seqlab").TrainingHistory`);
    const startStep = history.lastStep;

    const host = displayHostOf(ctx);
    const plot = new lib.LiveLossPlot({ host, title: `Training loss (${nameOf(modelRef)})`, smoothing: settings.smoothing });
    const bar = new lib.ProgressBar({ host, total: steps, label: "training", unit: "step" });
    // Where a frontend can press it: stops like an interrupt, but the cell succeeds.
    const stop = lib.comms.available() ? new lib.widgets.StopButton() : undefined;
    stop?.signal.addEventListener("abort", () => ctx.print(`Stop pressed: training stops after the current step (step ${history.lastStep + 1}).`), { once: true });
    // Earlier steps of a continued history appear on the plot too.
    history.steps.forEach((s, i) => plot.push(s, history.loss[i]));
    const user = settings.callbacks ?? {};
    const callbacks: TrainCallbacks = {
      onStepEnd(info) {
        plot.push(info.step, info.loss);
        bar.update(info.step - startStep, { loss: info.loss });
        // Shown once the bar is (its first draw is this step's), so it sits beside it.
        if (stop && info.step === startStep + 1) stop.show();
        return user.onStepEnd?.(info);
      },
      onEpochEnd: user.onEpochEnd?.bind(user),
      onTrainEnd: user.onTrainEnd?.bind(user),
    };
    const common = {
      batches: toBatchSource<never>(settings.data),
      steps: startStep + steps,
      learningRate: settings.lr,
      optimizer: settings.optimizer as never,
      freshOptimizer: args.options.fresh === true,
      clip: settings.clip !== undefined || settings.clipValue !== undefined ? { globalNorm: settings.clip, value: settings.clipValue } : undefined,
      seed: settings.seed,
      history,
      callbacks,
      signal: stop ? stop.signalWith(ctx.signal) : ctx.signal,
    };
    // Said at the moment of the interrupt: the kernel may end the cell before the loop
    // reaches its step boundary and returns. A step in progress is finished first.
    const onAbort = () => {
      const inProgress = history.stepInProgress;
      const last = inProgress === undefined ? `after step ${history.lastStep}` : `after the current step (step ${inProgress})`;
      ctx.printError(`Interrupted: training stops ${last}; the weights and the history in \`${historyName}\` keep every completed step. Run %%train again to continue.`);
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      if (isSeq2Seq(model)) {
        await lib.train({ ...common, loss: (b) => model.loss(b), variables: model.trainableVariables });
      } else {
        await lib.trainModel(model, {
          ...common,
          tbptt: settings.tbptt,
          gradientsThroughTime: settings.every !== undefined ? { every: settings.every } : undefined,
        });
      }
    } catch (err) {
      // A Stop press ends the loop as an interrupt does; the summary below reports the steps done.
      const stoppedByButton = stop?.pressed && !ctx.signal.aborted && err instanceof lib.InterruptedError;
      if (!stoppedByButton) {
        if (err instanceof lib.InterruptedError || ctx.signal.aborted) {
          const reason = ctx.signal.reason;
          throw reason instanceof Error ? reason : err;
        }
        throw err;
      }
    } finally {
      stop?.close();
      ctx.signal.removeEventListener("abort", onAbort);
      plot.finish();
      bar.finish();
    }
    const done = history.lastStep - startStep;
    const recent = Math.min(10, done);
    if (done === 0) {
      ctx.print(`no steps were trained; history in \`${historyName}\``);
      return undefined;
    }
    ctx.print(
      `trained steps ${startStep + 1}–${history.lastStep}: loss ${fmt(history.loss[history.loss.length - done])} → ${fmt(history.lastLoss)} ` +
        `(mean of the last ${recent}: ${fmt(history.meanLoss(recent))}); history in \`${historyName}\``,
    );
    if (settings.every !== undefined && history.gradientsThroughTime.length > 0) {
      ctx.display(lib.gradientHeatmapFigure(history.gradientsThroughTime, { title: "Gradient norm through time, over training" }));
      const last = history.gradientsThroughTime[history.gradientsThroughTime.length - 1];
      ctx.print(`gradients through time at step ${last.step}: ${last.data.verdict}`);
    }
    return undefined;
  },
};
