/**
 * An encoder-decoder (seq2seq) for token sequences, with or without attention.
 *
 * Encoder: embedding -> GRU or LSTM over the source; its final state starts the decoder.
 * Decoder, one step: with attention, the previous decoder state queries the encoder
 * outputs (Bahdanau order), the context joins the embedded previous token as input, and
 * the output layer sees [h_t; context]. Without attention the encoder's final state is all
 * the decoder knows of the source: the bottleneck that longer inputs expose.
 *
 * Training uses teacher forcing (`loss(batch)`, usable with optimizer.minimize or
 * tf.variableGrads); `translate` decodes greedily and returns the attention weights per
 * output step as plain arrays ([target][source] per example).
 */
import * as tf from "@tensorflow/tfjs";
import type { RecurrenceState, RecurrenceWeights } from "./fused/types";
import { initRecurrenceWeights } from "./init";
import { cellStep, tidyResult } from "./cells/unroll";
import { GRURecurrentBlocks, gruStep, splitGRURecurrentKernel } from "./cells/gru";
import { runRecurrence } from "./recurrence";
import { Attention, AttentionScore } from "./attention";
import { padSequences } from "../text/padding";

export interface Seq2SeqOptions {
  sourceVocabSize: number;
  targetVocabSize: number;
  /** Target id that starts decoding. */
  bosId: number;
  /** Target id that ends a translation. */
  eosId: number;
  /** Padding id in both vocabularies (default 0). */
  padId?: number;
  /** Default 32. */
  embeddingDim?: number;
  /** Encoder and decoder units (default 64). */
  units?: number;
  /** Default "gru". */
  cell?: "gru" | "lstm";
  /** Default "additive"; "none" for the plain encoder-decoder. */
  attention?: AttentionScore | "none";
  /** Additive attention's hidden size (default units). */
  attentionDim?: number;
  seed?: number;
}

export interface Seq2SeqBatch {
  /** int32 [batch, source], right-padded. */
  source: tf.Tensor2D;
  /** float32 [batch, source]: 1 real, 0 padding. */
  sourceMask: tf.Tensor2D;
  /** int32 [batch, target]: <bos> then the target (decoder inputs). */
  targetIn: tf.Tensor2D;
  /** int32 [batch, target]: the target then <eos> (what to predict). */
  targetOut: tf.Tensor2D;
  /** float32 [batch, target]. */
  targetMask: tf.Tensor2D;
}

/** Pad id lists into a batch (right padding, as the encoder expects). */
export function makeSeq2SeqBatch(source: number[][], targetIn: number[][], targetOut: number[][], padId = 0): Seq2SeqBatch {
  if (source.length !== targetIn.length || source.length !== targetOut.length) {
    throw new Error(`makeSeq2SeqBatch: ${source.length} sources, ${targetIn.length} decoder inputs and ${targetOut.length} targets; they must match`);
  }
  targetIn.forEach((row, i) => {
    if (row.length !== targetOut[i].length) {
      throw new Error(`makeSeq2SeqBatch: example ${i} has ${row.length} decoder inputs but ${targetOut[i].length} targets`);
    }
  });
  const s = padSequences(source, { padId });
  const ti = padSequences(targetIn, { padId });
  const to = padSequences(targetOut, { padId });
  return {
    source: tf.tensor2d(s.ids, undefined, "int32"),
    sourceMask: tf.tensor2d(s.mask, undefined, "float32"),
    targetIn: tf.tensor2d(ti.ids, undefined, "int32"),
    targetOut: tf.tensor2d(to.ids, undefined, "int32"),
    targetMask: tf.tensor2d(to.mask, undefined, "float32"),
  };
}

export interface EncoderResult {
  /** [batch, source, units]. */
  outputs: tf.Tensor3D;
  /** The state after each example's last real token. */
  state: RecurrenceState;
}

