/**
 * After the WebAssembly backend aborts (RuntimeError: Aborted(), e.g. its heap is out of
 * memory) its memory may be corrupt, and later operations return wrong numbers without any
 * error (1 + 2 gave 8.37e-12). From that moment every tensor operation is refused with an
 * error that says to restart the kernel.
 */
import * as tf from "@tensorflow/tfjs";

export class BackendAbortedError extends Error {
  constructor(readonly reason: string) {
    super(
      `The WebAssembly backend aborted earlier (${reason}), so its memory may be corrupt and any ` +
        `result could be wrong. Tensor operations are refused from now on: restart the kernel ` +
        `(Kernel > Restart) and run the notebook again. Variables not saved to disk are lost.`,
    );
    this.name = "BackendAbortedError";
  }
}

let abortReason: string | undefined;

/** Entry points of the engine that create, compute or read tensors. */
const GUARDED = ["runKernel", "runKernelFunc", "makeTensor", "makeTensorFromDataId", "makeTensorFromTensorInfo", "makeVariable", "read", "readSync", "readToGPU"];

let engineGuarded = false;
const hookedModules = new WeakSet<object>();

function guardEngine(): void {
  if (engineGuarded) return;
  engineGuarded = true;
  const engine = tf.engine() as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of GUARDED) {
    const original = engine[name];
    if (typeof original !== "function") continue;
    engine[name] = function (this: unknown, ...args: unknown[]) {
      if (abortReason !== undefined) throw new BackendAbortedError(abortReason);
      return original.apply(this, args);
    };
  }
}

/**
 * Installs the guard: wraps the engine's entry points (once), and hooks the abort of the
 * wasm backend's Emscripten module if that backend has started. Safe to call repeatedly.
 */
export function guardWasmAborts(): void {
  guardEngine();
  const backend = tf.findBackend("wasm") as { wasm?: WasmModule } | null;
  const module = backend?.wasm;
  if (!module || hookedModules.has(module)) return;
  hookedModules.add(module);
  const previous = module.onAbort;
  // Emscripten calls Module.onAbort from abort() before it throws the RuntimeError.
  module.onAbort = (what: unknown) => {
    abortReason ??= `Aborted(${what ?? ""})`;
    previous?.(what);
  };
  // A full heap makes malloc answer 0, and the backend would write the tensor's values over
  // address 0 onwards: the same corruption, without even an abort.
  let malloc = module._malloc;
  const checkedMalloc = (bytes: number) => {
    const ptr = malloc(bytes);
    if (ptr === 0 && bytes > 0) {
      abortReason ??= `out of memory: could not allocate ${bytes} bytes`;
      throw new BackendAbortedError(abortReason);
    }
    return ptr;
  };
  // Emscripten's first call replaces Module._malloc with the raw export: keep ours in front.
  Object.defineProperty(module, "_malloc", {
    configurable: true,
    get: () => checkedMalloc,
    set: (f: (bytes: number) => number) => void (malloc = f),
  });
}

/** The parts of the wasm backend's Emscripten module the guard hooks. */
interface WasmModule {
  onAbort?: (what: unknown) => void;
  _malloc(bytes: number): number;
}
