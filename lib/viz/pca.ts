/** Principal components by power iteration on the covariance (enough for a 2-D view). */

export interface Projection {
  /** [row][component] coordinates. */
  points: number[][];
  /** Fraction of the total variance each component explains. */
  explained: number[];
}

export function pca(vectors: number[][], components = 2, iterations = 200): Projection {
  const n = vectors.length;
  if (n === 0) throw new RangeError("pca needs at least one vector");
  const d = vectors[0].length;
  const mean = new Float64Array(d);
  for (const v of vectors) for (let j = 0; j < d; j++) mean[j] += v[j] / n;
  const centered = vectors.map((v) => Float64Array.from(v, (x, j) => x - mean[j]));
  // Covariance d×d: fine for embedding widths up to a few thousand.
  const cov = Array.from({ length: d }, () => new Float64Array(d));
  for (const v of centered) {
    for (let a = 0; a < d; a++) {
      const va = v[a];
      if (va === 0) continue;
      const row = cov[a];
      for (let b = 0; b < d; b++) row[b] += va * v[b];
    }
  }
  let total = 0;
  for (let a = 0; a < d; a++) total += cov[a][a];
  const axes: Float64Array[] = [];
  const eigen: number[] = [];
  for (let c = 0; c < Math.min(components, d); c++) {
    // Deterministic start that is unlikely to be orthogonal to the top eigenvector.
    let x = Float64Array.from({ length: d }, (_, j) => 1 + ((j * 7919) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      for (const axis of axes) {
        const dot = axis.reduce((s, v, j) => s + v * x[j], 0);
        for (let j = 0; j < d; j++) x[j] -= dot * axis[j];
      }
      const y = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        const row = cov[a];
        for (let b = 0; b < d; b++) s += row[b] * x[b];
        y[a] = s;
      }
      let sq = 0;
      for (let a = 0; a < d; a++) sq += y[a] * y[a];
      const norm = Math.sqrt(sq);
      if (norm === 0) break;
      lambda = norm;
      x = y.map((v) => v / norm);
    }
    axes.push(x);
    eigen.push(lambda);
  }
  const points = centered.map((v) => axes.map((axis) => axis.reduce((s, a, j) => s + a * v[j], 0)));
  while (points[0].length < components) points.forEach((p) => p.push(0));
  return { points, explained: eigen.map((l) => (total > 0 ? l / total : 0)) };
}
