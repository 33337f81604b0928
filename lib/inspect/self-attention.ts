/** The self-attention weights of a Transformer over one sequence, per layer and head, as numbers. */
import * as tf from "@tensorflow/tfjs";
import { selfAttentionLayers } from "../nn/transformer";

export interface SelfAttentionLayerMaps {
  /** The attention layer's name (e.g. "block1_attention"). */
  layer: string;
  causal: boolean;
  /** [head][query position][key position]; each row sums to 1. */
  heads: number[][][];
}

/**
 * Runs `model` on one sequence of token ids and returns every self-attention layer's weights.
 * Each layer's input is read from the model itself (a second model sharing its layers), so
 * the weights are the ones the forward pass used.
 */
export function selfAttentionMaps(model: tf.LayersModel, ids: number[]): SelfAttentionLayerMaps[] {
  const layers = selfAttentionLayers(model);
  if (layers.length === 0) throw new Error("selfAttentionMaps: the model has no self-attention layers (build it with sl.buildTransformerModel or sl.transformerBlock)");
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isInteger(id) && id >= 0)) {
    throw new Error("selfAttentionMaps: ids must be a non-empty array of token ids (non-negative integers)");
  }
  const inputs = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.input as tf.SymbolicTensor) });
  return tf.tidy(() => {
    const out = inputs.predict(tf.tensor2d([ids], [1, ids.length], "int32"));
    const xs = (Array.isArray(out) ? out : [out]) as tf.Tensor3D[];
    return layers.map((layer, i) => {
      const { output, weights } = layer.attend(xs[i]);
      output.dispose();
      return { layer: layer.name, causal: layer.causal, heads: (weights.arraySync() as number[][][][])[0] };
    });
  });
}

/**
 * How far a head looks on average: the attention-weighted distance Σ_s w[t][s]·|t − s|,
 * averaged over the query positions t (under a causal mask, how far back). 0 means every
 * position attends to itself; a head that always attends to the previous token scores
 * nearly 1 (the first position can only attend to itself).
 */
export function meanAttentionDistance(head: number[][]): number {
  if (!Array.isArray(head) || head.length === 0) throw new Error("meanAttentionDistance: head must be a non-empty [query][key] matrix");
  let total = 0;
  head.forEach((row, t) => row.forEach((w, s) => (total += w * Math.abs(t - s))));
  return total / head.length;
}
