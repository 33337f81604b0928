/**
 * Multi-head self-attention and the decoder-only Transformer built from it: blocks of
 * (pre-norm) causal self-attention and a position-wise MLP, each added back to its input
 * (residual), on top of token embeddings plus positional encodings.
 */
import * as tf from "@tensorflow/tfjs";
import type { LayerArgs } from "@tensorflow/tfjs-layers/dist/engine/topology";
import type { Kwargs } from "@tensorflow/tfjs-layers/dist/types";
import { makeRng } from "../random";
import { tidyResult } from "./cells/unroll";
import { LayerNorm } from "./layer-norm";
import { PositionalEncoding, type PositionalEncodingKind } from "./positional";
import { causalMask, scaledDotProductAttention } from "./self-attention";

type Shape = (number | null)[];

export interface SelfAttentionParams {
  /** [dim, dim] each: the projections to queries, keys, values and back to the model. */
  queryKernel: tf.Tensor2D;
  keyKernel: tf.Tensor2D;
  valueKernel: tf.Tensor2D;
  outputKernel: tf.Tensor2D;
  /** [dim] each. */
  queryBias: tf.Tensor1D;
  keyBias: tf.Tensor1D;
  valueBias: tf.Tensor1D;
  outputBias: tf.Tensor1D;
}

export interface SelfAttentionResult {
  /** [batch, time, dim]. */
  output: tf.Tensor3D;
  /** [batch, heads, time (query), time (key)]. */
  weights: tf.Tensor4D;
}

/** x [batch, time, dim] · W [dim, n] + b → [batch, time, n]. */
function project(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const [B, T, D] = x.shape;
  return tf.reshape(tf.add(tf.matMul(tf.reshape(x, [B * T, D]), kernel), bias), [B, T, kernel.shape[1]]);
}

/**
 * Self-attention with `heads` heads over x [batch, time, dim]: each head attends in its own
 * dim/heads-wide slice of the projected queries, keys and values; the heads' outputs are
 * concatenated and projected back. `causal` keeps every position from seeing later ones.
 */
export function multiHeadSelfAttention(x: tf.Tensor3D, params: SelfAttentionParams, options: { heads: number; causal: boolean }): SelfAttentionResult {
  const { heads, causal } = options;
  if (x.rank !== 3) throw new Error(`multiHeadSelfAttention expects x [batch, time, dim], got [${x.shape}]`);
  const [B, T, D] = x.shape;
  if (params.queryKernel.shape[0] !== D) throw new Error(`multiHeadSelfAttention: x has dim ${D} but the weights expect ${params.queryKernel.shape[0]}`);
  const width = params.queryKernel.shape[1];
  if (width % heads !== 0) throw new Error(`multiHeadSelfAttention: the projected width ${width} must divide into ${heads} heads`);
  return tidyResult(() => {
    // [B, T, width] → [B, heads, T, width / heads]
    const split = (t: tf.Tensor3D) => tf.transpose(tf.reshape(t, [B, T, heads, width / heads]), [0, 2, 1, 3]);
    const q = split(project(x, params.queryKernel, params.queryBias));
    const k = split(project(x, params.keyKernel, params.keyBias));
    const v = split(project(x, params.valueKernel, params.valueBias));
    const attended = scaledDotProductAttention(q, k, v, causal ? { mask: causalMask(T) } : {});
    const joined = tf.reshape(tf.transpose(attended.output, [0, 2, 1, 3]), [B, T, width]) as tf.Tensor3D;
    return { output: project(joined, params.outputKernel, params.outputBias), weights: attended.weights as tf.Tensor4D };
  });
}

export interface MultiHeadSelfAttentionArgs extends LayerArgs {
  /** Number of heads; the model dimension must be a multiple of it. */
  heads: number;
  /** Mask the future (default true: a decoder / language model). */
  causal?: boolean;
  seed?: number;
}

const PARAM_NAMES = ["queryKernel", "keyKernel", "valueKernel", "outputKernel", "queryBias", "keyBias", "valueBias", "outputBias"] as const;

