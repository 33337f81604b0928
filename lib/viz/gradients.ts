/**
 * Gradients through time: how large dL/dh_t is at each time step t of a sequence, per layer
 * (vanishing gradients show as lines falling towards early steps), the same over training as
 * a heatmap, and the norms of the recurrent Jacobians dh_t/dh_{t-1} whose products decide it.
 */
import type { GradientsThroughTimeData } from "../inspect/types";
import { checkLabels, checkMatrix, checkVector, range } from "./check";
import { Figure } from "./figure";
import { formatNumber } from "./format";

/** The part of inspect/'s measurement for one sequence that the figure draws. */
export type GradientsThroughTime = Pick<GradientsThroughTimeData, "layers" | "timeSteps" | "norms" | "ratio" | "verdict">;

export function gradientNormsFigure(g: GradientsThroughTime, options: { title?: string } = {}): Figure {
  if (!g || typeof g !== "object") throw new TypeError("gradientNormsFigure expects { layers, timeSteps, norms, ratio, verdict }");
  const layers = checkLabels("layers", g.layers, g.layers?.length ?? 0);
  const norms = checkMatrix("norms", g.norms, layers.length, g.timeSteps);
  const ratio = g.ratio === undefined ? [] : checkVector("ratio", g.ratio);
  const timeSteps = norms[0].length;
  const t = range(timeSteps);
  const data = layers.map((layer, i) => ({
    type: "scatter",
    mode: "lines+markers",
    marker: { size: 4 },
    name: ratio.length === layers.length ? `${layer} (first/last ${formatNumber(ratio[i], 2)})` : layer,
    x: t,
    // A log axis cannot show zeros; plotly leaves a gap for null.
    y: norms[i].map((v) => (v > 0 ? v : null)),
  }));
  const summary =
    `Gradient norm through time: ${layers.length} layer(s) × ${timeSteps} steps` +
    (ratio.length ? `; first/last ratio ${ratio.map((r) => formatNumber(r, 2)).join(", ")}` : "") +
    (g.verdict ? `\n${g.verdict}` : "");
  return new Figure(
    {
      data,
      layout: {
        title: { text: options.title ?? `‖∂L/∂h<sub>t</sub>‖ through time${g.verdict ? `<br><sup>${g.verdict}</sup>` : ""}` },
        xaxis: { title: { text: "time step t" } },
        yaxis: { title: { text: "gradient norm" }, type: "log", exponentformat: "power" },
        height: 400,
        margin: { t: 70, r: 20, b: 50, l: 70 },
      },
    },
    summary,
  );
}

export interface GradientHistory {
  /** Training steps at which the norms were taken. */
  steps: number[];
  /** [training step][t]: norm of dL/dh_t. */
  norms: number[][];
  layer?: string;
}

/** One gradients-through-time measurement taken during training (as train/ records them). */
export interface GradientRecord {
  step: number;
  data: GradientsThroughTime;
}

/** Turn training records into a heatmap's rows for one layer (by index or name). */
export function gradientHistoryOf(records: readonly GradientRecord[], layer: number | string = 0): GradientHistory {
  if (!Array.isArray(records) || records.length === 0) {
    throw new RangeError("no gradients-through-time records: measure them during training first");
  }
  const first = records[0].data;
  const index = typeof layer === "number" ? layer : first.layers.indexOf(layer);
  if (index < 0 || index >= first.layers.length) {
    throw new RangeError(`layer ${JSON.stringify(layer)} not found; the records have layers ${first.layers.join(", ")}`);
  }
  return { steps: records.map((r) => r.step), norms: records.map((r) => r.data.norms[index]), layer: first.layers[index] };
}

/**
 * Training step × time step heatmap of log10 gradient norms. Takes rows directly, or the
 * records a training run keeps (then `layer` picks which layer to show).
 */
export function gradientHeatmapFigure(
  input: GradientHistory | readonly GradientRecord[],
  options: { title?: string; layer?: number | string } = {},
): Figure {
  const h = Array.isArray(input) ? gradientHistoryOf(input as GradientRecord[], options.layer) : (input as GradientHistory);
  const norms = checkMatrix("norms", h?.norms);
  const steps = checkVector("steps", h.steps, norms.length);
  const z = norms.map((row) => row.map((v) => (v > 0 ? Math.log10(v) : null)));
  const layer = h.layer ? ` (${h.layer})` : "";
  return new Figure(
    {
      data: [
        {
          type: "heatmap",
          x: range(norms[0].length),
          y: steps,
          z,
          colorscale: "Viridis",
          colorbar: { title: { text: "log10 ‖∂L/∂h<sub>t</sub>‖" } },
          hovertemplate: "train step %{y}<br>t = %{x}<br>log10 norm %{z:.2f}<extra></extra>",
        },
      ],
      layout: {
        title: { text: options.title ?? `Gradient norm through time during training${layer}` },
        xaxis: { title: { text: "time step t" } },
        yaxis: { title: { text: "training step" } },
        height: 420,
        margin: { t: 50, r: 20, b: 50, l: 70 },
      },
    },
    `Gradient norm heatmap${layer}: ${steps.length} training steps × ${norms[0].length} time steps (log10 colour)`,
  );
}

export interface JacobianNorms {
  layers?: string[];
  /** [layer][t]: norm of dh_t/dh_{t-1} (spectral or Frobenius, as measured). */
  norms?: number[][];
  /** The same numbers as inspect/ reports them beside the gradients; used when present. */
  jacobianNorms?: number[][];
}

