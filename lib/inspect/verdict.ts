/**
 * Reading gradient norms through time. ratio = ||dL/dh_0|| / ||dL/dh_{T-1}||, the share of
 * the last step's gradient that reaches the first step:
 *   ratio < 1e-2   "vanishing"  (early steps get under 1% — they barely learn)
 *   ratio > 1e2    "exploding"  (early steps get over 100x — updates blow up; clip)
 *   otherwise      "stable"
 * The thresholds are two orders of magnitude either way; pass others to override.
 */

export interface VerdictThresholds {
  vanishing: number;
  exploding: number;
}

export const DEFAULT_THRESHOLDS: VerdictThresholds = { vanishing: 1e-2, exploding: 1e2 };

export type GradientTrend = "vanishing" | "exploding" | "stable" | "no gradient";

export function gradientRatio(norms: readonly number[]): number {
  if (norms.length === 0) return NaN;
  const last = norms[norms.length - 1];
  return last > 0 ? norms[0] / last : NaN;
}

export function trendFor(ratio: number, thresholds: VerdictThresholds = DEFAULT_THRESHOLDS): GradientTrend {
  if (!Number.isFinite(ratio)) return ratio === Infinity ? "exploding" : "no gradient";
  if (ratio < thresholds.vanishing) return "vanishing";
  if (ratio > thresholds.exploding) return "exploding";
  return "stable";
}

const sci = (x: number) => (x === 0 ? "0" : Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? x.toPrecision(3) : x.toExponential(1));

/** One sentence per layer, e.g. "lstm_1: vanishing — the first step gets 3.2e-4 of the last step's gradient". */
export function verdictFor(layers: readonly string[], ratios: readonly number[], thresholds: VerdictThresholds = DEFAULT_THRESHOLDS): string {
  return layers
    .map((name, i) => {
      const r = ratios[i];
      const trend = trendFor(r, thresholds);
      if (trend === "no gradient") return `${name}: no gradient reaches the last step, so the ratio is undefined`;
      return `${name}: ${trend} — the first step gets ${sci(r)}x the last step's gradient`;
    })
    .join("; ");
}
