/**
 * Choosing the TensorFlow.js backend: native TensorFlow (tfjs-node) when installed, else
 * WebAssembly with SIMD, else the pure-JS cpu backend. Also fills in the kernels the wasm
 * backend lacks for training (see ./wasm-missing-ops).
 */
import * as tf from "@tensorflow/tfjs";
import * as path from "path";
import { registerMissingKernels } from "./wasm-missing-ops";
import { tfjsNodeFailure } from "./tfjs-node-failure";
import { SIMD_BACKENDS, simdStatus } from "./simd";
import { guardWasmAborts } from "./wasm-abort-guard";

/** seqlab's own WebAssembly SIMD kernels (used by the fused recurrence on wasm and cpu). */
export { simdStatus, simdThreads, setSimdThreads } from "./simd";

export type BackendName = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  /** The backend in use now. */
  name: string;
  /** Why this one: what was tried and what was missing. */
  reason: string;
  /** Every backend that can be used on this machine, best first. */
  available: string[];
  /** seqlab's WebAssembly SIMD kernels (for the wasm and cpu backends): loaded or not, why, threads. */
  simd: { available: boolean; threads: number; reason: string };
  /** Each slower path taken on the way (each also printed once as a warning). */
  fallbacks: string[];
}

/** Best first. "tensorflow" is the name tfjs-node registers. */
const PREFERENCE: BackendName[] = ["tensorflow", "wasm", "cpu"];

/**
 * Kept on a global so that every copy of seqlab in a process (a notebook folder's own and
 * the kernel's, both on one shared tfjs) agrees on the choice and warns only once.
 */
interface BackendState {
  chosen?: { name: string; reason: string; available: string[] };
  notes: Record<string, string>;
  probed?: Promise<string[]>;
  choosing?: Promise<BackendInfo>;
  fallbacks: string[];
}
const STATE = Symbol.for("seqlab.backend");

function state(): BackendState {
  const g = globalThis as { [STATE]?: BackendState };
  return (g[STATE] ??= { notes: {}, fallbacks: [] });
}

/** Say a slower path was taken: recorded for backendInfo, and printed once. */
function fallback(message: string): void {
  const s = state();
  if (s.fallbacks.includes(message)) return;
  s.fallbacks.push(message);
  console.warn(`seqlab: ${message}`);
}

/** The backend tfjs runs on now, without making it pick one (tf.getBackend() would). */
function activeBackend(): string | undefined {
  const engine = tf.engine() as unknown as { backendInstance?: unknown; backendName?: string };
  return engine.backendInstance ? engine.backendName : undefined;
}

/** Load the optional native binding; it registers the "tensorflow" backend on import. */
function tryTfjsNode(): void {
  try {
    require("@tensorflow/tfjs-node");
  } catch (err) {
    const { missing, note } = tfjsNodeFailure(err);
    state().notes.tensorflow = note;
    // Not installed is the ordinary case here; installed but broken is a fallback worth a word.
    if (!missing) fallback(`${note}; using the next backend`);
  }
}

/** Register the wasm backend with its binaries taken from the installed package (no network). */
function tryWasm(): void {
  try {
    const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
    const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
    wasm.setWasmPaths(dist + path.sep);
  } catch (err) {
    state().notes.wasm = `tfjs-backend-wasm failed to load: ${(err as Error).message.split("\n")[0]}`;
  }
}

/**
 * Start a backend, dropping the process listeners its start added. The wasm backend's
 * Emscripten module adds "uncaughtException" and "unhandledRejection" listeners that rethrow,
 * which ends the process whoever else listens: a kernel lost all its state to one unawaited
 * rejection in a cell. Without them Node's own default (exit when nobody listens) still holds.
 */
async function startWithoutRethrowingListeners(name: string): Promise<boolean> {
  const exceptions = process.listeners("uncaughtException");
  const rejections = process.listeners("unhandledRejection");
  try {
    return await tf.setBackend(name);
  } finally {
    for (const l of process.listeners("uncaughtException")) if (!exceptions.includes(l)) process.off("uncaughtException", l);
    for (const l of process.listeners("unhandledRejection")) if (!rejections.includes(l)) process.off("unhandledRejection", l);
  }
}

/** Which backends actually initialise here (each is tried once). */
async function probeBackends(): Promise<string[]> {
  const { notes } = state();
  tryTfjsNode();
  tryWasm();
  const found: string[] = [];
  for (const name of PREFERENCE) {
    if (!tf.findBackendFactory(name)) {
      notes[name] ??= "not registered";
      continue;
    }
    try {
      // setBackend initialises the backend; false means it could not start.
      if (await startWithoutRethrowingListeners(name)) {
        found.push(name);
        quietNodeAdvice(name);
      }
      else notes[name] ??= "failed to initialise";
    } catch (err) {
      notes[name] ??= `failed to initialise: ${(err as Error).message.split("\n")[0]}`;
    }
  }
  registerMissingKernels();
  guardWasmAborts();
  return found;
}

/**
 * The cpu backend prints a banner recommending tfjs-node on its first tensor. seqlab makes
 * that choice itself and says why (backendInfo, %backend), so the banner, which lands in
 * the first notebook cell's output, only adds noise.
 */
function quietNodeAdvice(name: string): void {
  if (name !== "cpu") return;
  const cpu = tf.findBackend("cpu") as { firstUse?: boolean } | undefined;
  if (cpu && "firstUse" in cpu) cpu.firstUse = false;
}

function availableBackends(): Promise<string[]> {
  const s = state();
  s.probed ??= probeBackends();
  return s.probed;
}

