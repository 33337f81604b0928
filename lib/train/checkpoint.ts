/**
 * Checkpoints: everything a run needs to continue exactly where it stopped — weights,
 * optimizer state, step counters, the batch RNG's state and the history so far.
 * In memory a checkpoint is a plain object; on disk it is JSON with tensors as base64.
 */
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { captureOptimizerState, restoreOptimizerState, tensorToData, type OptimizerStateData, type TensorData } from "./optimizer";
import type { RngState } from "../random";
import type { HistoryData } from "./history";
import { checkCheckpointFits } from "./checkpoint-check";

/** Where a run stands: enough, with the weights and optimizer, to continue it exactly. */
export interface TrainingPosition {
  /** Optimizer updates completed. */
  step: number;
  /** Batches drawn from the source so far (differs from step under truncated BPTT). */
  batchIndex: number;
  /** Completed epochs. */
  epoch: number;
  /** State of the RNG that the batch source draws from, after `batchIndex` batches. */
  rng: RngState;
}

export interface Checkpoint extends TrainingPosition {
  format: "seqlab-checkpoint";
  version: 1;
  /** Trainable weights in training order. */
  weights: TensorData[];
  optimizer: OptimizerStateData;
  history: HistoryData;
}

export async function captureCheckpoint(
  variables: tf.Variable[],
  optimizer: tf.Optimizer,
  position: TrainingPosition,
  history: HistoryData,
): Promise<Checkpoint> {
  return {
    format: "seqlab-checkpoint",
    version: 1,
    ...position,
    rng: { ...position.rng },
    weights: variables.map((v) => tensorToData(v.name, v)),
    optimizer: await captureOptimizerState(optimizer),
    history,
  };
}

/**
 * Loads weights and optimizer state. Checks every count, shape and value first, so a
 * damaged or mismatched checkpoint changes nothing; `source` names it in the error.
 */
export async function restoreCheckpoint(ckpt: Checkpoint, variables: tf.Variable[], optimizer: tf.Optimizer, source = "The checkpoint"): Promise<void> {
  checkFormat(ckpt);
  checkCheckpointFits(ckpt, variables, optimizer, source);
  await restoreOptimizerState(optimizer, ckpt.optimizer);
  ckpt.weights.forEach((w, i) => tf.tidy(() => variables[i].assign(tf.tensor(w.values, w.shape, w.dtype))));
}

function checkFormat(ckpt: Checkpoint): void {
  if (ckpt == null || ckpt.format !== "seqlab-checkpoint" || ckpt.version !== 1) {
    throw new Error("Not a seqlab checkpoint (expected format 'seqlab-checkpoint', version 1). Make one with train({ checkpoint }) or loadCheckpoint(path).");
  }
}

type Encoded = Omit<TensorData, "values"> & { values: string };

function encodeTensor(d: TensorData): Encoded {
  return { ...d, values: Buffer.from(d.values.buffer, d.values.byteOffset, d.values.byteLength).toString("base64") };
}

function decodeTensor(e: Encoded, what: string, path: string): TensorData {
  const bytes = Buffer.from(e.values, "base64");
  if (bytes.byteLength % 4 !== 0) {
    throw new Error(`Checkpoint ${path}: ${what} (${e.name}) has ${bytes.byteLength} bytes of values, not a whole number of 4-byte ${e.dtype} values; the file is damaged. Resume from another checkpoint.`);
  }
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  const values = e.dtype === "int32" ? new Int32Array(copy) : new Float32Array(copy);
  return { ...e, values };
}

/** Writes a checkpoint as JSON (atomically: a temporary file, then rename). */
export async function saveCheckpoint(path: string, ckpt: Checkpoint): Promise<void> {
  checkFormat(ckpt);
  const encoded = {
    ...ckpt,
    weights: ckpt.weights.map(encodeTensor),
    optimizer: {
      ...ckpt.optimizer,
      slots: ckpt.optimizer.slots.map(encodeTensor),
      fields: Object.fromEntries(Object.entries(ckpt.optimizer.fields).map(([k, v]) => [k, encodeTensor(v)])),
    },
  };
  const tmp = `${path}.tmp-${process.pid}`;
  await fs.promises.writeFile(tmp, JSON.stringify(encoded));
  await fs.promises.rename(tmp, path);
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let raw: string;
  try {
    raw = await fs.promises.readFile(path, "utf8");
  } catch (e) {
    throw new Error(`Cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  let parsed: any;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`Checkpoint ${path} is not valid JSON (truncated or not a seqlab checkpoint)`);
  }
  checkFormat(parsed);
  return {
    ...parsed,
    weights: parsed.weights.map((w: Encoded, i: number) => decodeTensor(w, `weight ${i}`, path)),
    optimizer: {
      ...parsed.optimizer,
      slots: parsed.optimizer.slots.map((s: Encoded, i: number) => decodeTensor(s, `optimizer slot ${i}`, path)),
      fields: Object.fromEntries(
        Object.entries(parsed.optimizer.fields as Record<string, Encoded>).map(([k, v]) => [k, decodeTensor(v, `optimizer field ${k}`, path)]),
      ),
    },
  };
}
