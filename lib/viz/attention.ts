/** Attention weights: which source positions each target position looks at. */
import { checkLabels, checkMatrix, range, tokenAxis } from "./check";
import { Figure } from "./figure";

export interface AttentionWeights {
  source: string[];
  target: string[];
  /** [target][source]; rows usually sum to 1. */
  weights: number[][];
}

export function attentionFigure(a: AttentionWeights, options: { title?: string } = {}): Figure {
  if (!a || typeof a !== "object") throw new TypeError("attentionFigure expects { source, target, weights }");
  const source = checkLabels("source", a.source, a.source?.length ?? 0);
  const target = checkLabels("target", a.target, a.target?.length ?? 0);
  const weights = checkMatrix("weights", a.weights, target.length, source.length);
  const yAxis = tokenAxis(target, "target (query)");
  // plotly honours zmin only together with zmax; the top is the largest weight present.
  let top = 0;
  for (const row of weights) for (const w of row) if (Number.isFinite(w) && w > top) top = w;
  return new Figure(
    {
      data: [
        {
          type: "heatmap",
          x: range(source.length),
          y: range(target.length),
          z: weights,
          zmin: 0,
          zmax: top > 0 ? top : 1,
          // White for no attention, dark blue for all of it.
          colorscale: [
            [0, "#ffffff"],
            [1, "#08306b"],
          ],
          colorbar: { title: { text: "weight" } },
          customdata: target.map((t) => source.map((s) => [s, t])),
          hovertemplate: "target %{customdata[1]} ← source %{customdata[0]}<br>weight %{z:.3f}<extra></extra>",
        },
      ],
      layout: {
        title: { text: options.title ?? "Attention weights" },
        xaxis: tokenAxis(source, "source (key)"),
        yaxis: { ...yAxis, autorange: "reversed" },
        height: Math.max(300, Math.min(800, 160 + 18 * target.length)),
        margin: { t: 50, r: 20, b: 60, l: 90 },
      },
    },
    `Attention: ${target.length} target × ${source.length} source positions`,
  );
}
