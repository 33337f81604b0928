/**
 * A text coloured by one unit's activation per character (blue negative, red positive), as
 * HTML (the text as it reads, one span per character) and as a plotly heatmap (one row per
 * line of text, each cell labelled with its character) for hovering exact values.
 */
import { DISPLAY, type MimeBundle } from "../runtime";
import { checkLabels, checkVector } from "./check";
import { Figure } from "./figure";
import { escapeHtml, formatNumber } from "./format";

export interface ActivationText {
  /** One token (character) per step. */
  tokens: string[];
  /** The unit's activation per step. */
  values: number[];
  /** Shown in titles, e.g. "unit 17 (inside quotes, r = 0.84)". */
  label?: string;
}

function checked(a: ActivationText): { tokens: string[]; values: number[]; scale: number } {
  const values = checkVector("values", a?.values);
  const tokens = checkLabels("tokens", a.tokens, values.length);
  let scale = 0;
  for (const v of values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  return { tokens, values, scale: scale || 1 };
}

/** rgba background for v in [-scale, scale]: red for positive, blue for negative. */
function colour(v: number, scale: number): string {
  const a = Math.min(1, Math.abs(v) / scale);
  return v >= 0 ? `rgba(214,39,40,${a.toFixed(2)})` : `rgba(31,119,180,${a.toFixed(2)})`;
}

/** The coloured text as a display: HTML spans (hover shows the value), with a text fallback. */
export function activationTextHtml(a: ActivationText): { [DISPLAY](): MimeBundle } {
  const { tokens, values, scale } = checked(a);
  const spans = tokens
    .map((tok, t) =>
      tok === "\n"
        ? "<br>"
        : `<span title="${formatNumber(values[t], 3)}" style="background:${colour(values[t], scale)}">${escapeHtml(tok)}</span>`,
    )
    .join("");
  const title = a.label ? `<div style="font-weight:bold;margin-bottom:4px">${escapeHtml(a.label)}</div>` : "";
  return {
    [DISPLAY]: () => ({
      "text/html": `<div class="seqlab-activation-text">${title}<div style="font-family:monospace;white-space:pre;line-height:1.5">${spans}</div></div>`,
      "text/plain": `${a.label ?? "activation"} over ${tokens.length} characters, max |value| ${formatNumber(scale, 3)}`,
    }),
  };
}

/** The same as a plotly heatmap: row = line of text, column = position in the line. */
export function activationTextFigure(a: ActivationText): Figure {
  const { tokens, values, scale } = checked(a);
  const z: (number | null)[][] = [[]];
  const text: string[][] = [[]];
  tokens.forEach((tok, t) => {
    const row = z.length - 1;
    z[row].push(values[t]);
    text[row].push(tok === "\n" ? "⏎" : tok);
    if (tok === "\n") {
      z.push([]);
      text.push([]);
    }
  });
  if (z[z.length - 1].length === 0) {
    z.pop();
    text.pop();
  }
  const width = Math.max(...z.map((r) => r.length));
  for (const [i, row] of z.entries()) while (row.length < width) (row.push(null), text[i].push(""));
  return new Figure(
    {
      data: [{
        type: "heatmap", z, text, texttemplate: "%{text}", colorscale: "RdBu", reversescale: true, zmid: 0, zmin: -scale, zmax: scale,
        hovertemplate: "line %{y}, column %{x}: '%{text}'<br>%{z:.3f}<extra></extra>",
      }],
      layout: {
        title: { text: a.label ?? "Activation per character" },
        yaxis: { autorange: "reversed", title: { text: "line" } },
        xaxis: { title: { text: "column" } },
        height: Math.min(700, 120 + 22 * z.length),
        margin: { t: 50, r: 20, b: 50, l: 50 },
      },
    },
    `${a.label ?? "activation"}: ${tokens.length} characters on ${z.length} lines, max |value| ${formatNumber(scale, 3)}`,
  );
}
