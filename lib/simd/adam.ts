/**
 * Adam's update of a variable in one pass over the TensorFlow.js wasm backend's own heap
 * (assembly/adam.as, built to dist/lib/simd/adam.wasm): it reads the weights, gradient and
 * both moments once and writes the three new tensors once, where tfjs's op-by-op update makes
 * eleven temporaries of the variable's size. The same float32 operations in the same order,
 * so the same bits. The new tensors are new tfjs tensors: nothing tfjs holds is changed.
 */
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { builtKernelPath } from "./index";

/** The wasm backend's members this needs (tfjs-backend-wasm 4.x). */
interface WasmBackend {
  wasm: { asm?: { memory?: WebAssembly.Memory } };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

type AdamUpdate = (
  w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number, n: number,
  beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
  oneMinusAccBeta1: number, oneMinusAccBeta2: number, negLearningRate: number, epsilon: number,
) => void;

export interface AdamSettings {
  beta1: number;
  beta2: number;
  /** 1 - beta1^t and 1 - beta2^t as tfjs computes them (float32). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  learningRate: number;
  epsilon: number;
}

/** The instance for the backend's memory now (a new backend has a new memory). */
let instance: { memory: WebAssembly.Memory; update: AdamUpdate } | undefined;
let unavailable: string | undefined;
let warned = false;

function adamKernel(backend: WasmBackend): AdamUpdate | undefined {
  const memory = backend.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    unavailable = "this tfjs wasm backend does not expose its memory";
    return undefined;
  }
  if (instance?.memory === memory) return instance.update;
  try {
    const module = new WebAssembly.Module(fs.readFileSync(builtKernelPath("adam.wasm")));
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as { adamUpdate: AdamUpdate };
    instance = { memory, update: exports.adamUpdate };
    return instance.update;
  } catch (err) {
    unavailable = (err as Error).message;
    return undefined;
  }
}

/**
 * One Adam update of `w` with gradient `g` and moments `m`, `v` on the wasm backend: the new
 * weights and moments as new tensors (the caller assigns them), or undefined elsewhere (and,
 * said once, when the kernel cannot load), where the caller runs tfjs's ops instead.
 */
export function fusedAdamUpdate(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: AdamSettings): { w: tf.Tensor; m: tf.Tensor; v: tf.Tensor } | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  if ([w, g, m, v].some((t) => t.dtype !== "float32" || t.size !== w.size)) return undefined;
  const backend = tf.backend() as unknown as WasmBackend;
  const update = adamKernel(backend);
  if (!update) {
    if (!warned) {
      warned = true;
      console.warn(`seqlab: Adam's one-pass wasm kernel is unavailable (${unavailable}); updates run op by op, slower`);
    }
    return undefined;
  }
  const out = [w, m, v].map((t) => tf.engine().makeTensorFromTensorInfo(backend.makeOutput(t.shape, "float32")));
  // Offsets after every allocation: an allocation may grow (and so replace) the heap's buffer.
  const [wAt, gAt, mAt, vAt, wOut, mOut, vOut] = [w, g, m, v, ...out].map((t) => backend.typedArrayFromHeap(t).byteOffset);
  const f = Math.fround;
  update(
    wAt, gAt, mAt, vAt, wOut, mOut, vOut, w.size,
    f(s.beta1), f(1 - s.beta1), f(s.beta2), f(1 - s.beta2),
    f(s.oneMinusAccBeta1), f(s.oneMinusAccBeta2), f(-s.learningRate), f(s.epsilon),
  );
  return { w: out[0], m: out[1], v: out[2] };
}
