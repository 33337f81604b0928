/**
 * The training loop: async, one optimizer update per step, yielding to the event loop
 * between steps so a kernel stays responsive and an interrupt lands on a step boundary.
 */
import * as tf from "@tensorflow/tfjs";
import { currentAbortSignal, InterruptedError } from "../runtime";
import type { GradientsThroughTimeData } from "../inspect/types";
import { clipByGlobalNorm, clipByValue, globalNorm } from "./clip";
import { captureCheckpoint, loadCheckpoint, restoreCheckpoint, saveCheckpoint, type Checkpoint } from "./checkpoint";
import { NonFiniteLossError } from "./errors";
import { TrainingHistory } from "./history";
import { sharedOptimizer } from "./optimizer-cache";
import { variableGrads } from "./variable-grads";
import {
  disposeOptimizerSnapshot,
  resolveOptimizer,
  restoreOptimizerSnapshot,
  snapshotOptimizer,
  type OptimizerSnapshot,
  type OptimizerSpec,
} from "./optimizer";
import { StatefulRng } from "../random";
import { defaultSequenceLength, defaultSliceTime, type TruncatedBptt } from "./tbptt";

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

function disposeTensorsIn(value: unknown): void {
  if (value instanceof tf.Tensor) {
    if (!value.isDisposed) value.dispose();
  } else if (Array.isArray(value)) {
    value.forEach(disposeTensorsIn);
  } else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    Object.values(value).forEach(disposeTensorsIn);
  }
}

function allFinite(vars: tf.Variable[]): boolean {
  return tf.tidy(() => vars.every((v) => tf.all(tf.isFinite(v)).dataSync()[0] === 1));
}

/** One update's numbers, read back from the device. */
interface StepOutcome {
  loss: number;
  gradNorm: number;
}

/**
 * Trains `variables` to lower `loss`. Resolves with the history when `steps` updates are
 * done; rejects with InterruptedError (abort signal), NonFiniteLossError (NaN/Inf) or the
 * loss function's own error, always leaving weights, optimizer and history consistent
 * with the last completed step and no tensors leaked.
 */