/** Multi-head self-attention as a layer: [batch, time, dim] → [batch, time, dim]. */
export class MultiHeadSelfAttention extends tf.layers.Layer {
  static readonly className = "SeqlabMultiHeadSelfAttention";
  readonly heads: number;
  readonly causal: boolean;
  readonly seed?: number;
  private vars?: Record<(typeof PARAM_NAMES)[number], tf.LayerVariable>;

  constructor(args: MultiHeadSelfAttentionArgs) {
    super(args);
    if (!Number.isInteger(args.heads) || args.heads < 1) throw new Error(`multiHeadSelfAttention: heads must be a positive integer, got ${args.heads}`);
    this.heads = args.heads;
    this.causal = args.causal ?? true;
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    const dim = shape[shape.length - 1];
    if (shape.length !== 3 || dim === null) throw new Error(`multiHeadSelfAttention expects [batch, time, dim] with a known dim, got [${shape}]`);
    if (dim % this.heads !== 0) throw new Error(`multiHeadSelfAttention: the model dimension ${dim} is not a multiple of heads (${this.heads}); choose heads that divide it`);
    const rng = this.seed === undefined ? undefined : makeRng(this.seed);
    const kernel = (name: string) => this.addWeight(name, [dim, dim], "float32", tf.initializers.glorotUniform({ seed: rng?.int(2 ** 30) }));
    const bias = (name: string) => this.addWeight(name, [dim], "float32", tf.initializers.zeros());
    this.vars = {
      queryKernel: kernel("query_kernel"),
      keyKernel: kernel("key_kernel"),
      valueKernel: kernel("value_kernel"),
      outputKernel: kernel("output_kernel"),
      queryBias: bias("query_bias"),
      keyBias: bias("key_bias"),
      valueBias: bias("value_bias"),
      outputBias: bias("output_bias"),
    };
    this.built = true;
  }

  /** The current weights as plain tensors (not copies; do not dispose). */
  params(): SelfAttentionParams {
    if (!this.vars) throw new Error(`${this.name} is not built yet; call the model once first`);
    const vars = this.vars;
    return Object.fromEntries(PARAM_NAMES.map((n) => [n, vars[n].read()])) as unknown as SelfAttentionParams;
  }

  /** Output and attention weights [batch, heads, time, time] for x [batch, time, dim]. */
  attend(x: tf.Tensor3D): SelfAttentionResult {
    return multiHeadSelfAttention(x, this.params(), { heads: this.heads, causal: this.causal });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    const { output, weights } = this.attend(x);
    weights.dispose();
    return output;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, causal: this.causal, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}
tf.serialization.registerClass(MultiHeadSelfAttention);

/** A MultiHeadSelfAttention layer for tf.sequential / tf.model. */
export function multiHeadSelfAttentionLayer(args: MultiHeadSelfAttentionArgs): MultiHeadSelfAttention {
  return new MultiHeadSelfAttention(args);
}

export interface TransformerBlockOptions {
  heads: number;
  /** Width of the MLP's hidden layer (default 4 × the model dimension). */
  mlpDim?: number;
  /** Mask the future (default true). */
  causal?: boolean;
  /** Prefix of the block's layer names (default "block"; blocks of one model need different ones). */
  name?: string;
  seed?: number;
}

/**
 * One pre-norm Transformer block, wired in tf's functional API on x [batch, time, dim]:
 *   x = x + SelfAttention(LayerNorm(x));  x = x + MLP(LayerNorm(x))
 * with MLP = Dense(mlpDim, relu) → Dense(dim). Normalising before each sub-layer (rather
 * than after the sum, as the 2017 paper) keeps a clean residual path from output to input.
 */
export function transformerBlock(x: tf.SymbolicTensor, options: TransformerBlockOptions): tf.SymbolicTensor {
  const dim = x.shape[x.shape.length - 1];
  if (x.shape.length !== 3 || dim === null) throw new Error(`transformerBlock expects a symbolic [batch, time, dim] input with a known dim, got [${x.shape}]`);
  const { heads, causal = true, name = "block" } = options;
  const mlpDim = options.mlpDim ?? 4 * dim;
  if (!Number.isInteger(mlpDim) || mlpDim < 1) throw new Error(`transformerBlock: mlpDim must be a positive integer, got ${mlpDim}`);
  const rng = options.seed === undefined ? undefined : makeRng(options.seed);
  const seed = () => rng?.int(2 ** 30);
  const norm1 = new LayerNorm({ name: `${name}_norm1` }).apply(x) as tf.SymbolicTensor;
  const attended = new MultiHeadSelfAttention({ heads, causal, seed: seed(), name: `${name}_attention` }).apply(norm1) as tf.SymbolicTensor;
  const mid = tf.layers.add({ name: `${name}_residual1` }).apply([x, attended]) as tf.SymbolicTensor;
  const norm2 = new LayerNorm({ name: `${name}_norm2` }).apply(mid) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: mlpDim, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }), name: `${name}_mlp1` }).apply(norm2) as tf.SymbolicTensor;
  const back = tf.layers.dense({ units: dim, kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }), name: `${name}_mlp2` }).apply(hidden) as tf.SymbolicTensor;
  return tf.layers.add({ name: `${name}_residual2` }).apply([mid, back]) as tf.SymbolicTensor;
}