/** Recurrent Jacobian norms over time with the line at 1 where gradients neither grow nor shrink. */
export function jacobianNormsFigure(j: JacobianNorms, options: { title?: string } = {}): Figure {
  if (!j || (j.jacobianNorms === undefined && j.norms === undefined)) {
    throw new TypeError(
      "jacobianNormsFigure expects { layers?, norms: [layer][t] } or gradients-through-time data " +
        "measured with Jacobians (its jacobianNorms field is missing).",
    );
  }
  const norms = checkMatrix(j.jacobianNorms ? "jacobianNorms" : "norms", j.jacobianNorms ?? j.norms);
  const layers = j.layers ? checkLabels("layers", j.layers, norms.length) : norms.map((_, i) => `layer ${i}`);
  const t = range(norms[0].length);
  const data: Record<string, unknown>[] = layers.map((layer, i) => ({
    type: "scatter",
    mode: "lines",
    name: layer,
    x: t,
    y: norms[i].map((v) => (v > 0 ? v : null)),
  }));
  data.push({
    type: "scatter",
    mode: "lines",
    name: "1 (neither vanish nor explode)",
    x: [0, Math.max(0, t.length - 1)],
    y: [1, 1],
    line: { dash: "dash", color: "gray", width: 1 },
  });
  const means = norms.map((row) => row.reduce((a, b) => a + b, 0) / row.length);
  return new Figure(
    {
      data,
      layout: {
        title: { text: options.title ?? "Recurrent Jacobian norms ‖∂h<sub>t</sub>/∂h<sub>t-1</sub>‖" },
        xaxis: { title: { text: "time step t" } },
        yaxis: { title: { text: "norm" }, type: "log" },
        height: 380,
        margin: { t: 50, r: 20, b: 50, l: 70 },
      },
    },
    `Recurrent Jacobian norms: ${layers.length} layer(s) × ${t.length} steps; mean ` +
      layers.map((l, i) => `${l} ${formatNumber(means[i], 3)}`).join(", "),
  );
}

/** What gradientStepFigure draws: one recorded measurement, with its per-unit norms. */
export type GradientStep = GradientsThroughTime & Pick<GradientsThroughTimeData, "unitNorms">;

/**
 * One recorded measurement of one layer: ‖∂L/∂h_t‖ through time above, and below it the
 * per-unit norms as a units × time heatmap (log10 colour) — which units carry the gradient
 * back and where it dies out.
 */
export function gradientStepFigure(g: GradientStep, options: { layer?: number | string; step?: number; title?: string } = {}): Figure {
  if (!g || typeof g !== "object") throw new TypeError("gradientStepFigure expects gradients-through-time data { layers, norms, unitNorms, ... }");
  const layers = checkLabels("layers", g.layers, g.layers?.length ?? 0);
  const index = typeof options.layer === "string" ? layers.indexOf(options.layer) : (options.layer ?? 0);
  if (!(index >= 0 && index < layers.length)) throw new RangeError(`layer ${JSON.stringify(options.layer)} not found; the data has layers ${layers.join(", ")}`);
  if (!g.unitNorms) throw new TypeError("gradientStepFigure needs per-unit norms (unitNorms), which records made by seqlab before per-unit measuring lack; train again with --every");
  const norms = checkVector(`norms[${index}]`, g.norms?.[index]);
  const perUnit = checkMatrix(`unitNorms[${index}]`, g.unitNorms[index], norms.length);
  const units = perUnit[0].length;
  const t = range(norms.length);
  const at = options.step === undefined ? "" : ` at training step ${options.step}`;
  const ratio = g.ratio?.[index];
  return new Figure(
    {
      data: [
        { type: "scatter", mode: "lines+markers", marker: { size: 4 }, name: "‖∂L/∂h<sub>t</sub>‖", x: t, y: norms.map((v) => (v > 0 ? v : null)), xaxis: "x", yaxis: "y" },
        {
          type: "heatmap",
          x: t,
          y: range(units),
          // units × time; zeros have no logarithm and show as gaps.
          z: range(units).map((u) => perUnit.map((row) => (row[u] > 0 ? Math.log10(row[u]) : null))),
          colorscale: "Viridis",
          colorbar: { title: { text: "log10" }, y: 0.21, len: 0.42 },
          hovertemplate: "t = %{x}<br>unit %{y}<br>log10 norm %{z:.2f}<extra></extra>",
          xaxis: "x2",
          yaxis: "y2",
        },
      ],
      layout: {
        title: { text: options.title ?? `Gradients through time, ${layers[index]}${at}${ratio === undefined ? "" : ` (first/last ${formatNumber(ratio, 2)})`}` },
        xaxis: { domain: [0, 1], anchor: "y", title: { text: "" } },
        yaxis: { domain: [0.58, 1], type: "log", exponentformat: "power", title: { text: "norm" } },
        xaxis2: { domain: [0, 1], anchor: "y2", title: { text: "time step t" } },
        yaxis2: { domain: [0, 0.42], anchor: "x2", title: { text: "unit" } },
        showlegend: false,
        height: 560,
        margin: { t: 60, r: 20, b: 50, l: 70 },
      },
    },
    `Gradients through time, ${layers[index]}${at}: ${norms.length} steps × ${units} units; ` +
      `‖∂L/∂h‖ ${formatNumber(norms[0], 3)} at t=0, ${formatNumber(norms[norms.length - 1], 3)} at t=${norms.length - 1}`,
  );
}
