/**
 * Widget state on the wire (Jupyter widget message protocol 2.1): references to other
 * widgets travel as "IPY_MODEL_<id>" strings, and binary values travel as separate buffers
 * named by `buffer_paths` (the path of keys/indices where each one sits in the state).
 */
import { types } from "util";

export const REF_PREFIX = "IPY_MODEL_";

/** Something with a model id, serialised as a reference. */
export interface ModelRef {
  readonly modelId: string;
}

export function isModelRef(value: unknown): value is ModelRef {
  return value !== null && typeof value === "object" && typeof (value as ModelRef).modelId === "string" && "observe" in (value as object);
}

const isBinary = (v: unknown): v is ArrayBuffer | ArrayBufferView => types.isAnyArrayBuffer(v) || ArrayBuffer.isView(v);

/** The JSON form of a state value: widgets become references, arrays and objects are copied. */
export function toWire(value: unknown): unknown {
  if (isModelRef(value)) return REF_PREFIX + value.modelId;
  if (isBinary(value) || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(toWire);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
}

/** Takes binary values out of a state (as ipywidgets' _remove_buffers does): keys are dropped, array slots become null. */
export function splitBuffers(state: Record<string, unknown>): { state: Record<string, unknown>; buffer_paths: (string | number)[][]; buffers: Uint8Array[] } {
  const buffer_paths: (string | number)[][] = [];
  const buffers: Uint8Array[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (isBinary(value)) {
      buffer_paths.push(path);
      buffers.push(types.isAnyArrayBuffer(value) ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      return undefined;
    }
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]) ?? null);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const kept = walk(v, [...path, k]);
      if (kept !== undefined) out[k] = kept;
    }
    return out;
  };
  return { state: walk(state, []) as Record<string, unknown>, buffer_paths, buffers };
}

/** Puts received buffers back at their paths (a Uint8Array each); a bad path is an Error naming it. */
export function joinBuffers(state: Record<string, unknown>, paths: unknown, buffers: Uint8Array[]): Record<string, unknown> {
  if (paths === undefined) return state;
  if (!Array.isArray(paths) || paths.length !== buffers.length) {
    throw new Error(`widget update: buffer_paths (${JSON.stringify(paths)}) must list one path per buffer (${buffers.length} came)`);
  }
  paths.forEach((path, i) => {
    if (!Array.isArray(path) || path.length === 0) throw new Error(`widget update: buffer path ${JSON.stringify(path)} is not a non-empty array of keys`);
    let node = state as Record<string | number, unknown>;
    for (let depth = 0; depth < path.length - 1; depth++) {
      const key = path[depth];
      if (node[key] === null || typeof node[key] !== "object") node[key] = typeof path[depth + 1] === "number" ? [] : {};
      node = node[key] as Record<string | number, unknown>;
    }
    node[path[path.length - 1]] = buffers[i];
  });
  return state;
}

/** Whether two state values are the same (JSON-like deep equality; binary compared by bytes). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (isBinary(a) && isBinary(b)) return Buffer.compare(Buffer.from(splitBuffers({ a }).buffers[0]), Buffer.from(splitBuffers({ b }).buffers[0])) === 0;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (isModelRef(a) || isModelRef(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
