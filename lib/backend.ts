/**
 * Choosing the TensorFlow.js backend: native TensorFlow (tfjs-node) when installed, else
 * WebAssembly with SIMD, else the pure-JS cpu backend. Also fills in the kernels the wasm
 * backend lacks for training (see ./simd/missing).
 */
import * as tf from "@tensorflow/tfjs";
import * as path from "path";
import { registerMissingKernels } from "./simd/missing";
import { guardWasmAborts } from "./wasm-abort-guard";

/** seqlab's own WebAssembly kernels (used by the fused recurrence on wasm and cpu). */
export { kernelsStatus, kernelThreads, setKernelThreads } from "./simd";

export type BackendName = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  /** The backend in use now (tf.getBackend()). */
  name: string;
  /** Why this one: what was tried and what was missing. */
  reason: string;
  /** Every backend that can be used on this machine, best first. */
  available: string[];
}

/** Best first. "tensorflow" is the name tfjs-node registers. */
const PREFERENCE: BackendName[] = ["tensorflow", "wasm", "cpu"];

let info: BackendInfo | undefined;
const notes: Record<string, string> = {};
let probed: Promise<string[]> | undefined;

/** Load the optional native binding; it registers the "tensorflow" backend on import. */
function tryTfjsNode(): void {
  try {
    require("@tensorflow/tfjs-node");
  } catch (err) {
    const code = (err as { code?: string }).code;
    notes.tensorflow =
      code === "MODULE_NOT_FOUND"
        ? "tfjs-node not installed (optional dependency; needs libtensorflow)"
        : `tfjs-node failed to load: ${(err as Error).message.split("\n")[0]}`;
  }
}

/** Register the wasm backend with its binaries taken from the installed package (no network). */
function tryWasm(): void {
  try {
    const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
    const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
    wasm.setWasmPaths(dist + path.sep);
  } catch (err) {
    notes.wasm = `tfjs-backend-wasm failed to load: ${(err as Error).message.split("\n")[0]}`;
  }
}

/** Which backends actually initialise here (each is tried once). */
async function probeBackends(): Promise<string[]> {
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
      if (await tf.setBackend(name)) {
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
  probed ??= probeBackends();
  return probed;
}

function describeChoice(name: string, available: string[], requestedBy?: string): string {
  if (requestedBy) return `${name} requested by ${requestedBy}`;
  const skipped = PREFERENCE.slice(0, PREFERENCE.indexOf(name as BackendName))
    .filter((n) => !available.includes(n))
    .map((n) => notes[n] ?? `${n} unavailable`);
  const why: Record<string, string> = {
    tensorflow: "native TensorFlow via tfjs-node, the fastest",
    wasm: "WebAssembly with SIMD",
    cpu: "pure-JS fallback",
  };
  return [why[name] ?? name, ...skipped].join("; ");
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
  info = { name: best, reason: describeChoice(best, available), available };
  return info;
}

async function useBackendFrom(name: string, available: string[], requestedBy: string): Promise<BackendInfo> {
  if (!available.includes(name)) {
    const why = notes[name] ? ` (${notes[name]})` : "";
    throw new Error(
      `unknown or unavailable backend "${name}"${why}; available here: ${available.join(", ")}. ` +
        `Call useBackend with one of those, or unset SEQLAB_BACKEND.`,
    );
  }
  if (!(await tf.setBackend(name))) throw new Error(`backend "${name}" failed to start`);
  info = { name, reason: describeChoice(name, available, requestedBy), available };
  return info;
}

/** Switch to a named backend ("tensorflow", "wasm" or "cpu"); throws listing the available ones. */
export async function useBackend(name: string): Promise<BackendInfo> {
  const available = await availableBackends();
  return useBackendFrom(name, available, "useBackend");
}

/** The backend in use and why. Before initBackend, it reports tfjs's own default. */
export function backendInfo(): BackendInfo {
  const current = tf.getBackend();
  if (info && info.name === current) return { ...info, available: [...info.available] };
  return {
    name: current,
    reason: "set outside seqlab (call initBackend to choose the best available)",
    available: info ? [...info.available] : [current],
  };
}

/** Live tensors and their bytes on the current backend. */
export function memoryInfo(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}