/** What every decoder step reads: the encoder outputs and what can be computed from them once. */
export interface DecoderMemory {
  /** Encoder outputs [batch, source, units]: attention's keys and values. */
  outputs: tf.Tensor3D;
  /** [batch, source]: 1 real, 0 padding. */
  mask: tf.Tensor2D;
  /** Additive attention's key projection, computed once per batch. */
  projectedKeys?: tf.Tensor3D;
  /** GRU decoder: its recurrent kernel split once per batch. */
  gruBlocks?: GRURecurrentBlocks;
}

export interface DecoderStepResult {
  logits: tf.Tensor2D;
  state: RecurrenceState;
  /** [batch, source] attention weights, when the model attends. */
  weights?: tf.Tensor2D;
}

export interface Translation {
  /** Output ids per example, without <bos>, up to and excluding <eos>. */
  tokens: number[][];
  /** Per example [outputStep][sourcePosition] weights (real source positions only); absent without attention. */
  attention?: number[][][];
}

function variable(t: tf.Tensor, name: string): tf.Variable {
  const v = tf.variable(t, true, name);
  t.dispose();
  return v;
}

let modelCounter = 0;

export class Seq2Seq {
  readonly options: Required<Omit<Seq2SeqOptions, "seed">> & { seed?: number };
  readonly sourceEmbedding: tf.Variable;
  readonly targetEmbedding: tf.Variable;
  readonly encoder: RecurrenceWeights;
  readonly decoder: RecurrenceWeights;
  readonly attention?: Attention;
  readonly outputKernel: tf.Variable;
  readonly outputBias: tf.Variable;

  constructor(options: Seq2SeqOptions) {
    const o = {
      padId: 0,
      embeddingDim: 32,
      units: 64,
      cell: "gru" as const,
      attention: "additive" as const,
      ...options,
    };
    for (const key of ["sourceVocabSize", "targetVocabSize", "embeddingDim", "units"] as const) {
      if (!Number.isInteger(o[key]) || o[key] < 1) throw new Error(`Seq2Seq: ${key} must be a positive integer, got ${o[key]}`);
    }
    for (const key of ["bosId", "eosId", "padId"] as const) {
      if (!Number.isInteger(o[key]) || o[key] < 0 || o[key] >= o.targetVocabSize) {
        throw new Error(`Seq2Seq: ${key} must be a target id in 0..${o.targetVocabSize - 1}, got ${o[key]}`);
      }
    }
    if (o.cell !== "gru" && o.cell !== "lstm") throw new Error(`Seq2Seq: cell must be "gru" or "lstm", got ${JSON.stringify(o.cell)}`);
    this.options = { attentionDim: o.units, ...o };
    const seed = o.seed;
    const s = (k: number) => (seed === undefined ? undefined : seed + k);
    const name = `seq2seq_${++modelCounter}`;
    const E = o.embeddingDim;
    const U = o.units;
    this.sourceEmbedding = variable(tf.randomUniform([o.sourceVocabSize, E], -0.05, 0.05, "float32", s(1)), `${name}/source_embedding`);
    this.targetEmbedding = variable(tf.randomUniform([o.targetVocabSize, E], -0.05, 0.05, "float32", s(2)), `${name}/target_embedding`);
    const attends = o.attention !== "none";
    const asVariables = (w: RecurrenceWeights, prefix: string): RecurrenceWeights => ({
      kernel: variable(w.kernel, `${prefix}/kernel`) as tf.Variable<tf.Rank.R2>,
      recurrentKernel: variable(w.recurrentKernel, `${prefix}/recurrent_kernel`) as tf.Variable<tf.Rank.R2>,
      bias: variable(w.bias, `${prefix}/bias`) as tf.Variable<tf.Rank.R1>,
    });
    this.encoder = asVariables(initRecurrenceWeights(o.cell, E, U, { seed: s(3) }), `${name}/encoder`);
    this.decoder = asVariables(initRecurrenceWeights(o.cell, E + (attends ? U : 0), U, { seed: s(4) }), `${name}/decoder`);
    if (attends) {
      this.attention = new Attention({ kind: o.attention as AttentionScore, queryDim: U, keyDim: U, attentionDim: this.options.attentionDim, seed: s(5) });
    }
    const outIn = U + (attends ? U : 0);
    this.outputKernel = variable(tf.initializers.glorotUniform({ seed: s(6) }).apply([outIn, o.targetVocabSize]) as tf.Tensor, `${name}/output_kernel`);
    this.outputBias = variable(tf.zeros([o.targetVocabSize]), `${name}/output_bias`);
  }

