/** %attention for a Transformer: every self-attention layer's heads over one text (lib/inspect selfAttentionMaps, lib/viz selfAttentionFigure). */
import type * as tf from "@tensorflow/tfjs";
import type { SelfAttentionLayerMaps } from "../../../lib/inspect/self-attention";
import type { MagicArgs, MagicContext, ValueRef } from "../types";
import { bindVariable, isVocabulary, nameOf, optionRef, outVariable, positiveInteger, tokenIdsArgument } from "./values";

/** What %attention returns and --out keeps for a Transformer. */
export interface SelfAttentionResult {
  tokens: string[];
  layers: SelfAttentionLayerMaps[];
}

export async function showSelfAttention(ctx: MagicContext, args: MagicArgs, modelRef: ValueRef, model: tf.LayersModel): Promise<undefined> {
  const { contextLength, selfAttentionLayers } = await import("../../../lib/nn/transformer");
  const layers = selfAttentionLayers(model);
  const vocabRef = optionRef(args, "vocab");
  if (!vocabRef) ctx.usageError("give the Vocabulary the model was trained with: --vocab $vocab");
  const vocab = ctx.expect(vocabRef!, "a Vocabulary (for a Transformer, the one it was trained with)", isVocabulary);
  const out = outVariable(ctx, args);
  const layer = args.options.layer === undefined ? undefined : positiveInteger(ctx, "layer", args.options.layer);
  if (layer !== undefined && layer > layers.length) ctx.usageError(`--layer ${layer}: ${nameOf(modelRef)} has ${layers.length} self-attention layers (1..${layers.length})`);

  const logits = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (logits !== vocab.size) ctx.usageError(`${nameOf(modelRef)} predicts ${logits} tokens but the vocabulary has ${vocab.size}; use the vocabulary the model was trained with`);
  const ids = tokenIdsArgument(ctx, args, 1, vocab);
  if (ids.length === 0) ctx.usageError("the text has no tokens");
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab.size);
  if (bad !== undefined) ctx.usageError(`token id ${bad} is outside the vocabulary (0..${vocab.size - 1})`);
  const context = contextLength(model);
  if (ids.length > context) ctx.usageError(`the text has ${ids.length} tokens but ${nameOf(modelRef)} reads at most ${context}; give a shorter text`);

  const { meanAttentionDistance, selfAttentionMaps } = await import("../../../lib/inspect/self-attention");
  const maps = selfAttentionMaps(model, ids);
  const tokens = vocab.decodeTokens(ids);
  const result: SelfAttentionResult = { tokens, layers: maps };
  if (out) await bindVariable(ctx, out, result, `{ tokens: string[]; layers: import("seqlab").SelfAttentionLayerMaps[] }`);
  const { selfAttentionFigure } = await import("../../../lib/viz/attention");
  for (const [i, m] of maps.entries()) {
    if (layer !== undefined && i + 1 !== layer) continue;
    const distances = m.heads.map((h) => meanAttentionDistance(h).toFixed(1)).join(", ");
    ctx.print(`${m.layer}: ${m.heads.length} heads; mean distance looked back, per head: ${distances} tokens`);
    ctx.display(selfAttentionFigure({ tokens, heads: m.heads }, { title: `${nameOf(modelRef)}: ${m.layer} (${tokens.length} tokens)` }));
  }
  return undefined;
}
