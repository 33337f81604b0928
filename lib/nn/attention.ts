/**
 * Attention over a source sequence: a score for every source position, softmax weights
 * (padded positions get exactly zero), and the weighted sum of the values (the context).
 *
 *   dot (Luong):       score(q, k) = q . k
 *   general (Luong):   score(q, k) = q W k
 *   additive (Bahdanau): score(q, k) = v . tanh(q Wq + k Wk)
 */
import * as tf from "@tensorflow/tfjs";
import { tidyResult } from "./cells/unroll";

export type AttentionScore = "dot" | "general" | "additive";

export interface AttentionParams {
  /** general: [queryDim, keyDim]. */
  W?: tf.Tensor2D;
  /** additive: [queryDim, attentionDim]. */
  Wq?: tf.Tensor2D;
  /** additive: [keyDim, attentionDim]. */
  Wk?: tf.Tensor2D;
  /** additive: [attentionDim]. */
  v?: tf.Tensor1D;
}

function need<T>(value: T | undefined, what: string, kind: AttentionScore): T {
  if (value === undefined) throw new Error(`${kind} attention needs params.${what}`);
  return value;
}

/**
 * Additive attention's key term k Wk, [batch, source, attentionDim]. It does not depend on
 * the query, so a decoder computes it once per source sequence and passes it to every step.
 */
export function projectKeys(keys: tf.Tensor3D, Wk: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, S, K] = keys.shape;
    return tf.reshape(tf.matMul(tf.reshape(keys, [B * S, K]), Wk), [B, S, Wk.shape[1]]) as tf.Tensor3D;
  });
}

/**
 * Scores [batch, source] for one query per example: query [batch, queryDim], keys
 * [batch, source, keyDim]. Additive attention may be given `projectedKeys` (projectKeys).
 */
export function attentionScores(
  kind: AttentionScore,
  query: tf.Tensor2D,
  keys: tf.Tensor3D,
  params: AttentionParams = {},
  projectedKeys?: tf.Tensor3D,
): tf.Tensor2D {
  if (query.rank !== 2 || keys.rank !== 3 || query.shape[0] !== keys.shape[0]) {
    throw new Error(`attention: query must be [batch, queryDim] and keys [batch, source, keyDim] with the same batch; got [${query.shape}] and [${keys.shape}]`);
  }
  return tf.tidy(() => {
    switch (kind) {
      case "dot": {
        if (query.shape[1] !== keys.shape[2]) {
          throw new Error(`dot attention needs queryDim == keyDim, got ${query.shape[1]} and ${keys.shape[2]}; use "general" or "additive"`);
        }
        // [B,1,D] x [B,D,S] -> [B,1,S]
        return tf.matMul(tf.expandDims(query, 1), keys, false, true).squeeze([1]) as tf.Tensor2D;
      }
      case "general": {
        const projected = tf.matMul(query, need(params.W, "W", kind));
        return tf.matMul(tf.expandDims(projected, 1), keys, false, true).squeeze([1]) as tf.Tensor2D;
      }
      case "additive": {
        const [B, S] = keys.shape;
        const fromKeys = projectedKeys ?? projectKeys(keys, need(params.Wk, "Wk", kind));
        const fromQuery = tf.expandDims(tf.matMul(query, need(params.Wq, "Wq", kind)), 1);
        const hidden = tf.tanh(tf.add(fromKeys, fromQuery)) as tf.Tensor3D;
        const v = need(params.v, "v", kind);
        return tf.reshape(tf.matMul(tf.reshape(hidden, [B * S, v.shape[0]]), tf.reshape(v, [v.shape[0], 1])), [B, S]) as tf.Tensor2D;
      }
      default:
        throw new Error(`Unknown attention score ${JSON.stringify(kind)}; use "dot", "general" or "additive"`);
    }
  });
}

/**
 * Softmax over the source axis that gives masked positions (mask 0) a weight of exactly 0.
 * Every row needs at least one unmasked position.
 */
