/**
 * Readable recurrent cells that own their weights (as tf.Variables, so optimisers can train
 * them): step one input at a time and see every gate, or unroll over a sequence.
 */
import * as tf from "@tensorflow/tfjs";
import { DISPLAY, MimeBundle } from "../../runtime";
import type { CellKind, RecurrenceState, RecurrenceWeights } from "../fused/types";
import { RecurrenceInitOptions, initRecurrenceWeights } from "../init";
import { RNNActivation, rnnOutput } from "./rnn";
import { CellStepResult, UnrollOptions, UnrollResult, cellStep, unroll, zeroState } from "./unroll";

export interface CellOptions extends RecurrenceInitOptions {
  inputDim: number;
  units: number;
  /** Vanilla RNN only (default "tanh"). */
  activation?: RNNActivation;
  /** Vanilla RNN only: also create W_hy [units, outputDim] for y_t = h_t W_hy. */
  outputDim?: number;
  /** Prefix for variable names. */
  name?: string;
}

let cellCounter = 0;

export class RecurrentCell {
  readonly kind: CellKind;
  readonly inputDim: number;
  readonly units: number;
  readonly activation: RNNActivation;
  readonly kernel: tf.Variable<tf.Rank.R2>;
  readonly recurrentKernel: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;
  /** Vanilla RNN with outputDim: W_hy. */
  readonly outputKernel?: tf.Variable<tf.Rank.R2>;

  constructor(kind: CellKind, options: CellOptions) {
    this.kind = kind;
    this.inputDim = options.inputDim;
    this.units = options.units;
    this.activation = options.activation ?? "tanh";
    const name = options.name ?? `${kind}_cell_${++cellCounter}`;
    const w = initRecurrenceWeights(kind, options.inputDim, options.units, options);
    this.kernel = tf.variable(w.kernel, true, `${name}/kernel`);
    this.recurrentKernel = tf.variable(w.recurrentKernel, true, `${name}/recurrent_kernel`);
    this.bias = tf.variable(w.bias, true, `${name}/bias`);
    tf.dispose([w.kernel, w.recurrentKernel, w.bias]);
    if (options.outputDim !== undefined) {
      if (kind !== "rnn") throw new Error("outputDim (W_hy) belongs to the vanilla RNN cell; use a dense layer after an LSTM or GRU");
      const wy = tf.initializers.glorotUniform({ seed: options.seed }).apply([options.units, options.outputDim]);
      this.outputKernel = tf.variable(wy as tf.Tensor2D, true, `${name}/output_kernel`);
      wy.dispose();
    }
  }

  /** The weights in the shared layout (the variables themselves, not copies). */
  get weights(): RecurrenceWeights {
    return { kernel: this.kernel, recurrentKernel: this.recurrentKernel, bias: this.bias };
  }

  get trainableVariables(): tf.Variable[] {
    const vars: tf.Variable[] = [this.kernel, this.recurrentKernel, this.bias];
    if (this.outputKernel) vars.push(this.outputKernel);
    return vars;
  }

  /** Copy weights in (e.g. from a tf.layers LSTM's getWeights(), order kernel, recurrent, bias). */
  setWeights(weights: RecurrenceWeights | tf.Tensor[]): void {
    const [k, r, b] = Array.isArray(weights) ? weights : [weights.kernel, weights.recurrentKernel, weights.bias];
    for (const [name, variable, value] of [
      ["kernel", this.kernel, k],
      ["recurrentKernel", this.recurrentKernel, r],
      ["bias", this.bias, b],
    ] as const) {
      if (!value || !tf.util.arraysEqual(variable.shape, value.shape)) {
        throw new Error(`setWeights: ${name} must have shape [${variable.shape}], got ${value ? `[${value.shape}]` : "nothing"}`);
      }
    }
    this.kernel.assign(k as tf.Tensor2D);
    this.recurrentKernel.assign(r as tf.Tensor2D);
    this.bias.assign(b as tf.Tensor1D);
  }

  zeroState(batch: number): RecurrenceState {
    return zeroState(this.kind, batch, this.units);
  }

  /** One step: x [batch, inputDim] and the previous state -> new state and gates. */
  step(x: tf.Tensor2D, state?: RecurrenceState): CellStepResult {
    const s = state ?? this.zeroState(x.shape[0]);
    try {
      if (x.rank !== 2 || x.shape[1] !== this.inputDim) {
        throw new Error(`step expects x of shape [batch, ${this.inputDim}], got [${x.shape}]`);
      }
      return cellStep(this.kind, this.weights, x, s, { activation: this.activation });
    } finally {
      if (!state) tf.dispose([s.h, s.c ?? []]);
    }
  }

  /** y_t = h_t W_hy (vanilla RNN created with outputDim). */
  output(h: tf.Tensor2D): tf.Tensor2D {
    if (!this.outputKernel) throw new Error("this cell has no W_hy; create it with outputDim");
    return rnnOutput(h, this.outputKernel);
  }

