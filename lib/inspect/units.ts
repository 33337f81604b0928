/**
 * Which units of a recurrent layer track a feature of the input (as in Karpathy, Johnson
 * and Fei-Fei's study of character-level LSTMs): each unit's activation over a text against
 * a per-character feature, ranked by Pearson correlation.
 */

export interface UnitCorrelation {
  unit: number;
  /** Pearson correlation of the unit's activation with the feature, in [-1, 1]. */
  correlation: number;
}

/** Pearson correlation of two equally long series; 0 when either is constant. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`correlation: series of different lengths (${a.length} and ${b.length})`);
  const n = a.length;
  if (n < 2) throw new Error("correlation: needs at least two values");
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (!Number.isFinite(sab + saa + sbb)) throw new Error("correlation: the series hold NaN or infinite values");
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/**
 * Units ranked by how strongly (|r|) their activation follows `feature`; `states[t][unit]`
 * as hiddenStates() returns them, one feature value per time step.
 */
export function rankUnits(states: number[][], feature: ArrayLike<number>, options: { top?: number } = {}): UnitCorrelation[] {
  if (!Array.isArray(states) || states.length === 0 || !Array.isArray(states[0])) throw new Error("rankUnits: states must be [time][unit] numbers (hiddenStates(...).states)");
  if (feature.length !== states.length) {
    throw new Error(`rankUnits: the feature has ${feature.length} values but the states have ${states.length} time steps; give one value per character`);
  }
  const units = states[0].length;
  const column = new Float64Array(states.length);
  const ranked: UnitCorrelation[] = [];
  for (let u = 0; u < units; u++) {
    for (let t = 0; t < states.length; t++) column[t] = states[t][u];
    ranked.push({ unit: u, correlation: correlation(column, feature) });
  }
  ranked.sort((x, y) => Math.abs(y.correlation) - Math.abs(x.correlation));
  return options.top === undefined ? ranked : ranked.slice(0, options.top);
}

/** The best unit for each named feature. */
export function bestUnits<F extends { [K in keyof F]: ArrayLike<number> }>(states: number[][], features: F): { [K in keyof F]: UnitCorrelation } {
  const best: Record<string, UnitCorrelation> = {};
  for (const [name, feature] of Object.entries(features) as [string, ArrayLike<number>][]) best[name] = rankUnits(states, feature, { top: 1 })[0];
  return best as { [K in keyof F]: UnitCorrelation };
}