  get trainableVariables(): tf.Variable[] {
    const rec = (w: RecurrenceWeights) => [w.kernel, w.recurrentKernel, w.bias] as tf.Variable[];
    return [
      this.sourceEmbedding,
      this.targetEmbedding,
      ...rec(this.encoder),
      ...rec(this.decoder),
      ...(this.attention ? this.attention.trainableVariables : []),
      this.outputKernel,
      this.outputBias,
    ];
  }

  /** Run the encoder over right-padded source ids. */
  encode(source: tf.Tensor2D, sourceMask: tf.Tensor2D): EncoderResult {
    const kind = this.options.cell;
    const U = this.options.units;
    return tidyResult(() => {
      const [B, S] = source.shape;
      const x = tf.gather(this.sourceEmbedding, tf.cast(source, "int32")) as tf.Tensor3D;
      const zero = (): tf.Tensor2D => tf.zeros([B, U]);
      const padded = tf.min(sourceMask).dataSync()[0] < 1;
      if (kind === "gru" || !padded) {
        const r = runRecurrence("fused", kind, x, this.encoder, kind === "lstm" ? { h: zero(), c: zero() } : { h: zero() });
        if (!padded) return { outputs: r.outputs, state: r.state };
        // Right padding leaves the outputs up to each last real token untouched: pick h there.
        const last = tf.sub(tf.sum(sourceMask, 1), 1);
        const pick = tf.expandDims(tf.oneHot(tf.cast(last, "int32"), S), 2);
        return { outputs: r.outputs, state: { h: tf.sum(tf.mul(r.outputs, pick), 1) as tf.Tensor2D } };
      }
      // LSTM with padding: step by step, holding the state still over padded positions.
      let state: RecurrenceState = { h: zero(), c: zero() };
      const xs = tf.unstack(x, 1) as tf.Tensor2D[];
      const ms = tf.unstack(sourceMask, 1).map((m) => tf.expandDims(m, 1));
      const outs: tf.Tensor2D[] = [];
      for (let t = 0; t < S; t++) {
        const next = cellStep(kind, this.encoder, xs[t], state).state;
        const keep = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.add(tf.mul(ms[t], a), tf.mul(tf.sub(1, ms[t]), b)) as tf.Tensor2D;
        state = { h: keep(next.h, state.h), c: keep(next.c!, state.c!) };
        outs.push(state.h);
      }
      return { outputs: tf.stack(outs, 1) as tf.Tensor3D, state };
    });
  }

  /** Precompute what every decoder step of this batch shares (call inside the same tidy/tape). */
  prepareMemory(outputs: tf.Tensor3D, mask: tf.Tensor2D): DecoderMemory {
    return {
      outputs,
      mask,
      projectedKeys: this.attention?.prepareKeys(outputs),
      gruBlocks: this.options.cell === "gru" ? splitGRURecurrentKernel(this.decoder.recurrentKernel) : undefined,
    };
  }

  /** One decoder step from the previous tokens [batch]. */
  decodeStep(previous: tf.Tensor1D, state: RecurrenceState, memory: DecoderMemory): DecoderStepResult {
    return tidyResult(() => this.stepEmbedded(tf.gather(this.targetEmbedding, tf.cast(previous, "int32")) as tf.Tensor2D, state, memory));
  }

  private recur(input: tf.Tensor2D, state: RecurrenceState, memory: DecoderMemory): RecurrenceState {
    if (this.options.cell === "gru") return { h: gruStep(this.decoder, input, state.h, memory.gruBlocks).h };
    return cellStep(this.options.cell, this.decoder, input, state).state;
  }

