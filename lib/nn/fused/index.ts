/**
 * fusedRecurrence: a whole rnn/lstm/gru sequence as one differentiable op. The forward pass
 * keeps only per-step activations; the backward pass walks time once, computes the weight
 * gradients with one product over all steps, and reports dL/dh_t for every t on the way.
 */
import * as tf from "@tensorflow/tfjs";
import type { StepArgs } from "./engine";
import { pickEngine } from "./engine-choice";
import type {
  CellKind,
  FusedRecurrence,
  RecurrenceOptions,
  RecurrenceResult,
  RecurrenceState,
  RecurrenceWeights,
} from "./types";
import { checkRecurrenceArgs } from "./validate";
import { dataIdOf } from "../../simd/tensor-floats";

export * from "./types";
export { recurrenceEngineName } from "./engine-choice";
export { releasePackedWeights } from "../../simd/packed-weights";

const INPUT_NAMES = ["input", "kernel", "recurrent kernel", "bias", "initial h", "initial c"];

/** A variable read in place at the backward pass, if it still holds what the forward pass read. */
function unchanged(v: tf.Tensor, dataId: object, name: string): tf.Tensor {
  if (v.isDisposed || dataIdOf(v) !== dataId) {
    throw new Error(
      `fusedRecurrence: the ${name} variable was ${v.isDisposed ? "disposed" : "assigned"} between the forward pass and its gradient; ` +
        "take the gradients before updating or disposing the weights",
    );
  }
  return v;
}

export const fusedRecurrence: FusedRecurrence = (
  kind: CellKind,
  x: tf.Tensor3D,
  weights: RecurrenceWeights,
  initial: RecurrenceState,
  options: RecurrenceOptions = {},
): RecurrenceResult => {
  const dims = checkRecurrenceArgs(kind, x, weights, initial, options);
  const engine = pickEngine(options);
  const relu = options.activation === "relu";
  const inputs: tf.Tensor[] = [x, weights.kernel, weights.recurrentKernel, weights.bias, initial.h];
  if (kind === "lstm") inputs.push(initial.c!);
  const count = inputs.length;
  // Checked here: inside the op's forward function tfjs has already paused the tape.
  const keepActivations = tf.engine().isTapeOn();
  const argsOf = (t: tf.Tensor[]): StepArgs => ({
    kind,
    relu,
    dims,
    x: t[0] as tf.Tensor3D,
    kernel: t[1] as tf.Tensor2D,
    recurrentKernel: t[2] as tf.Tensor2D,
    bias: t[3] as tf.Tensor1D,
    h0: t[4] as tf.Tensor2D,
    c0: kind === "lstm" ? (t[5] as tf.Tensor2D) : undefined,
    keepActivations,
  });

  const op = tf.customGrad((...args: unknown[]) => {
    const save = args[count] as tf.GradSaveFunc;
    const ins = args.slice(0, count) as tf.Tensor[];
    const { value, saved } = engine.forward(argsOf(ins));
    // tfjs copies every tensor an op saves for its gradient (on wasm a real copy: 20 MB of
    // weights a step at the lab's size, held until the gradient). A variable's values stay
    // where they are until it is assigned, so variables are read in place and checked then.
    const inPlace = ins.map((t) => t instanceof tf.Variable);
    const dataIds = ins.map(dataIdOf);
    save([...ins.filter((_, i) => !inPlace[i]), ...saved]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], kept: tf.Tensor[]) => {
        const dValue = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor3D;
        let next = 0;
        const forwardIns = ins.map((t, i) => (inPlace[i] ? unchanged(t, dataIds[i], INPUT_NAMES[i]) : kept[next++]));
        const { grads, dh } = engine.backward(argsOf(forwardIns), dValue, kept.slice(next));
        if (options.onHiddenGradient) options.onHiddenGradient(tf.keep(dh));
        return grads;
      },
    };
  });

  const value = (op as (...t: tf.Tensor[]) => tf.Tensor3D)(...inputs);
  const { batch: B, time: T, units: U } = dims;
  if (kind !== "lstm") {
    const h = tf.tidy(() => value.slice([0, T - 1, 0], [B, 1, U]).reshape([B, U]) as tf.Tensor2D);
    return { outputs: value, state: { h } };
  }
  const result = tf.tidy(() => {
    const outputs = value.slice([0, 0, 0], [B, T, U]) as tf.Tensor3D;
    const h = value.slice([0, T - 1, 0], [B, 1, U]).reshape([B, U]) as tf.Tensor2D;
    const c = value.slice([0, T, 0], [B, 1, U]).reshape([B, U]) as tf.Tensor2D;
    return { outputs, state: { h, c } };
  });
  value.dispose(); // the tape keeps its own reference when gradients are being recorded
  return result;
};