export function maskedSoftmax(scores: tf.Tensor2D, mask?: tf.Tensor2D): tf.Tensor2D {
  if (!mask) return tf.softmax(scores) as tf.Tensor2D;
  if (!tf.util.arraysEqual(mask.shape, scores.shape)) {
    throw new Error(`maskedSoftmax: mask shape [${mask.shape}] must equal scores shape [${scores.shape}]`);
  }
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32");
    // Shift masked scores far down, then zero them exactly after the exponent.
    const shifted = tf.add(scores, tf.mul(tf.sub(1, m), -1e9));
    const e = tf.mul(tf.exp(tf.sub(shifted, tf.max(shifted, 1, true))), m);
    return tf.div(e, tf.maximum(tf.sum(e, 1, true), 1e-30)) as tf.Tensor2D;
  });
}

export interface AttentionResult {
  /** Weighted sum of the values, [batch, valueDim]. */
  context: tf.Tensor2D;
  /** Attention weights, [batch, source]; each row sums to 1 over unmasked positions. */
  weights: tf.Tensor2D;
}

/** Scores, masked softmax and context in one call. `values` defaults to the keys. */
export function attend(
  kind: AttentionScore,
  query: tf.Tensor2D,
  keys: tf.Tensor3D,
  params: AttentionParams = {},
  mask?: tf.Tensor2D,
  values: tf.Tensor3D = keys,
  projectedKeys?: tf.Tensor3D,
): AttentionResult {
  return tidyResult(() => {
    const weights = maskedSoftmax(attentionScores(kind, query, keys, params, projectedKeys), mask);
    const context = tf.matMul(tf.expandDims(weights, 1), values).squeeze([1]) as tf.Tensor2D;
    return { context, weights };
  });
}

export interface AttentionOptions {
  kind: AttentionScore;
  queryDim: number;
  keyDim: number;
  /** additive: hidden size of the scoring network (default keyDim). */
  attentionDim?: number;
  seed?: number;
}

/** Attention that owns its trainable parameters. */
export class Attention {
  readonly kind: AttentionScore;
  readonly params: AttentionParams;

  constructor(options: AttentionOptions) {
    this.kind = options.kind;
    const seed = options.seed;
    const glorot = (shape: number[], offset: number) =>
      tf.variable(tf.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed + offset }).apply(shape) as tf.Tensor);
    if (options.kind === "dot") {
      if (options.queryDim !== options.keyDim) {
        throw new Error(`dot attention needs queryDim == keyDim, got ${options.queryDim} and ${options.keyDim}`);
      }
      this.params = {};
    } else if (options.kind === "general") {
      this.params = { W: glorot([options.queryDim, options.keyDim], 0) as tf.Variable<tf.Rank.R2> };
    } else if (options.kind === "additive") {
      const a = options.attentionDim ?? options.keyDim;
      this.params = {
        Wq: glorot([options.queryDim, a], 0) as tf.Variable<tf.Rank.R2>,
        Wk: glorot([options.keyDim, a], 1) as tf.Variable<tf.Rank.R2>,
        v: tf.variable(tf.randomUniform([a], -Math.sqrt(3 / a), Math.sqrt(3 / a), "float32", seed === undefined ? undefined : seed + 2)) as tf.Variable<tf.Rank.R1>,
      };
    } else {
      throw new Error(`Unknown attention score ${JSON.stringify(options.kind)}; use "dot", "general" or "additive"`);
    }
  }

  apply(query: tf.Tensor2D, keys: tf.Tensor3D, mask?: tf.Tensor2D, values?: tf.Tensor3D, projectedKeys?: tf.Tensor3D): AttentionResult {
    return attend(this.kind, query, keys, this.params, mask, values ?? keys, projectedKeys);
  }

  /** The query-independent part of the scores (additive only), to reuse across decoder steps. */
  prepareKeys(keys: tf.Tensor3D): tf.Tensor3D | undefined {
    return this.kind === "additive" && this.params.Wk ? projectKeys(keys, this.params.Wk) : undefined;
  }

  get trainableVariables(): tf.Variable[] {
    return Object.values(this.params) as tf.Variable[];
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}
