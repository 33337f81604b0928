/**
 * The training loop: async, one optimizer update per step, yielding to the event loop
 * between steps so a kernel stays responsive and an interrupt lands on a step boundary.
 */
import type * as tf from "@tensorflow/tfjs";
import type { GradientsThroughTimeData } from "../inspect/types";
import type { StatefulRng } from "../random";
import type { Checkpoint } from "./checkpoint";
import type { TrainingHistory } from "./history";
import type { OptimizerSpec } from "./optimizer";
import type { TruncatedBptt } from "./tbptt";
import { ready } from "../backend";
import { disposeTensorsIn, TrainingRun, type StepOutcome } from "./training-run";

export interface BatchContext {
  /** Batches drawn so far (0 for the first). */
  batchIndex: number;
  epoch: number;
  /** Draw every random choice from this so checkpoints can replay it. */
  rng: StatefulRng;
}

/**
 * Where batches come from: an array (cycled in order; never disposed by the loop) or a
 * function of the batch context (its tensors are disposed by the loop after use).
 */
export type BatchSource<B> = readonly B[] | ((ctx: BatchContext) => B | Promise<B>);

export interface StepInfo {
  step: number;
  epoch: number;
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Steps per second over this call so far. */
  stepsPerSecond: number;
  /** Seconds left at that rate. */
  etaSeconds: number;
  totalSteps: number;
  history: TrainingHistory;
}

export interface EpochInfo {
  epoch: number;
  step: number;
  meanLoss: number;
  history: TrainingHistory;
}

/** Returning `false` from a callback stops training cleanly after the current step. */
export type CallbackResult = void | boolean | Promise<void | boolean>;

export interface TrainCallbacks {
  onStepEnd?(info: StepInfo): CallbackResult;
  onEpochEnd?(info: EpochInfo): CallbackResult;
  /** Called once however the run ends (also on errors and interrupts). */
  onTrainEnd?(history: TrainingHistory): void | Promise<void>;
}

/**
 * Records gradients through time every N steps, in one of two ways: `capture` listens
 * during the step's own backward pass (no extra cost; needs layers with onHiddenGradient),
 * `measure` runs an extra forward/backward pass on the step's batch.
 */
export interface GradientRecording<B> {
  /** Record every N steps (at steps N, 2N, ...). */
  every: number;
  measure?(batch: B): GradientsThroughTimeData | Promise<GradientsThroughTimeData>;
  capture?: GradientCapture;
}

export interface GradientCapture {
  /** Called just before the recorded step's forward pass. */
  begin(): void;
  /** Called after its backward pass, with the step's loss. */
  end(loss: number): Promise<GradientsThroughTimeData>;
  /** Called instead of end() when the step fails. */
  abort(): void;
}

export interface CheckpointOptions {
  /** Save after every N steps (at a sequence boundary when truncated BPTT is on). */
  every: number;
  /** Where to put it: a function, or a file path (overwritten each time; see saveCheckpoint). */
  save: ((ckpt: Checkpoint) => void | Promise<void>) | string;
}

export interface TrainOptions<B> {
  /** Mean loss of one batch. Required unless `tbptt` gives a stateful loss. */
  loss?: (batch: B) => tf.Scalar;
  batches: BatchSource<B>;
  /** Train until this many optimizer updates in total (a resumed run continues to it). */
  steps: number;
  /** Variables to train; default: every trainable variable. */
  variables?: tf.Variable[];
  /**
   * A tf.train optimizer or a name ("adam", "sgd", ...); default "adam". A name gets one
   * optimizer per set of variables, kept across calls with the same name and learning rate
   * (so a second call continues Adam's moments); other settings replace and dispose it.
   */
  optimizer?: OptimizerSpec;
  learningRate?: number;
  /** With a named optimizer: start a new one (Adam's moments from zero) even if the settings are the same. */
  freshOptimizer?: boolean;
  clip?: { globalNorm?: number; value?: number };
  tbptt?: TruncatedBptt<B>;
  /** Batches per epoch; default the array's length (none for function sources). */
  batchesPerEpoch?: number;
  callbacks?: TrainCallbacks;
  /** Pass your own to keep it across interrupts and runs; default a new one. */
  history?: TrainingHistory;
  /** Default: the host's current abort signal, captured when train() starts. */
  signal?: AbortSignal | null;
  /** Seed of the RNG handed to the batch source. Default 0. */
  seed?: number;
  checkpoint?: CheckpointOptions;
  /** Continue from a checkpoint (object or file path): weights, optimizer state, counters, RNG, history. */
  resumeFrom?: Checkpoint | string;
  gradientsThroughTime?: GradientRecording<B>;
}

export interface TrainResult {
  history: TrainingHistory;
  optimizer: tf.Optimizer;
  /** Optimizer updates completed in total. */
  step: number;
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

function positiveInt(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new Error(`${name} must be a positive integer, got ${v}`);
}

function validate<B>(o: TrainOptions<B>): void {
  if (!o.loss && !o.tbptt) throw new Error("train: give `loss: (batch) => tf.Scalar`, or `tbptt` with a stateful loss");
  if (o.loss && o.tbptt) throw new Error("train: give either `loss` or `tbptt.loss`, not both");
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new Error(`train: steps must be a non-negative integer (the total number of updates), got ${o.steps}`);
  if (Array.isArray(o.batches) ? o.batches.length === 0 : typeof o.batches !== "function") {
    throw new Error("train: batches must be a non-empty array or a function ({ batchIndex, epoch, rng }) => batch");
  }
  positiveInt("batchesPerEpoch", o.batchesPerEpoch);
  positiveInt("gradientsThroughTime.every", o.gradientsThroughTime?.every);
  if (o.gradientsThroughTime && !o.gradientsThroughTime.measure === !o.gradientsThroughTime.capture) {
    throw new Error("gradientsThroughTime needs exactly one of `measure` or `capture`");
  }
  positiveInt("checkpoint.every", o.checkpoint?.every);
  positiveInt("tbptt.chunk", o.tbptt?.chunk);
  if (o.clip?.globalNorm !== undefined && !(o.clip.globalNorm > 0)) throw new Error(`clip.globalNorm must be > 0, got ${o.clip.globalNorm}`);
  if (o.clip?.value !== undefined && !(o.clip.value > 0)) throw new Error(`clip.value must be > 0, got ${o.clip.value}`);
}

/**
 * Trains `variables` to lower `loss`. Resolves with the history when `steps` updates are
 * done; rejects with InterruptedError (abort signal), NonFiniteLossError (NaN/Inf) or the
 * loss function's own error, always leaving weights, optimizer and history consistent
 * with the last completed step and no tensors leaked.
 */
export async function train<B>(options: TrainOptions<B>): Promise<TrainResult> {
  validate(options);
  await ready(); // a script that made its model before choosing gets one warning, not silence
  const run = await TrainingRun.start(options);
  try {
    while (run.step < options.steps) {
      await run.stopIfAborted();
      run.beginStep();
      const { input, sliced } = await run.drawBatch();
      let outcome: StepOutcome | { failed: StepOutcome };
      try {
        outcome = await run.runStep(input);
      } finally {
        if (sliced) disposeTensorsIn(input);
      }
      if ("failed" in outcome) await run.failNonFinite(outcome.failed);
      const stop = await run.record(outcome as StepOutcome);
      await run.checkpoint();
      if (stop) return await run.finish("callback", `stopped by a callback after step ${run.step}`);
      await nextMacrotask();
    }
  } catch (e) {
    await run.finish("error", (e as Error).message);
    throw e;
  }
  return run.finish("completed");
}
