/**
 * One train() call's state and its named steps: draw a batch, run a step, record it,
 * checkpoint, finish. train() (./loop) strings them together.
 */
import * as tf from "@tensorflow/tfjs";
import { currentAbortSignal, InterruptedError } from "../runtime";
import type { GradientsThroughTimeData } from "../inspect/types";
import { StatefulRng } from "../random";
import { captureCheckpoint, loadCheckpoint, restoreCheckpoint, saveCheckpoint } from "./checkpoint";
import { clipByGlobalNorm, clipByValue, globalNorm } from "./clip";
import { NonFiniteLossError } from "./errors";
import { TrainingHistory } from "./history";
import type { BatchContext, StepInfo, TrainOptions, TrainResult } from "./loop";
import { disposeOptimizerSnapshot, heldValue, resolveOptimizer, restoreOptimizerSnapshot, snapshotOptimizer, type OptimizerSnapshot } from "./optimizer";
import { sharedOptimizer } from "./optimizer-cache";
import { defaultSequenceLength, defaultSliceTime } from "./tbptt";
import { variableGrads } from "./variable-grads";

/** One update's numbers, read back from the device. */
export interface StepOutcome {
  loss: number;
  gradNorm: number;
}

/** The weights and optimizer state before the latest update, to undo it if it diverged. */
interface Snapshot {
  weights: tf.Tensor[];
  optimizer: OptimizerSnapshot;
  step: number;
}