  /** Every step over x [batch, time, inputDim], gates included. */
  unroll(x: tf.Tensor3D, initial?: RecurrenceState, options: UnrollOptions = {}): UnrollResult {
    return unroll(this.kind, x, this.weights, initial, { activation: this.activation, ...options });
  }

  /** The cell's equations (row-vector form, as computed) and weight shapes. */
  describe(): { title: string; equations: string[]; latex: string[]; shapes: Record<string, number[]> } {
    const shapes: Record<string, number[]> = {
      kernel: this.kernel.shape,
      recurrentKernel: this.recurrentKernel.shape,
      bias: this.bias.shape,
    };
    if (this.outputKernel) shapes.outputKernel = this.outputKernel.shape;
    const f = this.activation;
    const table = {
      rnn: {
        title: `Vanilla RNN (${f}), ${this.inputDim} -> ${this.units}`,
        equations: [`h_t = ${f}(x_t W_xh + h_{t-1} W_hh + b)`, ...(this.outputKernel ? ["y_t = h_t W_hy"] : [])],
        latex: [`h_t = \\${f === "tanh" ? "tanh" : "operatorname{relu}"}(x_t W_{xh} + h_{t-1} W_{hh} + b)`, ...(this.outputKernel ? ["y_t = h_t W_{hy}"] : [])],
      },
      lstm: {
        title: `LSTM, ${this.inputDim} -> ${this.units} (gate blocks i, f, c, o)`,
        equations: [
          "i_t = sigmoid(x_t W_i + h_{t-1} U_i + b_i)",
          "f_t = sigmoid(x_t W_f + h_{t-1} U_f + b_f)",
          "g_t = tanh(x_t W_c + h_{t-1} U_c + b_c)",
          "o_t = sigmoid(x_t W_o + h_{t-1} U_o + b_o)",
          "c_t = f_t * c_{t-1} + i_t * g_t",
          "h_t = o_t * tanh(c_t)",
        ],
        latex: [
          "i_t = \\sigma(x_t W_i + h_{t-1} U_i + b_i)",
          "f_t = \\sigma(x_t W_f + h_{t-1} U_f + b_f)",
          "g_t = \\tanh(x_t W_c + h_{t-1} U_c + b_c)",
          "o_t = \\sigma(x_t W_o + h_{t-1} U_o + b_o)",
          "c_t = f_t \\odot c_{t-1} + i_t \\odot g_t",
          "h_t = o_t \\odot \\tanh(c_t)",
        ],
      },
      gru: {
        title: `GRU, ${this.inputDim} -> ${this.units} (gate blocks z, r, h; reset before the recurrent product)`,
        equations: [
          "z_t = sigmoid(x_t W_z + h_{t-1} U_z + b_z)",
          "r_t = sigmoid(x_t W_r + h_{t-1} U_r + b_r)",
          "n_t = tanh(x_t W_h + (r_t * h_{t-1}) U_h + b_h)",
          "h_t = z_t * h_{t-1} + (1 - z_t) * n_t",
        ],
        latex: [
          "z_t = \\sigma(x_t W_z + h_{t-1} U_z + b_z)",
          "r_t = \\sigma(x_t W_r + h_{t-1} U_r + b_r)",
          "n_t = \\tanh(x_t W_h + (r_t \\odot h_{t-1}) U_h + b_h)",
          "h_t = z_t \\odot h_{t-1} + (1 - z_t) \\odot n_t",
        ],
      },
    }[this.kind];
    return { ...table, shapes };
  }

  toString(): string {
    const d = this.describe();
    const shapes = Object.entries(d.shapes).map(([k, v]) => `${k} [${v.join(", ")}]`).join(", ");
    return [d.title, ...d.equations.map((e) => `  ${e}`), `  weights: ${shapes}`].join("\n");
  }

  [DISPLAY](): MimeBundle {
    const d = this.describe();
    const shapes = Object.entries(d.shapes).map(([k, v]) => `\`${k}\` [${v.join(", ")}]`).join(", ");
    const markdown = [`**${d.title}**`, "", "$$", `\\begin{aligned}`, d.latex.map((l) => l.replace("=", "&=")).join(" \\\\ "), `\\end{aligned}`, "$$", "", `weights: ${shapes}`].join("\n");
    return { "text/plain": this.toString(), "text/markdown": markdown };
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

/** h_t = act(x W_xh + h W_hh + b); pass recurrent: "identity" with activation "relu" for an IRNN. */
export function vanillaRNNCell(options: CellOptions): RecurrentCell {
  return new RecurrentCell("rnn", options);
}

export function lstmCell(options: CellOptions): RecurrentCell {
  return new RecurrentCell("lstm", options);
}

export function gruCell(options: CellOptions): RecurrentCell {
  return new RecurrentCell("gru", options);
}