function describeChoice(name: string, available: string[], requestedBy?: string): string {
  if (requestedBy) return `${name} requested by ${requestedBy}`;
  const skipped = PREFERENCE.slice(0, PREFERENCE.indexOf(name as BackendName))
    .filter((n) => !available.includes(n))
    .map((n) => state().notes[n] ?? `${n} unavailable`);
  const why: Record<string, string> = {
    tensorflow: "native TensorFlow via tfjs-node, the fastest",
    wasm: "WebAssembly with SIMD",
    cpu: "pure-JS fallback",
  };
  return [why[name] ?? name, ...skipped].join("; ");
}

/** Warn once about the slower paths a backend choice implies (cpu only when not asked for). */
function noteFallbacks(name: string, requested: boolean): void {
  const { notes } = state();
  if (name === "cpu" && !requested) fallback(`running on the pure-JS cpu backend (${notes.wasm ?? notes.tensorflow ?? "no faster backend started"}): everything is several times slower`);
  if (!SIMD_BACKENDS.has(name)) return;
  const simd = simdStatus();
  if (!simd.available) fallback(`WebAssembly SIMD kernels unavailable (${simd.reason}); recurrences use plain TensorFlow.js ops, several times slower`);
  else {
    if (simd.plainNote) fallback(simd.plainNote);
    if (simd.threadNote) fallback(simd.threadNote);
  }
}

function remember(name: string, reason: string, available: string[], requested: boolean): BackendInfo {
  state().chosen = { name, reason, available };
  noteFallbacks(name, requested);
  return backendInfo();
}

/**
 * Pick and start a backend. Order: `preferred`, else the SEQLAB_BACKEND environment
 * variable, else the best available (tensorflow > wasm > cpu).
 */
export async function initBackend(preferred?: string): Promise<BackendInfo> {
  const available = await availableBackends();
  if (preferred) return useBackendFrom(preferred, available, "initBackend argument");
  const fromEnv = process.env.SEQLAB_BACKEND;
  if (fromEnv) return useBackendFrom(fromEnv, available, "SEQLAB_BACKEND");
  const best = available[0];
  if (!best) throw new Error("no TensorFlow.js backend could start (tried tensorflow, wasm, cpu)");
  await tf.setBackend(best);
  return remember(best, describeChoice(best, available), available, false);
}

async function useBackendFrom(name: string, available: string[], requestedBy: string): Promise<BackendInfo> {
  if (!available.includes(name)) {
    const why = state().notes[name] ? ` (${state().notes[name]})` : "";
    throw new Error(
      `unknown or unavailable backend "${name}"${why}; available here: ${available.join(", ")}. ` +
        `Call useBackend with one of those, or unset SEQLAB_BACKEND.`,
    );
  }
  if (!(await tf.setBackend(name))) throw new Error(`backend "${name}" failed to start`);
  return remember(name, describeChoice(name, available, requestedBy), available, true);
}

/** Switch to a named backend ("tensorflow", "wasm" or "cpu"); throws listing the available ones. */
export async function useBackend(name: string): Promise<BackendInfo> {
  const available = await availableBackends();
  return useBackendFrom(name, available, "useBackend");
}

/**
 * The backend seqlab runs on, chosen on first call: the best available (as initBackend),
 * unless TensorFlow.js already runs on a backend someone else chose (tf.setBackend), which
 * is kept. seqlab's own async functions and the kernel (before a cell that imports seqlab
 * or TensorFlow.js) call it, so notebooks never need to; a script calls `await sl.ready()`
 * before its first tensor, as with `tf.ready()`.
 */
export function ready(): Promise<BackendInfo> {
  const s = state();
  const active = activeBackend();
  if (s.chosen && active === s.chosen.name) return Promise.resolve(backendInfo());
  if (active && !s.choosing) {
    // Someone else picked it: tf.setBackend (kept silently), or tfjs itself on a tensor made
    // before seqlab chose (worth a word: it is usually the slow cpu backend).
    if (!s.chosen) {
      fallback(
        `TensorFlow.js was already running on "${active}" before seqlab chose a backend; keeping it` +
          (active === "cpu" ? ` (await sl.ready() before the first tensor, or call sl.initBackend(), for the fastest)` : ""),
      );
    }
    return Promise.resolve(backendInfo());
  }
  s.choosing ??= initBackend().finally(() => {
    s.choosing = undefined;
  });
  return s.choosing;
}

/** The backend in use and why, seqlab's kernels and threads, and every fallback taken. */
export function backendInfo(): BackendInfo {
  const s = state();
  const active = activeBackend();
  const status = active && SIMD_BACKENDS.has(active) ? simdStatus() : undefined;
  const simd = status
    ? { available: status.available, threads: status.threads, reason: status.threadNote ? `${status.reason} (${status.threadNote})` : status.reason }
    : { available: false, threads: 0, reason: active ? `not used on the ${active} backend` : "no backend yet" };
  const base = { simd, fallbacks: [...s.fallbacks] };
  if (!active) {
    return { name: "none yet", reason: "seqlab chooses the best on first use (or call sl.initBackend())", available: [], ...base };
  }
  if (s.chosen && s.chosen.name === active) return { ...s.chosen, available: [...s.chosen.available], ...base };
  return {
    name: active,
    reason: `set outside seqlab (tf.setBackend, or a tensor made before seqlab chose); call sl.initBackend() for the best available`,
    available: s.chosen ? [...s.chosen.available] : [active],
    ...base,
  };
}
/** Live tensors and their bytes on the current backend. */
export function memoryInfo(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}
