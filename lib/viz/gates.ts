/** Gate activations (e.g. an LSTM's input, forget and output gates) over a sequence. */
import { checkLabels, checkMatrix, range, tokenAxis, transpose } from "./check";
import { Figure } from "./figure";
import { formatNumber } from "./format";

export interface GateActivations {
  tokens?: string[];
  /** Gate name -> [t][unit] activations in [0, 1]. */
  gates?: Record<string, number[][]>;
}

/** One heatmap per gate, stacked and sharing the time axis. */
export function gateActivationsFigure(g: GateActivations, options: { title?: string; maxUnits?: number } = {}): Figure {
  const gates = g?.gates ?? {};
  const names = Object.keys(gates);
  if (names.length === 0) {
    throw new RangeError(
      "gates is empty: pass { gates: { input: [t][unit], forget: ..., ... } } (a plain RNN cell has no gates)",
    );
  }
  const mats = names.map((n) => checkMatrix(`gates.${n}`, gates[n]));
  const T = mats[0].length;
  mats.forEach((m, i) => {
    if (m.length !== T) throw new RangeError(`gates.${names[i]} has ${m.length} time steps but gates.${names[0]} has ${T}`);
  });
  const tokens = g.tokens ? checkLabels("tokens", g.tokens, T) : undefined;
  const maxUnits = options.maxUnits ?? 64;
  const gap = 0.04;
  const band = (1 - gap * (names.length - 1)) / names.length;
  const layout: Record<string, unknown> = {
    title: { text: options.title ?? "Gate activations" },
    height: 140 + 170 * names.length,
    margin: { t: 50, r: 20, b: 60, l: 80 },
    // Panels stack top to bottom on one shared x axis: anchor it to the lowest panel so its
    // ticks and title sit under the figure rather than under the first gate.
    xaxis: {
      ...(tokens ? tokenAxis(tokens, "input token") : { title: { text: "time step t" } }),
      anchor: `y${names.length === 1 ? "" : names.length}`,
    },
  };
  const data = names.map((name, i) => {
    const axis = i === 0 ? "" : String(i + 1);
    const top = 1 - i * (band + gap);
    layout[`yaxis${axis}`] = { domain: [top - band, top], title: { text: name }, showticklabels: false };
    const units = Math.min(maxUnits, mats[i][0].length);
    return {
      type: "heatmap",
      x: range(T),
      y: range(units),
      z: transpose(mats[i].map((row) => row.slice(0, units))),
      zmin: 0,
      zmax: 1,
      colorscale: "Viridis",
      showscale: i === 0,
      yaxis: `y${axis}`,
      name,
      hovertemplate: `${name}: t = %{x}, unit %{y}, %{z:.3f}<extra></extra>`,
    };
  });
  const means = mats.map((m) => {
    let s = 0;
    let n = 0;
    for (const row of m) for (const v of row) (s += v), n++;
    return s / n;
  });
  return new Figure(
    { data, layout },
    `Gate activations over ${T} steps: ` + names.map((n, i) => `${n} mean ${formatNumber(means[i], 3)}`).join(", "),
  );
}
