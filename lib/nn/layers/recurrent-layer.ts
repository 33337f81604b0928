/**
 * Recurrent layers for tf.sequential / tf.model that run the whole sequence through the
 * fused recurrence op. Weights use the tfjs-layers layout, so getWeights()/setWeights()
 * move freely between these layers, tf.layers.simpleRNN/lstm/gru and the readable cells.
 */
import * as tf from "@tensorflow/tfjs";
import type { LayerArgs } from "@tensorflow/tfjs-layers/dist/engine/topology";
import type { Kwargs } from "@tensorflow/tfjs-layers/dist/types";
import type { CellKind, RecurrenceState, RecurrenceWeights } from "../fused/types";
import { KernelInit, gateCount, initRecurrenceWeights } from "../init";
import { RecurrenceImplementation, runRecurrence } from "../recurrence";
import type { RNNActivation } from "../cells/rnn";

type Shape = (number | null)[];

export interface RecurrentLayerArgs extends LayerArgs {
  units: number;
  /** Output every step [batch, time, units] (true) or only the last [batch, units] (default). */
  returnSequences?: boolean;
  /** Also output the final state: [output, h] (RNN, GRU) or [output, h, c] (LSTM). */
  returnState?: boolean;
  /**
   * Carry the final state of one call into the next (for generation one character at a
   * time); resetStates() starts over. The batch size must stay the same between resets.
   */
  stateful?: boolean;
  /** Input kernel initialisation (default "glorotUniform", as Keras). */
  kernelInitializer?: KernelInit;
  /** Recurrent kernel initialisation (default "orthogonal", as Keras; the lab uses "glorotUniform"). */
  recurrentInitializer?: KernelInit;
  /** Glorot fan over the whole matrix ("matrix", Keras) or per gate block ("gate", PyTorch). */
  initFan?: "matrix" | "gate";
  /** LSTM: forget-gate bias starts at 1 (default true). */
  unitForgetBias?: boolean;
  /** Vanilla RNN: "tanh" (default) or "relu". */
  activation?: RNNActivation;
  /** Seed for reproducible initial weights. */
  seed?: number;
  /** "fused" (default) or "unrolled" (the readable cells, for checking). */
  implementation?: RecurrenceImplementation;
}

function lastShape(inputShape: Shape | Shape[]): Shape {
  return Array.isArray(inputShape[0]) ? (inputShape[0] as Shape) : (inputShape as Shape);
}

export abstract class RecurrentLayer extends tf.layers.Layer {
  abstract readonly kind: CellKind;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly activation: RNNActivation;
  readonly kernelInit: KernelInit;
  readonly recurrentInit: KernelInit;
  readonly initFan: "matrix" | "gate";
  readonly unitForgetBias: boolean;
  readonly seed?: number;
  implementation: RecurrenceImplementation;
  /**
   * Called during backpropagation with dL/dh_t for every step, [batch, time, units]. The
   * callee owns the tensor and must dispose it.
   */
  onHiddenGradient?: (dh: tf.Tensor3D) => void;

  private kernel?: tf.LayerVariable;
  private recurrentKernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private carried?: RecurrenceState;

