/**
 * How well an encoder-decoder translates, overall and grouped by input length: the table
 * that shows the bottleneck of a model without attention as sources grow longer.
 */
import type { Seq2Seq } from "./seq2seq";

export interface TranslationScoreGroup {
  /** The group key (by default the source length). */
  key: number;
  count: number;
  /** Share of outputs equal to their reference. */
  exact: number;
  /** Share of reference positions predicted right (over the longer of output and reference). */
  tokenAccuracy: number;
}

export interface TranslationScore {
  exact: number;
  tokenAccuracy: number;
  groups: TranslationScoreGroup[];
  /** Per example: the greedy output ids. */
  outputs: number[][];
}

export interface TranslationScoreOptions {
  /** A key per example to group by (e.g. how many numbers each sentence holds); default source length. */
  groupBy?: readonly number[];
  /** Examples per translate call (default 64). */
  batchSize?: number;
  /** Longest output (default: the longest reference plus 5). */
  maxLength?: number;
}

/**
 * Greedy-decode `sources` and compare with `references` (target ids without <bos>/<eos>).
 */
export function scoreTranslations(
  model: Seq2Seq,
  sources: readonly number[][],
  references: readonly number[][],
  options: TranslationScoreOptions = {},
): TranslationScore {
  if (sources.length === 0 || sources.length !== references.length) {
    throw new Error(`scoreTranslations: need as many references as sources (got ${sources.length} and ${references.length}), at least one`);
  }
  const keys = options.groupBy ?? sources.map((s) => s.length);
  if (keys.length !== sources.length) throw new Error(`scoreTranslations: groupBy has ${keys.length} keys for ${sources.length} examples`);
  const batchSize = options.batchSize ?? 64;
  const maxLength = options.maxLength ?? Math.max(...references.map((r) => r.length)) + 5;
  const outputs: number[][] = [];
  for (let i = 0; i < sources.length; i += batchSize) {
    outputs.push(...model.translate(sources.slice(i, i + batchSize) as number[][], { maxLength }).tokens);
  }
  const exactOf = outputs.map((o, i) => (o.length === references[i].length && o.every((id, t) => id === references[i][t]) ? 1 : 0));
  const tokenOf = outputs.map((o, i) => {
    const ref = references[i];
    const span = Math.max(o.length, ref.length);
    if (span === 0) return 1; // nothing expected, nothing produced
    let right = 0;
    for (let t = 0; t < Math.min(o.length, ref.length); t++) if (o[t] === ref[t]) right++;
    return right / span;
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const byKey = new Map<number, number[]>();
  keys.forEach((k, i) => (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(i));
  const groups = [...byKey.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, idx]) => ({
      key,
      count: idx.length,
      exact: mean(idx.map((i) => exactOf[i])),
      tokenAccuracy: mean(idx.map((i) => tokenOf[i])),
    }));
  return { exact: mean(exactOf), tokenAccuracy: mean(tokenOf), groups, outputs };
}
