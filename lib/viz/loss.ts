/** Loss curves: the raw per-step loss and an exponential moving average that shows the trend. */
import { checkVector } from "./check";
import { Figure } from "./figure";
import { formatNumber } from "./format";

export interface LossData {
  steps: number[];
  loss: number[];
}

export interface LossFigureOptions {
  /** EMA weight of the past in [0, 1); 0 turns smoothing off. Default 0.9. */
  smoothing?: number;
  title?: string;
  logY?: boolean;
  /**
   * Most points per trace. Longer runs are thinned (the raw curve keeps each bucket's
   * minimum and maximum, so spikes stay visible); this keeps live redraws small. Default 4000.
   */
  maxPoints?: number;
}

/** Indices that keep each bucket's min and max (in order) and the last point. */
export function thinIndices(values: readonly number[], maxPoints: number): number[] {
  const n = values.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = Math.ceil(n / buckets);
  const keep: number[] = [];
  for (let start = 0; start < n; start += size) {
    let lo = start;
    let hi = start;
    for (let i = start; i < Math.min(n, start + size); i++) {
      // NaN never wins a comparison, so finite values are kept before it.
      if (values[i] < values[lo] || !Number.isFinite(values[lo])) lo = i;
      if (values[i] > values[hi] || !Number.isFinite(values[hi])) hi = i;
    }
    if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  if (keep[keep.length - 1] !== n - 1) keep.push(n - 1);
  return keep;
}

/**
 * Exponential moving average with bias correction (as TensorBoard smooths), so the first
 * points are not pulled towards zero. Non-finite values are skipped, keeping the average.
 */
export function ema(values: readonly number[], smoothing: number): number[] {
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new RangeError(`smoothing must be in [0, 1), got ${smoothing}`);
  }
  const out: number[] = [];
  let avg = 0;
  let weight = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      avg = smoothing * avg + (1 - smoothing) * v;
      weight = smoothing * weight + (1 - smoothing);
    }
    out.push(weight > 0 ? avg / weight : NaN);
  }
  return out;
}

export function lossFigure(data: LossData, options: LossFigureOptions = {}): Figure {
  const loss = checkVector("loss", data?.loss);
  const steps = checkVector("steps", data?.steps, loss.length);
  const smoothing = options.smoothing ?? 0.9;
  const maxPoints = options.maxPoints ?? 4000;
  if (!(maxPoints >= 4)) throw new RangeError(`maxPoints must be at least 4, got ${maxPoints}`);
  const keep = thinIndices(loss, maxPoints);
  const pick = (v: number[]) => (keep.length === v.length ? v : keep.map((i) => v[i]));
  const traces: Record<string, unknown>[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "loss",
      x: pick(steps),
      y: pick(loss),
      line: { color: smoothing > 0 ? "rgba(31,119,180,0.35)" : "rgb(31,119,180)", width: 1 },
    },
  ];
  const smooth = smoothing > 0 ? ema(loss, smoothing) : loss;
  if (smoothing > 0) {
    traces.push({
      type: "scatter",
      mode: "lines",
      name: `EMA (${smoothing})`,
      x: pick(steps),
      y: pick(smooth),
      line: { color: "rgb(31,119,180)", width: 2.5 },
    });
  }
  const last = loss.length > 0 ? smooth[smooth.length - 1] : NaN;
  const summary =
    loss.length === 0
      ? "Loss curve: no steps yet"
      : `Loss curve: ${loss.length} steps (${steps[0]}..${steps[steps.length - 1]}), ` +
        `last loss ${formatNumber(loss[loss.length - 1])}, smoothed ${formatNumber(last)}, ` +
        `min ${formatNumber(loss.reduce((m, v) => (v < m ? v : m), Infinity))}`;
  return new Figure(
    {
      data: traces,
      layout: {
        title: { text: options.title ?? "Training loss" },
        xaxis: { title: { text: "step" } },
        yaxis: { title: { text: "loss" }, type: options.logY ? "log" : "linear" },
        height: 380,
        margin: { t: 50, r: 20, b: 50, l: 60 },
        legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 1, xanchor: "right" },
      },
    },
    summary,
  );
}