  constructor(args: RecurrentLayerArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new Error(`${this.getClassName()}: units must be a positive integer, got ${args.units}`);
    }
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this._stateful = args.stateful ?? false;
    this.activation = args.activation ?? "tanh";
    if (this.activation !== "tanh" && this.activation !== "relu") {
      throw new Error(`${this.getClassName()}: activation must be "tanh" or "relu", got ${JSON.stringify(args.activation)}`);
    }
    this.kernelInit = args.kernelInitializer ?? "glorotUniform";
    this.recurrentInit = args.recurrentInitializer ?? "orthogonal";
    this.initFan = args.initFan ?? "matrix";
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.seed = args.seed;
    this.implementation = args.implementation ?? "fused";
    // Masks (e.g. from an Embedding with maskZero) are honoured for right-padded batches.
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = lastShape(inputShape);
    const inputDim = shape[shape.length - 1];
    if (shape.length !== 3 || inputDim == null) {
      throw new Error(`${this.name}: input must be [batch, time, features] with known features, got [${shape}]`);
    }
    const width = gateCount(this.kind) * this.units;
    const zeros = tf.initializers.zeros();
    this.kernel = this.addWeight("kernel", [inputDim, width], "float32", zeros);
    this.recurrentKernel = this.addWeight("recurrent_kernel", [this.units, width], "float32", zeros);
    this.bias = this.addWeight("bias", [width], "float32", zeros);
    // Our initialisers (per-gate fans, unit forget bias, identity) are written in directly so
    // the config stays plain JSON that any load can rebuild.
    const init = initRecurrenceWeights(this.kind, inputDim, this.units, {
      kernel: this.kernelInit,
      recurrent: this.recurrentInit,
      fan: this.initFan,
      unitForgetBias: this.unitForgetBias,
      seed: this.seed,
    });
    this.kernel.write(init.kernel);
    this.recurrentKernel.write(init.recurrentKernel);
    this.bias.write(init.bias);
    tf.dispose([init.kernel, init.recurrentKernel, init.bias]);
    this.built = true;
  }

  /** The live weights in the shared layout (no copies). */
  recurrenceWeights(): RecurrenceWeights {
    if (!this.kernel || !this.recurrentKernel || !this.bias) {
      throw new Error(`${this.name} is not built yet; call it on an input (or build the model) first`);
    }
    return {
      kernel: this.kernel.read() as tf.Tensor2D,
      recurrentKernel: this.recurrentKernel.read() as tf.Tensor2D,
      bias: this.bias.read() as tf.Tensor1D,
    };
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const [batch, time] = lastShape(inputShape);
    const output: Shape = this.returnSequences ? [batch, time, this.units] : [batch, this.units];
    if (!this.returnState) return output;
    const states = this.kind === "lstm" ? 2 : 1;
    return [output, ...Array.from({ length: states }, (): Shape => [batch, this.units])];
  }

  /**
   * Eager calls may pass `{ initialState: [h] }` or `[h, c]` (e.g. an encoder's final state
   * for a decoder); otherwise the state starts at zero, or where a stateful layer left it.
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const raw = Array.isArray(inputs) ? inputs[0] : inputs;
      if (raw.rank !== 3) throw new Error(`${this.name}: input must be [batch, time, features], got [${raw.shape}]`);
      const x = (raw.dtype === "float32" ? raw : tf.cast(raw, "float32")) as tf.Tensor3D;
      const given = kwargs?.initialState as tf.Tensor | tf.Tensor[] | undefined;
      const initial = given === undefined ? this.initialState(x.shape[0]) : this.checkGivenState(given, x.shape[0]);
      const result = runRecurrence(this.implementation, this.kind, x, this.recurrenceWeights(), initial, {
        activation: this.kind === "rnn" ? this.activation : undefined,
        onHiddenGradient: this.onHiddenGradient,
      });
      const mask = kwargs?.mask as tf.Tensor | undefined;
      const state = mask ? this.stateAtLastRealStep(result.outputs, result.state, mask) : result.state;
      if (this.stateful) this.carry(state);
      const output = this.returnSequences ? result.outputs : state.h;
      if (!this.returnState) return output;
      return this.kind === "lstm" ? [output, state.h, state.c as tf.Tensor] : [output, state.h];
    });
  }

  /**
   * With right padding, step t's output depends only on inputs up to t, so each example's
   * final h is its output at its last real step. An LSTM's cell state there is not among the
   * outputs, so an LSTM that must hand on its state (returnState, stateful) needs unpadded
   * batches.
   */
  private stateAtLastRealStep(outputs: tf.Tensor3D, state: RecurrenceState, mask: tf.Tensor): RecurrenceState {
    const T = outputs.shape[1];
    const m = tf.cast(mask, "float32") as tf.Tensor2D;
    const values = m.arraySync();
    const lengths = values.map((row) => row.reduce((a, v) => a + v, 0));
    values.forEach((row, b) => {
      if (row.some((v, t) => v !== (t < lengths[b] ? 1 : 0))) {
        throw new Error(
          `${this.name}: example ${b}'s mask is not right-padded (real steps first, then padding); ` +
            `pad on the right (padSequences(..., { side: "right" })) for masked recurrent layers`,
        );
      }
      if (lengths[b] === 0) throw new Error(`${this.name}: example ${b} has no real steps (its mask is all zeros)`);
    });
    if (lengths.every((n) => n === T)) return state;
    if (state.c && (this.returnState || this.stateful)) {
      throw new Error(`${this.name}: an LSTM cannot return or carry its cell state for padded examples; use equal lengths, or returnState: false and stateful: false`);
    }
    const pick = tf.expandDims(tf.oneHot(tf.tensor1d(lengths.map((n) => n - 1), "int32"), T), 2);
    return { h: tf.sum(tf.mul(outputs, pick), 1) as tf.Tensor2D };
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const m = Array.isArray(mask) ? mask[0] : mask;
    const outputMask = (this.returnSequences ? m ?? null : null) as tf.Tensor;
    if (!this.returnState) return outputMask;
    return [outputMask, ...Array.from({ length: this.kind === "lstm" ? 2 : 1 }, () => null as unknown as tf.Tensor)];
  }

  private initialState(batch: number): RecurrenceState {
    if (this.stateful && this.carried) {
      const carriedBatch = this.carried.h.shape[0];
      if (carriedBatch !== batch) {
        throw new Error(
          `${this.name} is stateful and holds a state for batch size ${carriedBatch}, but got a batch of ${batch}; ` +
            `call resetStates() (or model.resetStates()) before changing the batch size`,
        );
      }
      return this.carried;
    }
    const h = tf.zeros([batch, this.units]) as tf.Tensor2D;
    return this.kind === "lstm" ? { h, c: tf.zeros([batch, this.units]) as tf.Tensor2D } : { h };
  }

  private checkGivenState(given: tf.Tensor | tf.Tensor[], batch: number): RecurrenceState {
    const list = Array.isArray(given) ? given : [given];
    const wanted = this.kind === "lstm" ? 2 : 1;
    if (list.length !== wanted) {
      throw new Error(`${this.name}: initialState must be ${wanted === 2 ? "[h, c]" : "[h]"}, got ${list.length} tensor(s)`);
    }
    for (const t of list) {
      if (!(t instanceof tf.Tensor)) throw new Error(`${this.name}: initialState works in eager calls only (pass tensors, not symbolic inputs)`);
      if (t.rank !== 2 || t.shape[0] !== batch || t.shape[1] !== this.units) {
        throw new Error(`${this.name}: each initial state must be [${batch}, ${this.units}], got [${t.shape}]`);
      }
    }
    return { h: list[0] as tf.Tensor2D, c: list[1] as tf.Tensor2D | undefined };
  }

  private carry(state: RecurrenceState): void {
    const old = this.carried;
    // Values only: the next call starts from these numbers, not from this call's graph.
    this.carried = { h: tf.keep(tf.clone(state.h)) };
    if (state.c) this.carried.c = tf.keep(tf.clone(state.c));
    if (old) tf.dispose([old.h, old.c ?? []]);
  }

  /** The state a stateful layer carries now (copies), or undefined before the first call. */
  get carriedState(): RecurrenceState | undefined {
    if (!this.carried) return undefined;
    return { h: tf.clone(this.carried.h), c: this.carried.c ? tf.clone(this.carried.c) : undefined };
  }

  /**
   * Start over from zeros (or from the given state: [h] or [h, c]). Only stateful layers
   * carry state, as in tf.layers.
   */
  override resetStates(states?: tf.Tensor | tf.Tensor[]): void {
    if (!this.stateful) {
      throw new Error(`${this.name} is not stateful; create it with { stateful: true } to carry state between calls`);
    }
    const given = states === undefined ? [] : Array.isArray(states) ? states : [states];
    const wanted = this.kind === "lstm" ? 2 : 1;
    if (given.length !== 0 && given.length !== wanted) {
      throw new Error(`${this.name}.resetStates: pass ${wanted === 2 ? "[h, c]" : "[h]"} or nothing, got ${given.length} tensor(s)`);
    }
    for (const t of given) {
      if (t.rank !== 2 || t.shape[1] !== this.units) {
        throw new Error(`${this.name}.resetStates: each state must be [batch, ${this.units}], got [${t.shape}]`);
      }
    }
    const old = this.carried;
    this.carried =
      given.length === 0
        ? undefined
        : { h: tf.keep(tf.clone(given[0])) as tf.Tensor2D, c: given[1] ? (tf.keep(tf.clone(given[1])) as tf.Tensor2D) : undefined };
    if (old) tf.dispose([old.h, old.c ?? []]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      units: this.units,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      stateful: this.stateful,
      kernelInitializer: this.kernelInit,
      recurrentInitializer: this.recurrentInit,
      initFan: this.initFan,
      implementation: this.implementation,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    if (this.kind === "rnn") config.activation = this.activation;
    if (this.kind === "lstm") config.unitForgetBias = this.unitForgetBias;
    return { ...super.getConfig(), ...config };
  }

  override dispose() {
    if (this.carried) tf.dispose([this.carried.h, this.carried.c ?? []]);
    this.carried = undefined;
    return super.dispose();
  }
}