export async function train<B>(options: TrainOptions<B>): Promise<TrainResult> {
  validate(options);
  const signal = options.signal === undefined ? currentAbortSignal() : options.signal ?? undefined;
  const history = options.history ?? new TrainingHistory();
  const rng = new StatefulRng(options.seed ?? 0);
  const source = options.batches;
  const ownsBatches = typeof source === "function";
  const batchesPerEpoch = options.batchesPerEpoch ?? (Array.isArray(source) ? source.length : undefined);

  let step = 0;
  let batchIndex = 0;
  let epoch = 0;
  if (options.resumeFrom && !options.variables) {
    throw new Error("train: resuming from a checkpoint needs `variables` (the model's trainable weights, in the order they were saved)");
  }
  const variables = options.variables ?? trainableVariables();
  const spec = options.optimizer ?? "adam";
  const optimizer = typeof spec === "string" ? sharedOptimizer(variables, spec, options.learningRate) : resolveOptimizer(spec);
  if (options.resumeFrom) {
    const from = options.resumeFrom;
    const ckpt = typeof from === "string" ? await loadCheckpoint(from) : from;
    await restoreCheckpoint(ckpt, variables, optimizer, typeof from === "string" ? `Checkpoint ${from}` : "The checkpoint");
    step = ckpt.step;
    batchIndex = ckpt.batchIndex;
    epoch = ckpt.epoch;
    rng.setState(ckpt.rng);
    history.restoreFrom(ckpt.history);
  } else if (history.lastStep > 0) {
    // Continuing with a history from an earlier call: keep counting from it, and continue
    // its batch stream unless a seed asks for a fresh one.
    step = history.lastStep;
    if (history.position && options.seed === undefined) {
      batchIndex = history.position.batchIndex;
      epoch = history.position.epoch;
      rng.setState(history.position.rng);
    }
  }
  history.stopReason = undefined;
  history.stopMessage = undefined;

  const startStep = step;
  const startTime = performance.now();
  let snapshot: { weights: tf.Tensor[]; optimizer: OptimizerSnapshot; step: number } | undefined;
  let carry: tf.Tensor[] | null = null;
  let batch: B | undefined;
  let chunkStarts: number[] = [];
  let chunkIndex = 0;
  let epochLossSum = 0;
  let epochLossCount = 0;
  let lastSavedStep = step;
  let capturedData: GradientsThroughTimeData | undefined;

  const dropSnapshot = () => {
    if (snapshot) {
      tf.dispose(snapshot.weights);
      disposeOptimizerSnapshot(snapshot.optimizer);
      snapshot = undefined;
    }
  };
  const releaseBatch = () => {
    if (batch !== undefined && ownsBatches) disposeTensorsIn(batch);
    batch = undefined;
    if (carry) tf.dispose(carry);
    carry = null;
  };

  const drawBatch = async (): Promise<B> => {
    const b = Array.isArray(source)
      ? (source as readonly B[])[batchIndex % source.length]
      : await (source as (ctx: BatchContext) => B | Promise<B>)({ batchIndex, epoch, rng });
    batchIndex++;
    return b;
  };

  /** Computes gradients for one (chunk of a) batch and applies them unless non-finite. */
  const runStep = async (input: B, vars: tf.Variable[]): Promise<StepOutcome | { failed: StepOutcome }> => {
    let newCarry: tf.Tensor[] | null = null;
    const f = (): tf.Scalar => {
      if (options.tbptt) {
        const out = options.tbptt.loss(input, carry);
        // The state leaves the tape as a plain tensor: the next chunk sees it as a constant.
        newCarry = out.state.map((s) => tf.keep(s.clone()));
        return out.loss;
      }
      return options.loss!(input);
    };
    let value: tf.Scalar | undefined;
    let grads: tf.NamedTensorMap | undefined;
    let applied: tf.Tensor[] = [];
    let appliedOwned = false; // true once clipping made new tensors
    let norm: tf.Scalar | undefined;
    const capture = options.gradientsThroughTime?.capture;
    const capturing = capture !== undefined && (step + 1) % options.gradientsThroughTime!.every === 0;
    let captured = false;
    try {
      if (capturing) capture.begin();
      ({ value, grads } = variableGrads(f, vars));
      const list = vars.map((v) => grads![v.name]).filter((g): g is tf.Tensor => g !== undefined);
      const names = vars.filter((v) => grads![v.name] !== undefined).map((v) => v.name);
      norm = globalNorm(list);
      applied = list;
      if (options.clip?.globalNorm !== undefined) {
        applied = clipByGlobalNorm(applied, options.clip.globalNorm, norm);
        appliedOwned = true;
      }
      if (options.clip?.value !== undefined) {
        const byValue = clipByValue(applied, options.clip.value);
        if (appliedOwned) tf.dispose(applied);
        applied = byValue;
        appliedOwned = true;
      }
      const [lossValue, normValue] = await Promise.all([value.data(), norm.data()]);
      const outcome = { loss: lossValue[0], gradNorm: normValue[0] };
      if (!Number.isFinite(outcome.loss) || !Number.isFinite(outcome.gradNorm)) {
        if (newCarry) tf.dispose(newCarry);
        return { failed: outcome };
      }
      // Keep the pre-update weights so a later non-finite step can roll back to them.
      const weights = vars.map((v) => tf.clone(v));
      const optSnap = await snapshotOptimizer(optimizer);
      dropSnapshot();
      snapshot = { weights, optimizer: optSnap, step: step };
      // Every variable in a fixed order, gradient or not: optimizers such as Adam key their
      // slots by position, and skip entries without a gradient (as tfjs's minimize does).
      const byName = new Map(names.map((name, i) => [name, applied[i]]));
      optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: byName.get(v.name) as tf.Tensor })));
      if (capturing) {
        captured = true;
        capturedData = await capture.end(outcome.loss);
      }
      if (carry) tf.dispose(carry);
      carry = newCarry;
      return outcome;
    } catch (e) {
      if (newCarry) tf.dispose(newCarry);
      throw e;
    } finally {
      if (capturing && !captured) capture.abort();
      if (appliedOwned) tf.dispose(applied);
      if (grads) tf.dispose(Object.values(grads));
      if (value) value.dispose();
      if (norm) norm.dispose();
    }
  };

  const finish = async (reason: TrainingHistory["stopReason"], message?: string) => {
    history.stopReason = reason;
    history.stopMessage = message;
    history.stepInProgress = undefined;
    dropSnapshot();
    releaseBatch();
    await options.callbacks?.onTrainEnd?.(history);
  };

  try {
    while (step < options.steps) {
      if (signal?.aborted) {
        const msg = `Training interrupted before step ${step + 1}; the model and history hold step ${step}.`;
        await finish("interrupted", msg);
        throw new InterruptedError(msg);
      }
      history.stepInProgress = step + 1;
      // Draw a new batch when the previous one is used up (each chunk of it under tbptt).
      if (batch === undefined || chunkIndex >= chunkStarts.length) {
        releaseBatch();
        batch = await drawBatch();
        if (options.tbptt) {
          const length = (options.tbptt.length ?? defaultSequenceLength)(batch);
          chunkStarts = [];
          for (let s = 0; s < length; s += options.tbptt.chunk) chunkStarts.push(s);
        } else {
          chunkStarts = [0];
        }
        chunkIndex = 0;
      }
      let input: B = batch;
      let sliced = false;
      if (options.tbptt) {
        const start = chunkStarts[chunkIndex];
        const end = Math.min(start + options.tbptt.chunk, (options.tbptt.length ?? defaultSequenceLength)(batch));
        input = (options.tbptt.slice ?? defaultSliceTime)(batch, start, end) as B;
        sliced = true;
      }
      let outcome: StepOutcome | { failed: StepOutcome };
      try {
        outcome = await runStep(input, variables);
      } finally {
        if (sliced) disposeTensorsIn(input);
      }
      chunkIndex++;

      if ("failed" in outcome) {
        const failedStep = step + 1;
        let restored = step;
        if (!allFinite(variables) && snapshot) {
          // The previous update itself produced non-finite weights: undo it too.
          snapshot.weights.forEach((w, i) => variables[i].assign(w));
          await restoreOptimizerSnapshot(optimizer, snapshot.optimizer);
          restored = snapshot.step;
          history.truncateAfter(restored);
        }
        const what = !Number.isFinite(outcome.failed.loss) ? `the loss is ${outcome.failed.loss}` : `the gradient norm is ${outcome.failed.gradNorm}`;
        const err = new NonFiniteLossError(failedStep, outcome.failed.loss, restored, what);
        await finish("non-finite", err.message);
        throw err;
      }

      step++;
      history.record(step, outcome.loss, outcome.gradNorm);
      history.stepInProgress = undefined;
      history.position = { batchIndex, epoch, rng: rng.state };
      epochLossSum += outcome.loss;
      epochLossCount++;

      let stop = false;
      if (capturedData) {
        history.gradientsThroughTime.push({ step, data: capturedData });
        capturedData = undefined;
      } else if (options.gradientsThroughTime?.measure && step % options.gradientsThroughTime.every === 0) {
        const data = await options.gradientsThroughTime.measure(batch!);
        history.gradientsThroughTime.push({ step, data });
      }
      const elapsed = (performance.now() - startTime) / 1000;
      const rate = (step - startStep) / Math.max(elapsed, 1e-9);
      const info: StepInfo = {
        step,
        epoch,
        loss: outcome.loss,
        gradNorm: outcome.gradNorm,
        stepsPerSecond: rate,
        etaSeconds: (options.steps - step) / rate,
        totalSteps: options.steps,
        history,
      };
      if ((await options.callbacks?.onStepEnd?.(info)) === false) stop = true;

      const sequenceDone = chunkIndex >= chunkStarts.length;
      if (sequenceDone && batchesPerEpoch !== undefined && batchIndex % batchesPerEpoch === 0) {
        epoch++;
        const meanLoss = epochLossSum / epochLossCount;
        history.epochs.push({ epoch, step, meanLoss });
        history.position = { batchIndex, epoch, rng: rng.state };
        epochLossSum = 0;
        epochLossCount = 0;
        if ((await options.callbacks?.onEpochEnd?.({ epoch, step, meanLoss, history })) === false) stop = true;
      }
      if (sequenceDone) releaseBatch();
      if (options.checkpoint && sequenceDone && step - lastSavedStep >= options.checkpoint.every) {
        lastSavedStep = step;
        const ckpt = await captureCheckpoint(variables, optimizer, { step, batchIndex, epoch, rng: rng.state }, history.toJSON());
        const target = options.checkpoint.save;
        await (typeof target === "string" ? saveCheckpoint(target, ckpt) : target(ckpt));
      }
      if (stop) {
        await finish("callback", `stopped by a callback after step ${step}`);
        return { history, optimizer, step };
      }
      await nextMacrotask();
    }
  } catch (e) {
    if (history.stopReason === undefined) await finish("error", (e as Error).message);
    throw e;
  }
  await finish("completed");
  return { history, optimizer, step };
}

function trainableVariables(): tf.Variable[] {
  const vars = Object.values(tf.engine().registeredVariables).filter((v) => v.trainable);
  if (vars.length === 0) throw new Error("train: there are no trainable variables; pass `variables` or build the model first");
  return vars;
}