  private stepEmbedded(embedded: tf.Tensor2D, state: RecurrenceState, memory: DecoderMemory): DecoderStepResult {
    if (!this.attention) {
      const next = this.recur(embedded, state, memory);
      const logits = tf.add(tf.matMul(next.h, this.outputKernel as tf.Tensor2D), this.outputBias) as tf.Tensor2D;
      return { logits, state: next };
    }
    const { context, weights } = this.attention.apply(state.h, memory.outputs, memory.mask, memory.outputs, memory.projectedKeys);
    const next = this.recur(tf.concat([embedded, context], 1), state, memory);
    const logits = tf.add(tf.matMul(tf.concat([next.h, context], 1), this.outputKernel as tf.Tensor2D), this.outputBias) as tf.Tensor2D;
    return { logits, state: next, weights };
  }

  /** Logits [batch, target, vocab] under teacher forcing. */
  forward(batch: Seq2SeqBatch): tf.Tensor3D {
    return tf.tidy(() => {
      const enc = this.encode(batch.source, batch.sourceMask);
      const memory = this.prepareMemory(enc.outputs, batch.sourceMask);
      let state = enc.state;
      // Teacher forcing knows every decoder input up front: embed them in one lookup.
      const embedded = tf.gather(this.targetEmbedding, tf.cast(batch.targetIn, "int32")) as tf.Tensor3D;
      const logits: tf.Tensor2D[] = [];
      for (const input of tf.unstack(embedded, 1) as tf.Tensor2D[]) {
        const step = this.stepEmbedded(input, state, memory);
        state = step.state;
        logits.push(step.logits);
      }
      return tf.stack(logits, 1) as tf.Tensor3D;
    });
  }

  /** Mean cross-entropy over real target tokens (teacher forcing). */
  loss(batch: Seq2SeqBatch): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.forward(batch);
      const logProbs = tf.logSoftmax(logits);
      const truth = tf.oneHot(tf.cast(batch.targetOut, "int32"), this.options.targetVocabSize);
      const perToken = tf.neg(tf.sum(tf.mul(truth, logProbs), 2));
      return tf.div(tf.sum(tf.mul(perToken, batch.targetMask)), tf.maximum(tf.sum(batch.targetMask), 1)) as tf.Scalar;
    });
  }

  /** Greedy decoding of id lists; stops at <eos> or maxLength. */
  translate(sources: number[][], options: { maxLength?: number } = {}): Translation {
    if (!Array.isArray(sources) || sources.length === 0 || sources.some((s) => s.length === 0)) {
      throw new Error("translate: pass a non-empty list of non-empty source id lists");
    }
    const maxLength = options.maxLength ?? 50;
    const { padId, bosId, eosId } = this.options;
    const padded = padSequences(sources, { padId });
    const B = sources.length;
    const tokens: number[][] = sources.map(() => []);
    const steps: number[][][] = [];
    const done = new Array<boolean>(B).fill(false);
    tf.tidy(() => {
      const source = tf.tensor2d(padded.ids, undefined, "int32");
      const mask = tf.tensor2d(padded.mask, undefined, "float32");
      const enc = this.encode(source, mask);
      const memory = this.prepareMemory(enc.outputs, mask);
      let state = enc.state;
      let previous = tf.fill([B], bosId, "int32") as tf.Tensor1D;
      for (let t = 0; t < maxLength && !done.every(Boolean); t++) {
        const step = this.decodeStep(previous, state, memory);
        state = step.state;
        const chosen = tf.argMax(step.logits, 1) as tf.Tensor1D;
        const ids = Array.from(chosen.dataSync());
        if (step.weights) steps.push(step.weights.arraySync());
        ids.forEach((id, b) => {
          if (done[b]) return;
          if (id === eosId) done[b] = true;
          else tokens[b].push(id);
        });
        previous = tf.cast(chosen, "int32") as tf.Tensor1D;
      }
    });
    if (!this.attention) return { tokens };
    // Rows: every step an example produced (its <eos> step included); columns: its real source.
    const attention = sources.map((src, b) => {
      const produced = Math.min(steps.length, tokens[b].length + (done[b] ? 1 : 0));
      return steps.slice(0, produced).map((row) => row[b].slice(0, src.length));
    });
    return { tokens, attention };
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}