export function disposeTensorsIn(value: unknown): void {
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

function trainableVariables(): tf.Variable[] {
  const vars = Object.values(tf.engine().registeredVariables).filter((v) => v.trainable);
  if (vars.length === 0) throw new Error("train: there are no trainable variables; pass `variables` or build the model first");
  return vars;
}

export class TrainingRun<B> {
  readonly history: TrainingHistory;
  readonly variables: tf.Variable[];
  readonly optimizer: tf.Optimizer;
  readonly signal: AbortSignal | undefined;
  step = 0;
  private batchIndex = 0;
  private epoch = 0;
  private readonly rng: StatefulRng;
  private readonly batchesPerEpoch: number | undefined;
  private readonly startStep: number;
  private readonly startTime = performance.now();
  private lastSavedStep: number;
  private snapshot: Snapshot | undefined;
  /** Recurrent state carried between the chunks of a batch under truncated BPTT. */
  private carry: tf.Tensor[] | null = null;
  private batch: B | undefined;
  private chunkStarts: number[] = [];
  private chunkIndex = 0;
  private epochLossSum = 0;
  private epochLossCount = 0;
  private capturedData: GradientsThroughTimeData | undefined;

  private constructor(
    private readonly options: TrainOptions<B>,
    signal: AbortSignal | undefined,
    position: { step: number; batchIndex: number; epoch: number; rng: StatefulRng },
    history: TrainingHistory,
    variables: tf.Variable[],
    optimizer: tf.Optimizer,
  ) {
    this.signal = signal;
    this.history = history;
    this.variables = variables;
    this.optimizer = optimizer;
    ({ step: this.step, batchIndex: this.batchIndex, epoch: this.epoch, rng: this.rng } = position);
    this.startStep = this.lastSavedStep = this.step;
    this.batchesPerEpoch = options.batchesPerEpoch ?? (Array.isArray(options.batches) ? options.batches.length : undefined);
    history.stopReason = undefined;
    history.stopMessage = undefined;
  }

  /** Variables, optimizer and where to start: from a checkpoint, the history, or step 0. */
  static async start<B>(options: TrainOptions<B>): Promise<TrainingRun<B>> {
    // The host's signal as train() starts (the host may move on to another cell later).
    const signal = options.signal === undefined ? currentAbortSignal() : options.signal ?? undefined;
    if (options.resumeFrom && !options.variables) {
      throw new Error("train: resuming from a checkpoint needs `variables` (the model's trainable weights, in the order they were saved)");
    }
    const history = options.history ?? new TrainingHistory();
    const variables = options.variables ?? trainableVariables();
    const spec = options.optimizer ?? "adam";
    const optimizer = typeof spec === "string" ? sharedOptimizer(variables, spec, options.learningRate, options.freshOptimizer) : resolveOptimizer(spec);
    const position = { step: 0, batchIndex: 0, epoch: 0, rng: new StatefulRng(options.seed ?? 0) };
    const from = options.resumeFrom;
    if (from) {
      const ckpt = typeof from === "string" ? await loadCheckpoint(from) : from;
      await restoreCheckpoint(ckpt, variables, optimizer, typeof from === "string" ? `Checkpoint ${from}` : "The checkpoint");
      Object.assign(position, { step: ckpt.step, batchIndex: ckpt.batchIndex, epoch: ckpt.epoch });
      position.rng.setState(ckpt.rng);
      history.restoreFrom(ckpt.history);
    } else if (history.lastStep > 0) {
      // Continuing with a history from an earlier call: keep counting from it, and continue
      // its batch stream unless a seed asks for a fresh one.
      position.step = history.lastStep;
      if (history.position && options.seed === undefined) {
        Object.assign(position, { batchIndex: history.position.batchIndex, epoch: history.position.epoch });
        position.rng.setState(history.position.rng);
      }
    }
    return new TrainingRun(options, signal, position, history, variables, optimizer);
  }

  /** Stops with InterruptedError once the signal has fired (between steps only). */
  async stopIfAborted(): Promise<void> {
    if (!this.signal?.aborted) return;
    const msg = `Training interrupted before step ${this.step + 1}; the model and history hold step ${this.step}.`;
    await this.finish("interrupted", msg);
    throw new InterruptedError(msg);
  }

  /** The next step's input: the next chunk of the current batch, or a new batch. The caller disposes a slice (`sliced`). */
  async drawBatch(): Promise<{ input: B; sliced: boolean }> {
    const { tbptt } = this.options;
    if (this.batch === undefined || this.chunkIndex >= this.chunkStarts.length) {
      this.releaseBatch();
      const batch = await this.nextFromSource();
      this.batch = batch;
      this.chunkStarts = [0];
      if (tbptt) {
        const length = (tbptt.length ?? defaultSequenceLength)(batch);
        this.chunkStarts = [];
        for (let s = 0; s < length; s += tbptt.chunk) this.chunkStarts.push(s);
      }
      this.chunkIndex = 0;
    }
    if (!tbptt) return { input: this.batch, sliced: false };
    const start = this.chunkStarts[this.chunkIndex];
    const end = Math.min(start + tbptt.chunk, (tbptt.length ?? defaultSequenceLength)(this.batch));
    return { input: (tbptt.slice ?? defaultSliceTime)(this.batch, start, end) as B, sliced: true };
  }

  private async nextFromSource(): Promise<B> {
    const source = this.options.batches;
    const b = Array.isArray(source)
      ? (source as readonly B[])[this.batchIndex % source.length]
      : await (source as (ctx: BatchContext) => B | Promise<B>)({ batchIndex: this.batchIndex, epoch: this.epoch, rng: this.rng });
    this.batchIndex++;
    return b;
  }

  /** Computes gradients for one (chunk of a) batch and applies them unless non-finite. */
  async runStep(input: B): Promise<StepOutcome | { failed: StepOutcome }> {
    const capture = this.options.gradientsThroughTime?.capture;
    const capturing = capture !== undefined && (this.step + 1) % this.options.gradientsThroughTime!.every === 0;
    let newCarry = null as tf.Tensor[] | null;
    let captured = false;
    let update: { value: tf.Scalar; grads: tf.NamedTensorMap; norm: tf.Scalar; applied: tf.Tensor[]; owned: boolean } | undefined;
    try {
      if (capturing) capture.begin();
      update = this.gradients(input, (state) => (newCarry = state));
      const [lossValue, normValue] = await Promise.all([update.value.data(), update.norm.data()]);
      const outcome = { loss: lossValue[0], gradNorm: normValue[0] };
      if (!Number.isFinite(outcome.loss) || !Number.isFinite(outcome.gradNorm)) return { failed: outcome };
      await this.apply(update.grads, update.applied);
      if (capturing) {
        captured = true;
        this.capturedData = await capture.end(outcome.loss);
      }
      if (this.carry) tf.dispose(this.carry);
      this.carry = newCarry;
      newCarry = null;
      return outcome;
    } finally {
      if (newCarry) tf.dispose(newCarry);
      if (capturing && !captured) capture.abort();
      if (update) {
        if (update.owned) tf.dispose(update.applied);
        tf.dispose([update.value, update.norm, ...Object.values(update.grads)]);
      }
    }
  }

  /** Loss and gradients, their global norm, and the gradients to apply after clipping. */
  private gradients(input: B, keepState: (state: tf.Tensor[]) => void) {
    const { tbptt, loss, clip } = this.options;
    const f = (): tf.Scalar => {
      if (!tbptt) return loss!(input);
      const out = tbptt.loss(input, this.carry);
      // The state leaves the tape as a plain tensor: the next chunk sees it as a constant.
      keepState(out.state.map((s) => tf.keep(s.clone())));
      return out.loss;
    };
    const { value, grads } = variableGrads(f, this.variables);
    const list = this.variables.map((v) => grads[v.name]).filter((g): g is tf.Tensor => g !== undefined);
    const norm = globalNorm(list);
    let applied = list;
    let owned = false; // true once clipping made new tensors
    if (clip?.globalNorm !== undefined) {
      applied = clipByGlobalNorm(applied, clip.globalNorm, norm);
      owned = true;
    }
    if (clip?.value !== undefined) {
      const byValue = clipByValue(applied, clip.value);
      if (owned) tf.dispose(applied);
      applied = byValue;
      owned = true;
    }
    return { value, grads, norm, applied, owned };
  }

  /** One optimizer update, after keeping the pre-update state to roll back to. */
  private async apply(grads: tf.NamedTensorMap, applied: tf.Tensor[]): Promise<void> {
    const vars = this.variables;
    // The previous snapshot goes first: it holds the weights and the optimizer's slots of
    // the step before (their data, not copies), which nothing else needs any more.
    this.dropSnapshot();
    const weights = vars.map(heldValue);
    const optimizer = await snapshotOptimizer(this.optimizer);
    this.snapshot = { weights, optimizer, step: this.step };
    // Every variable in a fixed order, gradient or not: optimizers such as Adam key their
    // slots by position, and skip entries without a gradient (as tfjs's minimize does).
    const names = vars.filter((v) => grads[v.name] !== undefined).map((v) => v.name);
    const byName = new Map(names.map((name, i) => [name, applied[i]]));
    this.optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: byName.get(v.name) as tf.Tensor })));
  }

  /** A non-finite step: undo the previous update too if it left non-finite weights, then stop. */
  async failNonFinite(failed: StepOutcome): Promise<never> {
    const failedStep = this.step + 1;
    let restored = this.step;
    const snapshot = this.snapshot;
    if (snapshot && !allFinite(this.variables)) {
      snapshot.weights.forEach((w, i) => this.variables[i].assign(w));
      await restoreOptimizerSnapshot(this.optimizer, snapshot.optimizer);
      restored = snapshot.step;
      this.history.truncateAfter(restored);
    }
    const what = !Number.isFinite(failed.loss) ? `the loss is ${failed.loss}` : `the gradient norm is ${failed.gradNorm}`;
    const err = new NonFiniteLossError(failedStep, failed.loss, restored, what);
    await this.finish("non-finite", err.message);
    throw err;
  }

  /** Records a completed step and runs the callbacks; true when one asks to stop. */
  async record(outcome: StepOutcome): Promise<boolean> {
    const { history, options } = this;
    this.chunkIndex++;
    const step = ++this.step;
    history.record(step, outcome.loss, outcome.gradNorm);
    history.stepInProgress = undefined;
    history.position = { batchIndex: this.batchIndex, epoch: this.epoch, rng: this.rng.state };
    this.epochLossSum += outcome.loss;
    this.epochLossCount++;
    const recording = options.gradientsThroughTime;
    if (this.capturedData) {
      history.gradientsThroughTime.push({ step, data: this.capturedData });
      this.capturedData = undefined;
    } else if (recording?.measure && step % recording.every === 0) {
      history.gradientsThroughTime.push({ step, data: await recording.measure(this.batch!) });
    }
    let stop = (await options.callbacks?.onStepEnd?.(this.stepInfo(outcome))) === false;
    if (this.sequenceDone && this.batchesPerEpoch !== undefined && this.batchIndex % this.batchesPerEpoch === 0) {
      stop = (await this.endEpoch()) || stop;
    }
    if (this.sequenceDone) this.releaseBatch();
    return stop;
  }

  private stepInfo(outcome: StepOutcome): StepInfo {
    const elapsed = (performance.now() - this.startTime) / 1000;
    const rate = (this.step - this.startStep) / Math.max(elapsed, 1e-9);
    const total = this.options.steps;
    return { step: this.step, epoch: this.epoch, ...outcome, stepsPerSecond: rate, etaSeconds: (total - this.step) / rate, totalSteps: total, history: this.history };
  }

  private async endEpoch(): Promise<boolean> {
    const epoch = ++this.epoch;
    const meanLoss = this.epochLossSum / this.epochLossCount;
    this.history.epochs.push({ epoch, step: this.step, meanLoss });
    this.history.position = { batchIndex: this.batchIndex, epoch, rng: this.rng.state };
    this.epochLossSum = 0;
    this.epochLossCount = 0;
    return (await this.options.callbacks?.onEpochEnd?.({ epoch, step: this.step, meanLoss, history: this.history })) === false;
  }

  /** Every chunk of the current batch has been trained on. */
  private get sequenceDone(): boolean {
    return this.chunkIndex >= this.chunkStarts.length;
  }

  /** Saves a checkpoint when one is due (at a sequence boundary). */
  async checkpoint(): Promise<void> {
    const options = this.options.checkpoint;
    if (!options || !this.sequenceDone || this.step - this.lastSavedStep < options.every) return;
    this.lastSavedStep = this.step;
    const position = { step: this.step, batchIndex: this.batchIndex, epoch: this.epoch, rng: this.rng.state };
    const ckpt = await captureCheckpoint(this.variables, this.optimizer, position, this.history.toJSON());
    await (typeof options.save === "string" ? saveCheckpoint(options.save, ckpt) : options.save(ckpt));
  }

  /** Marks the next step as started (an interrupt now lets it finish). */
  beginStep(): void {
    this.history.stepInProgress = this.step + 1;
  }

  /** Ends the run however it stopped: frees what it holds and calls onTrainEnd once. */
  async finish(reason: TrainingHistory["stopReason"], message?: string): Promise<TrainResult> {
    if (this.history.stopReason === undefined) {
      this.history.stopReason = reason;
      this.history.stopMessage = message;
      this.history.stepInProgress = undefined;
      this.dropSnapshot();
      this.releaseBatch();
      await this.options.callbacks?.onTrainEnd?.(this.history);
    }
    return { history: this.history, optimizer: this.optimizer, step: this.step };
  }

  private dropSnapshot(): void {
    if (!this.snapshot) return;
    tf.dispose(this.snapshot.weights);
    disposeOptimizerSnapshot(this.snapshot.optimizer);
    this.snapshot = undefined;
  }

  /** Frees the batch (when the source made it) and the state carried through it. */
  private releaseBatch(): void {
    if (this.batch !== undefined && typeof this.options.batches === "function") disposeTensorsIn(this.batch);
    this.batch = undefined;
    if (this.carry) tf.dispose(this.carry);
    this.carry = null;
  }
}
