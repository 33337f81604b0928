/** Attention weights: which source positions each target position looks at. */
import { checkLabels, checkMatrix, range, tokenAxis } from "./check";
import { Figure, type PlotlyTrace } from "./figure";

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
  const top = largest([weights]);
  return new Figure(
    {
      data: [{ ...attentionHeatmap(weights, source, target, top, ["target", "source"]), colorbar: { title: { text: "weight" } } }],
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

/** White for no attention, dark blue for all of it. */
const ATTENTION_COLORS = [
  [0, "#ffffff"],
  [1, "#08306b"],
];

/** The largest finite weight (plotly honours zmin only together with zmax), 1 when none is above 0. */
function largest(matrices: number[][][]): number {
  let top = 0;
  for (const m of matrices) for (const row of m) for (const w of row) if (Number.isFinite(w) && w > top) top = w;
  return top > 0 ? top : 1;
}

/** One heatmap of weights [row][column], hover text naming both tokens. */
function attentionHeatmap(weights: number[][], columns: string[], rows: string[], top: number, names: [row: string, column: string]): PlotlyTrace {
  return {
    type: "heatmap",
    x: range(columns.length),
    y: range(rows.length),
    z: weights,
    zmin: 0,
    zmax: top,
    colorscale: ATTENTION_COLORS,
    customdata: rows.map((t) => columns.map((s) => [s, t])),
    hovertemplate: `${names[0]} %{customdata[1]} ← ${names[1]} %{customdata[0]}<br>weight %{z:.3f}<extra></extra>`,
  };
}

export interface SelfAttentionHeads {
  /** The tokens the model read, one per position. */
  tokens: string[];
  /** [head][query position][key position]. */
  heads: number[][][];
}

/**
 * Self-attention weights of one layer, a heatmap per head side by side: row t shows which
 * positions the token at t attended to (under a causal mask, only columns 0..t).
 */
export function selfAttentionFigure(a: SelfAttentionHeads, options: { title?: string } = {}): Figure {
  if (!a || typeof a !== "object") throw new TypeError("selfAttentionFigure expects { tokens, heads }");
  const tokens = checkLabels("tokens", a.tokens, a.tokens?.length ?? 0);
  if (!Array.isArray(a.heads) || a.heads.length === 0) throw new TypeError("selfAttentionFigure: heads must be a non-empty array of [query][key] matrices");
  const heads = a.heads.map((h, i) => checkMatrix(`heads[${i}]`, h, tokens.length, tokens.length));
  const top = largest(heads);
  const columns = Math.min(heads.length, 4);
  const rows = Math.ceil(heads.length / columns);
  const layout: Record<string, unknown> = {
    title: { text: options.title ?? "Self-attention weights" },
    grid: { rows, columns, pattern: "independent" },
    height: rows * Math.max(260, Math.min(420, 120 + 8 * tokens.length)) + 60,
    margin: { t: 60, r: 20, b: 50, l: 60 },
  };
  const data = heads.map((weights, i) => {
    const suffix = i === 0 ? "" : String(i + 1);
    layout[`xaxis${suffix}`] = tokenAxis(tokens, `key (head ${i + 1})`);
    layout[`yaxis${suffix}`] = { ...tokenAxis(tokens, i % columns === 0 ? "query" : ""), autorange: "reversed" };
    return { ...attentionHeatmap(weights, tokens, tokens, top, ["query", "key"]), xaxis: `x${suffix}`, yaxis: `y${suffix}`, showscale: i === 0, name: `head ${i + 1}` };
  });
  return new Figure({ data, layout }, `Self-attention: ${heads.length} heads × ${tokens.length} positions`);
}
