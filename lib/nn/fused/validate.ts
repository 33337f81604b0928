/** Shape checks for fusedRecurrence, run before any tensor is made so bad input costs nothing. */
import type * as tf from "@tensorflow/tfjs";
import { gateCount } from "../init";
import type { CellKind, RecurrenceOptions, RecurrenceState, RecurrenceWeights } from "./types";


export interface Dims {
  batch: number;
  time: number;
  inputDim: number;
  units: number;
  gates: number;
}

function shapeText(t: tf.Tensor | undefined): string {
  return t ? `[${t.shape.join(", ")}]` : "missing";
}

/** Throw an error naming the argument, its shape and the shape expected. */
export function checkRecurrenceArgs(
  kind: CellKind,
  x: tf.Tensor,
  weights: RecurrenceWeights,
  initial: RecurrenceState,
  options: RecurrenceOptions,
): Dims {
  const fail = (what: string): never => {
    throw new Error(`fusedRecurrence(${kind}): ${what}`);
  };
  if (kind !== "rnn" && kind !== "lstm" && kind !== "gru") fail(`unknown cell kind "${kind}"; use "rnn", "lstm" or "gru"`);
  const gates = gateCount(kind);
  if (!x || x.rank !== 3) fail(`x must be [batch, time, inputDim], got ${shapeText(x)}`);
  if (x.dtype !== "float32") fail(`x must be float32, got ${x.dtype} (embed token ids first)`);
  const [batch, time, inputDim] = x.shape;
  if (time < 1) fail("x has no time steps; pass at least one step");
  if (!weights || !weights.recurrentKernel || weights.recurrentKernel.rank !== 2) {
    fail(`weights.recurrentKernel must be [units, ${gates}*units], got ${shapeText(weights?.recurrentKernel)}`);
  }
  const units = weights.recurrentKernel.shape[0];
  const width = gates * units;
  const expect = (t: tf.Tensor | undefined, shape: number[], name: string, hint = "") => {
    if (!t || t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      fail(`${name} must be [${shape.join(", ")}], got ${shapeText(t)}${hint}`);
    }
  };
  const layout = kind === "lstm" ? " (gates i,f,c,o side by side)" : kind === "gru" ? " (gates z,r,h side by side)" : "";
  expect(weights.recurrentKernel, [units, width], "weights.recurrentKernel", layout);
  expect(weights.kernel, [inputDim, width], "weights.kernel", ` (x has inputDim ${inputDim})${layout}`);
  expect(weights.bias, [width], "weights.bias");
  expect(initial?.h, [batch, units], "initial.h", " (batch from x, units from recurrentKernel)");
  if (kind === "lstm") expect(initial.c, [batch, units], "initial.c", " (an LSTM needs a cell state; use zeros)");
  else if (initial.c) fail(`initial.c is only for an LSTM; a ${kind} has no cell state`);
  if (options.activation && kind !== "rnn") fail(`options.activation applies to "rnn" only`);
  if (options.activation && options.activation !== "tanh" && options.activation !== "relu") {
    fail(`options.activation must be "tanh" or "relu", got "${options.activation}"`);
  }
  return { batch, time, inputDim, units, gates };
}
