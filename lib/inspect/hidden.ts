/**
 * Hidden states (and gate activations) over one sequence, as [t][unit] number arrays for
 * heatmaps. Runs the model step by step on batch 1.
 */
import * as tf from "@tensorflow/tfjs";
import { cellStep } from "../nn/cells/unroll";
import type { CellKind } from "../nn/fused/types";
import { layerStack, runStack, type StackLayer } from "../train/unroll";
import type { HiddenStatesData } from "./types";

/** Turns text into ids with a vocabulary (lib/text's Vocabulary fits) or keeps ids. */
export interface TokenCodec {
  encode(text: string): ArrayLike<number>;
  decode?(ids: number[]): string;
  readonly tokens?: readonly string[];
}

export interface HiddenStatesQuery {
  /** Which recurrent layer: its name or its index among the recurrent layers (default: the last). */
  layer?: string | number;
  /** Needed when `input` is text. */
  vocab?: TokenCodec;
  /** Also compute gate activations (LSTM: input, forget, candidate, output; GRU: update, reset, candidate). Default true. */
  gates?: boolean;
}

function pickLayer(stack: StackLayer[], layer: string | number | undefined): StackLayer {
  const recurrent = stack.filter((s) => s.recurrentIndex !== undefined);
  if (recurrent.length === 0) throw new Error("hiddenStates: the model has no recurrent layers");
  if (layer === undefined) return recurrent[recurrent.length - 1];
  const found = typeof layer === "number" ? recurrent[layer] : recurrent.find((s) => s.layer.name === layer);
  if (!found) throw new Error(`hiddenStates: no recurrent layer ${JSON.stringify(layer)}; the model has ${recurrent.map((s) => s.layer.name).join(", ")}`);
  return found;
}

function tokensFor(ids: number[], vocab?: TokenCodec): string[] | undefined {
  if (vocab?.tokens) return ids.map((id) => vocab.tokens![id] ?? `#${id}`);
  if (vocab?.decode) return ids.map((id) => vocab.decode!([id]));
  return undefined;
}

export async function hiddenStates(model: tf.LayersModel, input: string | number[], options: HiddenStatesQuery = {}): Promise<HiddenStatesData> {
  let ids: number[];
  if (typeof input === "string") {
    if (!options.vocab) throw new Error("hiddenStates: text input needs options.vocab to turn characters into ids");
    ids = Array.from(options.vocab.encode(input));
  } else if (Array.isArray(input) && input.every((i) => Number.isInteger(i))) {
    ids = input;
  } else {
    throw new Error("hiddenStates: input must be text (with options.vocab) or an array of integer ids");
  }
  if (ids.length === 0) throw new Error("hiddenStates: the input sequence is empty");
  const stack = layerStack(model);
  const chosen = pickLayer(stack, options.layer);
  const l = chosen.recurrentIndex!;
  const wantGates = options.gates !== false && (chosen.kind === "lstm" || chosen.kind === "gru") && chosen.stepper?.weights !== undefined;
  const { states, gates } = tf.tidy(() => {
    const run = runStack(stack, tf.tensor2d([ids], [1, ids.length], "int32"), { keepHidden: true, keepInputs: wantGates });
    const hs = tf.concat(run.hidden![l], 0); // [T, units]
    const gateSeries: Record<string, tf.Tensor> = {};
    if (wantGates) {
      const weights = chosen.stepper!.weights!();
      const perGate: Record<string, tf.Tensor2D[]> = {};
      run.inputs![l].forEach((xt, t) => {
        const [h, c] = run.statesBefore![l][t] as tf.Tensor2D[];
        const step = cellStep(chosen.kind as CellKind, weights, xt, c ? { h, c } : { h });
        for (const [name, g] of Object.entries(step.gates)) if (name !== "cell") (perGate[name] ??= []).push(g);
      });
      for (const [name, series] of Object.entries(perGate)) gateSeries[name] = tf.concat(series, 0);
    }
    return { states: hs, gates: gateSeries };
  });
  const result: HiddenStatesData = { states: (await states.array()) as number[][], layer: chosen.layer.name };
  states.dispose();
  const tokens = tokensFor(ids, options.vocab);
  if (tokens) result.tokens = tokens;
  if (Object.keys(gates).length > 0) {
    result.gates = {};
    for (const [name, g] of Object.entries(gates)) {
      result.gates[name] = (await g.array()) as number[][];
      g.dispose();
    }
  }
  return result;
}
