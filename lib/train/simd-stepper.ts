/**
 * Batch-1 sampling on seqlab's WebAssembly kernels for token models made of an Embedding,
 * lib/nn recurrent layers and a final Dense layer (the lab's model). From one token id to
 * the next logits nothing leaves kernel memory and no tfjs op runs: the embedding is folded
 * into the first layer's input weights once (a [vocab, G*U] table, so a token costs one row
 * copy instead of a product), and the recurrent and dense products use packed weights.
 * The per-character cost is then the recurrent product itself; the layer-by-layer stepper
 * (layersModelStepper) pays for a dozen tfjs ops and copies around it.
 */
import * as tf from "@tensorflow/tfjs";
import { loadSimd, SIMD_BACKENDS, simdStatus, type Arena, type Simd } from "../simd";
import { packRightOperand, type PackSpec } from "../simd/packed-weights";
import { allocStepScratch, recurrentPackSpecs, recurrentStep, type StepScratch } from "../nn/fused/simd-step";
import { dataIdOf, floats } from "../simd/tensor-floats";
import type { CellKind } from "../nn/fused/types";
import { gateCount } from "../nn/init";
import type { Stepper } from "./stepper";
import { layerStack, type StackLayer } from "./unroll";

interface Plan {
  embedding: tf.layers.Layer;
  recurrent: StackLayer[];
  dense: tf.layers.Layer;
}

/** The model's layers when it has the shape this stepper runs, else undefined. */
function planFor(model: tf.LayersModel): Plan | undefined {
  let stack: StackLayer[];
  try {
    stack = layerStack(model).filter((s) => s.layer.getClassName() !== "Dropout"); // identity when not training
  } catch {
    return undefined;
  }
  const [first, ...rest] = stack;
  const last = rest.pop();
  if (!first || !last || first.layer.getClassName() !== "Embedding" || last.layer.getClassName() !== "Dense") return undefined;
  if ((last.layer.getConfig() as { activation?: string }).activation !== "linear") return undefined;
  // lib/nn's recurrent layers only (their steppers run the fused op); tfjs-layers' own keep the generic path.
  if (rest.length === 0 || !rest.every((s) => s.stepper?.sequence && s.kind !== "other")) return undefined;
  return { embedding: first.layer, recurrent: rest, dense: last.layer };
}

interface LayerState {
  kind: CellKind;
  relu: boolean;
  units: number;
  /** Packed recurrent kernel (two blocks for a GRU). */
  recurrent: number[];
  /** Layers after the first: packed input kernel, bias, and packed-input scratch. */
  input?: { kernel: number; bias: number; packed: number; from: number; dim: number };
  z: number;
  h: number;
  c: number;
  scratch: StepScratch;
}

/** The tensors whose values the stepper copied; a new one means the weights changed. */
function weightTensors(plan: Plan): tf.Tensor[] {
  return [plan.embedding, ...plan.recurrent.map((s) => s.layer), plan.dense].flatMap((l) => l.weights.map((w) => w.read()));
}

class SimdStepper implements Stepper {
  private arena: Arena;
  private layers: LayerState[] = [];
  private table = 0;
  private dense = { kernel: 0, bias: 0, logits: 0, size: 0 };
  /** Token ids the embedding accepts (0..vocab-1). */
  private vocab = 0;
  private sources: object[] = [];

  constructor(
    private readonly k: Simd,
    private readonly plan: Plan,
  ) {
    this.arena = k.arena();
    this.build();
  }

