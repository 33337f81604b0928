/**
 * What a training run leaves behind, step by step. The caller holds the object, so it
 * survives an interrupt or an error and can be plotted (lib/viz) or passed to a later run.
 */
import { DISPLAY, type MimeBundle } from "../runtime";
import type { GradientsThroughTimeData } from "../inspect/types";
import type { RngState } from "../random";

export type StopReason = "completed" | "interrupted" | "non-finite" | "callback" | "error";

export interface EpochRecord {
  epoch: number;
  /** The step that closed the epoch. */
  step: number;
  meanLoss: number;
}

export interface GradientsRecord {
  step: number;
  data: GradientsThroughTimeData;
}

export class TrainingHistory {
  /** Step numbers (1-based, counting optimizer updates), one entry per completed step. */
  readonly steps: number[] = [];
  readonly loss: number[] = [];
  /** Global gradient norm before clipping. */
  readonly gradNorm: number[] = [];
  /** Seconds since this history's first step, at the end of each step. */
  readonly time: number[] = [];
  readonly epochs: EpochRecord[] = [];
  readonly gradientsThroughTime: GradientsRecord[] = [];
  stopReason?: StopReason;
  /** A short message for the last stop (the error's message when it failed). */
  stopMessage?: string;
  /**
   * Where the batch stream stood after the last step (batches drawn, epoch, RNG state), so
   * a later train() call with this history continues the stream instead of restarting it.
   */
  position?: { batchIndex: number; epoch: number; rng: RngState };
  /**
   * The step train() is computing now, undefined between steps: an interrupt lets it
   * finish, so this is the last step the history will hold.
   */
  stepInProgress?: number;
  private startedAt?: number;
  private timeOffset = 0;

  get lastStep(): number {
    return this.steps.length === 0 ? 0 : this.steps[this.steps.length - 1];
  }

  get lastLoss(): number | undefined {
    return this.loss[this.loss.length - 1];
  }

  record(step: number, loss: number, gradNorm: number): void {
    if (this.steps.length > 0 && step <= this.lastStep) {
      throw new Error(`history already has step ${this.lastStep}; cannot record step ${step} before it`);
    }
    const now = performance.now();
    if (this.startedAt === undefined) this.startedAt = now - this.timeOffset * 1000;
    this.steps.push(step);
    this.loss.push(loss);
    this.gradNorm.push(gradNorm);
    this.time.push((now - this.startedAt) / 1000);
  }

  /** Drops every record after `step` (used when weights roll back to that step). */
  truncateAfter(step: number): void {
    let keep = this.steps.length;
    while (keep > 0 && this.steps[keep - 1] > step) keep--;
    for (const arr of [this.steps, this.loss, this.gradNorm, this.time]) arr.length = keep;
    removeWhere(this.epochs, (e) => e.step > step);
    removeWhere(this.gradientsThroughTime, (g) => g.step > step);
    // The stream position no longer matches the kept steps.
    this.position = undefined;
  }

  /** Mean loss over the last `n` recorded steps (the lab reports it per 100 iterations). */
  meanLoss(n = this.loss.length): number {
    const tail = this.loss.slice(Math.max(0, this.loss.length - n));
    return tail.length === 0 ? NaN : tail.reduce((a, b) => a + b, 0) / tail.length;
  }

  toJSON(): HistoryData {
    return {
      steps: [...this.steps],
      loss: [...this.loss],
      gradNorm: [...this.gradNorm],
      time: [...this.time],
      epochs: this.epochs.map((e) => ({ ...e })),
      gradientsThroughTime: this.gradientsThroughTime.map((g) => ({ step: g.step, data: g.data })),
      stopReason: this.stopReason,
      stopMessage: this.stopMessage,
      position: this.position ? { ...this.position, rng: { ...this.position.rng } } : undefined,
    };
  }

  static fromJSON(data: HistoryData): TrainingHistory {
    const h = new TrainingHistory();
    h.restoreFrom(data);
    return h;
  }

  /** Replaces this history's contents with `data` (keeps the object the caller holds). */
  restoreFrom(data: HistoryData): void {
    const n = data.steps.length;
    if (data.loss.length !== n || data.gradNorm.length !== n || data.time.length !== n) {
      throw new Error("history data is inconsistent: steps, loss, gradNorm and time must have equal lengths");
    }
    const assign = <T>(dst: T[], src: T[]) => dst.splice(0, dst.length, ...src);
    assign(this.steps, data.steps);
    assign(this.loss, data.loss);
    assign(this.gradNorm, data.gradNorm);
    assign(this.time, data.time);
    assign(this.epochs, data.epochs);
    assign(this.gradientsThroughTime, data.gradientsThroughTime);
    this.stopReason = data.stopReason;
    this.stopMessage = data.stopMessage;
    this.position = data.position;
    this.startedAt = undefined;
    this.timeOffset = n > 0 ? data.time[n - 1] : 0;
  }

  summary(): string {
    if (this.steps.length === 0) return "TrainingHistory: no steps yet";
    const parts = [
      `TrainingHistory: ${this.steps.length} steps (last ${this.lastStep})`,
      `loss ${fmt(this.lastLoss!)} (mean of last 100: ${fmt(this.meanLoss(100))})`,
    ];
    if (this.stopReason) parts.push(`stopped: ${this.stopReason}`);
    return parts.join(", ");
  }

  [DISPLAY](): MimeBundle {
    return { "text/plain": this.summary() };
  }
}

export interface HistoryData {
  steps: number[];
  loss: number[];
  gradNorm: number[];
  time: number[];
  epochs: EpochRecord[];
  gradientsThroughTime: GradientsRecord[];
  stopReason?: StopReason;
  stopMessage?: string;
  position?: TrainingHistory["position"];
}

function removeWhere<T>(arr: T[], pred: (x: T) => boolean): void {
  for (let i = arr.length - 1; i >= 0; i--) if (pred(arr[i])) arr.splice(i, 1);
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}
