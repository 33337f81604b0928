/** Hidden states over a sequence: units × time heatmap with the input tokens along x. */
import { checkLabels, checkMatrix, range, tokenAxis, transpose, visibleToken } from "./check";
import { Figure } from "./figure";
import { formatNumber } from "./format";

export interface HiddenStates {
  tokens?: string[];
  /** [t][unit] */
  states: number[][];
  /** The layer the states come from (shown in the title). */
  layer?: string;
}

export interface HiddenStatesOptions {
  title?: string;
  /** Show at most this many units (the first ones). Default 128. */
  maxUnits?: number;
}

export function hiddenStatesFigure(h: HiddenStates, options: HiddenStatesOptions = {}): Figure {
  const states = checkMatrix("states", h?.states);
  const T = states.length;
  const tokens = h.tokens ? checkLabels("tokens", h.tokens, T) : undefined;
  const units = states[0].length;
  const shown = Math.min(units, options.maxUnits ?? 128);
  const z = transpose(states.map((row) => row.slice(0, shown)));
  let maxAbs = 0;
  for (const row of z) for (const v of row) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  return new Figure(
    {
      data: [
        {
          type: "heatmap",
          x: range(T),
          y: range(shown),
          z,
          colorscale: "RdBu",
          reversescale: true,
          zmid: 0,
          colorbar: { title: { text: "h" } },
          text: tokens ? z.map(() => tokens) : undefined,
          hovertemplate: tokens
            ? "t = %{x} (%{text})<br>unit %{y}<br>h = %{z:.3f}<extra></extra>"
            : "t = %{x}<br>unit %{y}<br>h = %{z:.3f}<extra></extra>",
        },
      ],
      layout: {
        title: { text: options.title ?? `Hidden state over time${h.layer ? ` (${h.layer})` : ""}` },
        xaxis: tokens ? tokenAxis(tokens, "input token") : { title: { text: "time step t" } },
        yaxis: { title: { text: "unit" } },
        height: Math.min(700, 200 + 4 * shown),
        margin: { t: 50, r: 20, b: 60, l: 60 },
      },
    },
    `Hidden states: ${T} steps × ${units} units${shown < units ? ` (first ${shown} shown)` : ""}, ` +
      `max |h| ${formatNumber(maxAbs, 3)}`,
  );
}

/** Characters of context shown each side of the highlighted one. */
const CONTEXT = 30;

/** The tokens around position t as plotly title HTML, token t in bold red. */
function highlighted(tokens: readonly string[], t: number): string {
  const escape = (s: string) => visibleToken(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const from = Math.max(0, t - CONTEXT);
  const to = Math.min(tokens.length, t + CONTEXT + 1);
  const before = (from > 0 ? "…" : "") + tokens.slice(from, t).map(escape).join("");
  const after = tokens.slice(t + 1, to).map(escape).join("") + (to < tokens.length ? "…" : "");
  return `${before}<span style="color:#d62728"><b>[${escape(tokens[t])}]</b></span>${after}`;
}

/**
 * Every unit's activation at one time step t, as bars (red positive, blue negative) on a
 * fixed scale (the largest |h| over the whole text, so steps compare), with the text above
 * and the token at t highlighted.
 */
export function hiddenStepFigure(h: HiddenStates, t: number, options: { title?: string } = {}): Figure {
  const states = checkMatrix("states", h?.states);
  const tokens = h.tokens ? checkLabels("tokens", h.tokens, states.length) : states.map((_, i) => String(i));
  if (!Number.isInteger(t) || t < 0 || t >= states.length) throw new RangeError(`time step ${t} is outside the text (0..${states.length - 1})`);
  const units = states[0].length;
  let maxAbs = 0;
  for (const row of states) for (const v of row) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  const top = maxAbs > 0 ? maxAbs * 1.05 : 1;
  const row = states[t];
  return new Figure(
    {
      data: [
        {
          type: "bar",
          x: range(units),
          y: row,
          marker: { color: row.map((v) => (v >= 0 ? "#d62728" : "#1f77b4")) },
          hovertemplate: "unit %{x}<br>h = %{y:.3f}<extra></extra>",
        },
      ],
      layout: {
        title: { text: options.title ?? `${h.layer ? `${h.layer}: ` : ""}activations at t = ${t}<br><sup>${highlighted(tokens, t)}</sup>` },
        xaxis: { title: { text: "unit" } },
        yaxis: { title: { text: "h" }, range: [-top, top] },
        height: 380,
        margin: { t: 80, r: 20, b: 50, l: 60 },
      },
    },
    `Hidden state at t = ${t} (${visibleToken(tokens[t])}): ${units} units, ` +
      `${row.filter((v) => v > 0).length} positive, max |h| ${formatNumber(Math.max(...row.map(Math.abs)), 3)}`,
  );
}