  /** Copy and pack the weights as they are now; state starts at zero. */
  private build(): void {
    const { k, plan } = this;
    const x = k.x;
    const a = this.arena;
    this.sources = weightTensors(plan).map(dataIdOf);
    this.layers = [];
    const packed = (t: tf.Tensor, spec: PackSpec) => a.adopt(packRightOperand(k, floats(t), t.shape, spec));
    let from = 0;
    plan.recurrent.forEach((s, i) => {
      const w = s.stepper!.weights!();
      const kind = s.kind as CellKind;
      const [D, GU] = w.kernel.shape;
      const U = GU / gateCount(kind);
      const layer: LayerState = {
        kind,
        relu: (s.layer as unknown as { activation?: string }).activation === "relu",
        units: U,
        recurrent: recurrentPackSpecs(kind, U, false).map((spec) => packed(w.recurrentKernel, spec)),
        z: a.floats(GU),
        h: a.floats(U),
        c: kind === "lstm" ? a.floats(U) : 0,
        scratch: allocStepScratch(kind, 1, U, x, (n) => a.bytes(n)),
      };
      if (i === 0) {
        // Every token's input projection at once: table[v] = embedding[v]·W + b.
        const E = plan.embedding.getWeights()[0];
        const V = E.shape[0];
        this.vocab = V;
        this.table = a.floats(V * GU);
        const tmp = k.arena();
        try {
          const e = tmp.put(floats(E));
          const eP = tmp.bytes(x.packedASize(V, D));
          const wP = packRightOperand(k, floats(w.kernel), w.kernel.shape, { role: "W", col0: 0, cols: GU, transpose: false });
          tmp.adopt(wP);
          const bias = tmp.put(floats(w.bias));
          x.fillRows(this.table, V, GU, bias);
          x.packA(e, V, D, D, 0, eP);
          k.gemm(eP, wP, this.table, V, GU, D, GU, true);
        } finally {
          tmp.release();
        }
      } else {
        layer.input = {
          kernel: packed(w.kernel, { role: "W", col0: 0, cols: GU, transpose: false }),
          bias: a.put(floats(w.bias)),
          packed: a.bytes(x.packedASize(1, D)),
          from,
          dim: D,
        };
      }
      from = layer.h;
      this.layers.push(layer);
    });
    const [kernel, bias] = plan.dense.getWeights();
    const V = (kernel.shape as [number, number])[1];
    this.dense = {
      kernel: packed(kernel, { role: "W", col0: 0, cols: V, transpose: false }),
      bias: bias ? a.put(floats(bias)) : 0,
      logits: a.floats(V),
      size: V,
    };
    this.reset();
  }

  private weightsChanged(): boolean {
    const now = weightTensors(this.plan);
    return now.length !== this.sources.length || now.some((t, i) => dataIdOf(t) !== this.sources[i]);
  }

  step(ids: number[]): Float32Array {
    if (this.layers.length === 0) throw new Error("this stepper was disposed; make a new one with simdStepper(model)");
    if (this.weightsChanged()) {
      // Trained (or reloaded) since the copy: copy again, keeping the state.
      const state = this.layers.map((l) => [this.k.read(l.h, l.units), l.c ? this.k.read(l.c, l.units) : undefined] as const);
      this.arena.release();
      this.build();
      this.layers.forEach((l, i) => {
        this.k.f32().set(state[i][0], l.h >> 2);
        if (l.c) this.k.f32().set(state[i][1]!, l.c >> 2);
      });
    }
    const { k } = this;
    const x = k.x;
    const first = this.layers[0];
    const GU0 = first.units * gateCount(first.kind);
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocab) {
        throw new Error(`token id ${id} is outside the model's vocabulary (0..${this.vocab - 1})`);
      }
      const row = (this.table >> 2) + id * GU0;
      k.f32().copyWithin(first.z >> 2, row, row + GU0);
      for (const l of this.layers) {
        const GU = l.units * gateCount(l.kind);
        if (l.input) {
          const { bias, from, dim, packed, kernel } = l.input;
          x.fillRows(l.z, 1, GU, bias);
          x.packA(from, 1, dim, dim, 0, packed);
          k.gemm(packed, kernel, l.z, 1, GU, dim, GU, true);
        }
        recurrentStep(k, l.kind, l.relu, 1, l.units, l.recurrent, l.z, l.h, l.h, l.c, l.c, l.scratch);
      }
    }
    // Logits for the last token only: h·W_dense + b.
    const last = this.layers[this.layers.length - 1];
    const U = last.units;
    const { kernel, bias, logits, size } = this.dense;
    x.packA(last.h, 1, U, U, 0, last.scratch.ap);
    if (bias) x.fillRows(logits, 1, size, bias);
    k.gemm(last.scratch.ap, kernel, logits, 1, size, U, size, bias !== 0);
    return k.read(logits, size);
  }

  reset(): void {
    const mem = this.k.f32();
    for (const l of this.layers) {
      mem.fill(0, l.h >> 2, (l.h >> 2) + l.units);
      if (l.c) mem.fill(0, l.c >> 2, (l.c >> 2) + l.units);
    }
  }

  dispose(): void {
    this.arena.release();
    this.layers = [];
  }
}

/**
 * A batch-1 stepper that runs `model` entirely on the WebAssembly kernels, or undefined when
 * it cannot (another backend, kernels not built, or a model other than Embedding → lib/nn
 * recurrent layers → Dense with linear output); then use layersModelStepper. It copies the
 * weights when made and again whenever they change.
 */
export function simdStepper(model: tf.LayersModel): Stepper | undefined {
  if (!SIMD_BACKENDS.has(tf.getBackend()) || !simdStatus().available) return undefined;
  const plan = planFor(model);
  if (!plan) return undefined;
  return new SimdStepper(loadSimd(), plan);
}