export interface TransformerModelOptions {
  vocabSize: number;
  /** Longest context the model reads (the positional table's length); generation keeps the last this many tokens. */
  contextLength: number;
  /** Width of embeddings and of every block (default 64). */
  modelDim?: number;
  /** Heads per block (default 4). */
  heads?: number;
  /** Blocks (default 2). */
  layers?: number;
  /** MLP width (default 4 × modelDim). */
  mlpDim?: number;
  /** Default "sinusoidal". */
  encoding?: PositionalEncodingKind;
  seed?: number;
}

/**
 * A small decoder-only (causal) Transformer language model: int32 ids [batch, time] →
 * logits [batch, time, vocabSize], like the lab model, so sl.trainModel trains it and
 * sl.sample / %generate sample from it.
 */
export function buildTransformerModel(options: TransformerModelOptions): tf.LayersModel {
  const { vocabSize, contextLength, modelDim = 64, heads = 4, layers = 2, encoding = "sinusoidal", seed } = options;
  for (const [name, v] of [["vocabSize", vocabSize], ["contextLength", contextLength], ["modelDim", modelDim], ["heads", heads], ["layers", layers]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`buildTransformerModel: ${name} must be a positive integer, got ${v}`);
  }
  if (modelDim % heads !== 0) throw new Error(`buildTransformerModel: modelDim ${modelDim} must be a multiple of heads ${heads}`);
  const rng = seed === undefined ? undefined : makeRng(seed);
  const nextSeed = () => rng?.int(2 ** 30);
  const ids = tf.input({ shape: [null], dtype: "int32", name: "ids" });
  const embedded = tf.layers.embedding({ inputDim: vocabSize, outputDim: modelDim, embeddingsInitializer: tf.initializers.randomNormal({ stddev: 0.02, seed: nextSeed() }), name: "embedding" }).apply(ids) as tf.SymbolicTensor;
  let x = new PositionalEncoding({ encoding, maxLength: contextLength, seed: nextSeed(), name: "positions" }).apply(embedded) as tf.SymbolicTensor;
  for (let i = 0; i < layers; i++) x = transformerBlock(x, { heads, mlpDim: options.mlpDim, causal: true, name: `block${i + 1}`, seed: nextSeed() });
  const normed = new LayerNorm({ name: "final_norm" }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: vocabSize, kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }), name: "logits" }).apply(normed) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: logits, name: "transformer_lm" });
}

/** The model's self-attention layers, in order. */
export function selfAttentionLayers(model: tf.LayersModel): MultiHeadSelfAttention[] {
  return model.layers.filter((l): l is MultiHeadSelfAttention => l instanceof MultiHeadSelfAttention);
}

/** The longest sequence a model's positional encodings cover (Infinity without any). */
export function contextLength(model: tf.LayersModel): number {
  const positions = model.layers.filter((l): l is PositionalEncoding => l instanceof PositionalEncoding);
  return positions.length > 0 ? Math.min(...positions.map((p) => p.maxLength)) : Infinity;
}

/**
 * How many tokens a causal self-attention model reads at once (contextLength), or undefined
 * when the model has no self-attention or is not causal.
 */
export function causalContextLength(model: tf.LayersModel): number | undefined {
  const attention = selfAttentionLayers(model);
  if (attention.length === 0 || attention.some((l) => !l.causal)) return undefined;
  return contextLength(model);
}
