/** Hidden states over a sequence: units × time heatmap with the input tokens along x. */
import { checkLabels, checkMatrix, range, tokenAxis, transpose } from "./check";
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