/** h_t = act(x_t W_xh + h_{t-1} W_hh + b), the layout of tf.layers.simpleRNN. */
export class SimpleRNNLayer extends RecurrentLayer {
  static readonly className = "SeqlabSimpleRNN";
  readonly kind = "rnn" as const;
}

/** LSTM with gates i, f, c, o and sigmoid gate activations (Keras' recurrent_activation). */
export class LSTMLayer extends RecurrentLayer {
  static readonly className = "SeqlabLSTM";
  readonly kind = "lstm" as const;
}

/** GRU as tf.layers.gru computes it (reset before the recurrent product), sigmoid gates. */
export class GRULayer extends RecurrentLayer {
  static readonly className = "SeqlabGRU";
  readonly kind = "gru" as const;
}

tf.serialization.registerClass(SimpleRNNLayer);
tf.serialization.registerClass(LSTMLayer);
tf.serialization.registerClass(GRULayer);

export function simpleRNNLayer(args: RecurrentLayerArgs): SimpleRNNLayer {
  return new SimpleRNNLayer(args);
}

export function lstmLayer(args: RecurrentLayerArgs): LSTMLayer {
  return new LSTMLayer(args);
}

export function gruLayer(args: RecurrentLayerArgs): GRULayer {
  return new GRULayer(args);
}
