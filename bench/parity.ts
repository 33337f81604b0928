/**
 * `seqlab bench parity`: trains the Lab 1 Part 2 model on the lab corpus with the lab's
 * configuration and prints the mean loss over each window of iterations, so it can be set
 * beside the PyTorch reference (../shared/reference/lab1_part2_torch.py, same data
 * pipeline, initialisation and optimizer). With --torch the reference runs in the same
 * invocation, after seqlab, and both columns are printed together.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend";
import { loadLabSongs } from "../lib/music";
import { Vocabulary, getBatch, type TensorBatch } from "../lib/text";
import { buildLabModel } from "../lib/nn";
import { leanAdam, trainModel } from "../lib/train";

const USAGE = `usage: seqlab bench parity [--iters 300] [--batch 8] [--units 1024] [--embedding 256]
       [--seq 100] [--lr 5e-3] [--window 100] [--seed 0] [--init-fan gate|matrix]
       [--torch PATH_TO_REFERENCE] [--same-draws | --seqlab-draws] [--json]
  --init-fan      Glorot's limit for the LSTM's kernels per gate block (gate, as the reference
                  script; the default) or over the whole matrix (matrix, as Keras and the lab notebook)
  --same-draws    (with --torch) seqlab trains from the reference's own initial weights and windows
  --seqlab-draws  (with --torch) PyTorch trains from seqlab's initial weights and windows (with
                  --init-fan matrix and --seed 0: the lab notebook's own run)
  Either way the two runs differ only in their arithmetic.`;

function windowMeans(losses: number[], window: number): number[] {
  const means: number[] = [];
  for (let end = window; end <= losses.length; end += window) {
    const slice = losses.slice(end - window, end);
    means.push(slice.reduce((a, b) => a + b, 0) / slice.length);
  }
  return means;
}

/** Debian's python3-torch lives beside the system interpreter, which a pyenv shim may hide. */
export function pythonForTorch(): string {
  return process.env.SEQLAB_PYTHON ?? (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
}

/** Runs the PyTorch reference and reads its per-iteration losses from "iter N loss L" lines (10-iteration means). */
function torchWindowMeans(script: string, corpus: string, iters: number, batch: number, units: number, window: number): { means: number[]; msPerStep: number; firstSteps: number[] } {
  const run = spawnSync(pythonForTorch(), [script, corpus, String(iters), String(batch), "1", String(units)], { encoding: "utf8", maxBuffer: 64 << 20 });
  return parseTorchRun(run, "the PyTorch reference", window);
}

/**
 * Window means from a PyTorch run's "iter N loss L ms/step M" lines (each L a 10-iteration
 * mean), and the first iterations' own losses where it prints them ("step N loss L").
 */
function parseTorchRun(run: ReturnType<typeof spawnSync>, what: string, window: number): { means: number[]; msPerStep: number; firstSteps: number[] } {
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}): ${String(run.stderr).slice(-2000)}`);
  const tens: number[] = [];
  let msPerStep = NaN;
  for (const m of String(run.stdout).matchAll(/^iter (\d+) loss ([\d.]+) ms\/step (\d+)/gm)) {
    tens.push(Number(m[2]));
    msPerStep = Number(m[3]);
  }
  // Each printed figure is the mean of 10 iterations; a window is the mean of window/10 of them.
  const firstSteps = [...String(run.stdout).matchAll(/^step \d+ loss ([\d.e-]+)$/gm)].map((m) => Number(m[1]));
  return { means: windowMeans(tens, window / 10), msPerStep, firstSteps };
}

export interface ParityConfig {
  iters: number;
  batch: number;
  units: number;
  embedding: number;
  seq: number;
  lr: number;
  /** Iterations per reported mean. */
  window: number;
  seed: number;
  /** Glorot's limit for the LSTM's kernels per gate block (the reference's way; the default) or over the whole matrix. */
  initFan?: "gate" | "matrix";
}

/** A run's random draws: the reference's, as bench/torch_draws.py writes them, or seqlab's. */
export interface ParityDraws {
  /** The lab model's weights in getWeights() order. */
  weights: Float32Array[];
  /** The corpus as the reference encodes it. */
  encoded: Int32Array;
  /** Window starts, iters x batch. */
  starts: Int32Array;
}

const DRAW_FILES = ["w0.bin", "w1.bin", "w2.bin", "w3.bin", "w4.bin", "w5.bin", "encoded.bin", "starts.bin"];

function readBinary<T extends Float32Array | Int32Array>(file: string, Type: new (b: ArrayBuffer) => T): T {
  const bytes = fs.readFileSync(file);
  return new Type(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Runs bench/torch_draws.py on the reference script and reads what it wrote. */
export function torchDraws(script: string, corpus: string, c: ParityConfig): ParityDraws {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-draws-"));
  try {
    const helper = path.join(__dirname, "..", "..", "bench", "torch_draws.py"); // from dist/bench
    const run = spawnSync(pythonForTorch(), [helper, script, corpus, String(c.iters), String(c.batch), String(c.units), dir], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`bench/torch_draws.py failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
    return readDraws(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the draws in dir (as bench/torch_draws.py and writeDraws write them). */
export function readDraws(dir: string): ParityDraws {
  return {
    weights: DRAW_FILES.slice(0, 6).map((f) => readBinary(path.join(dir, f), Float32Array)),
    encoded: readBinary(path.join(dir, "encoded.bin"), Int32Array),
    starts: readBinary(path.join(dir, "starts.bin"), Int32Array),
  };
}

/** Writes draws into dir in the files bench/torch_draws.py writes and bench/torch_from_draws.py reads. */
export function writeDraws(draws: ParityDraws, dir: string): void {
  [...draws.weights, draws.encoded, draws.starts].forEach((a, i) =>
    fs.writeFileSync(path.join(dir, DRAW_FILES[i]), Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
  );
}

/** The PyTorch reference's model trained from seqlab's draws (bench/torch_from_draws.py): its 10-iteration means, as window means. */
export function torchFromDraws(script: string, corpus: string, draws: ParityDraws, c: ParityConfig): { means: number[]; msPerStep: number; firstSteps: number[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-draws-"));
  try {
    writeDraws(draws, dir);
    const helper = path.join(__dirname, "..", "..", "bench", "torch_from_draws.py"); // from dist/bench
    return parseTorchRun(spawnSync(pythonForTorch(), [helper, script, corpus, String(c.iters), String(c.batch), String(c.units), dir], { encoding: "utf8", maxBuffer: 64 << 20 }), "bench/torch_from_draws.py", c.window);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The lab's batch for the reference's window starts of one iteration. */
function batchAt(draws: ParityDraws, iteration: number, batch: number, seq: number): TensorBatch {
  const x = new Int32Array(batch * seq), y = new Int32Array(batch * seq);
  const starts = Array.from(draws.starts.subarray(iteration * batch, (iteration + 1) * batch));
  starts.forEach((start, b) => {
    x.set(draws.encoded.subarray(start, start + seq), b * seq);
    y.set(draws.encoded.subarray(start + 1, start + seq + 1), b * seq);
  });
  return { x: tf.tensor2d(x, [batch, seq], "int32"), y: tf.tensor2d(y, [batch, seq], "int32"), starts };
}

/**
 * Trains the lab model on the lab corpus as the PyTorch reference does (its data pipeline,
 * Adam with its epsilon, by default Glorot per gate block) and returns the mean loss of each
 * window, and the draws it trained from (initial weights, window starts). The parity test in
 * test/train runs it at a small size against stored reference losses.
 */
export async function trainLabForParity(
  c: ParityConfig,
  log?: (line: string) => void,
  draws?: ParityDraws,
): Promise<{ means: number[]; msPerStep: number; backend: string; vocabSize: number; corpusPath: string; drawn: ParityDraws }> {
  const backend = await initBackend();
  const corpus = await loadLabSongs();
  const vocab = Vocabulary.fromText(corpus.text);
  const encoded = vocab.encode(corpus.text);
  // initFan "gate" (the default): Glorot per gate block, as the PyTorch reference initialises its LSTM.
  const model = buildLabModel({ vocabSize: vocab.size, embeddingDim: c.embedding, units: c.units, seed: c.seed, initFan: c.initFan ?? "gate" });
  if (draws) {
    if (draws.encoded.length !== encoded.length || draws.encoded.some((id, i) => id !== encoded[i])) {
      throw new Error("the reference encodes the corpus differently from seqlab's Vocabulary: its draws cannot be replayed");
    }
    if (draws.starts.length < c.iters * c.batch) throw new Error(`the reference's draws hold ${draws.starts.length} windows, ${c.iters * c.batch} needed`);
    const shapes = model.getWeights().map((w) => w.shape);
    shapes.forEach((shape, i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      if (draws.weights[i]?.length !== size) throw new Error(`the reference's weight ${i} has ${draws.weights[i]?.length} values, seqlab's model [${shape}] needs ${size}: a different model size`);
    });
    const weights = shapes.map((shape, i) => tf.tensor(draws.weights[i], shape));
    model.setWeights(weights);
    tf.dispose(weights);
  }
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const starts: number[] = [];
  const optimizer = leanAdam(c.lr, 0.9, 0.999, 1e-7);
  const started = Date.now();
  try {
    const { history } = await trainModel<TensorBatch>(model, {
      steps: c.iters,
      seed: c.seed,
      optimizer,
      batches: ({ rng, batchIndex }) => {
        const batch = draws ? batchAt(draws, batchIndex, c.batch, c.seq) : getBatch(encoded, c.seq, c.batch, rng);
        starts.push(...batch.starts);
        return batch;
      },
      callbacks: {
        onStepEnd: ({ step, loss }) => {
          if (step % 10 === 0) log?.(`seqlab iter ${step} loss ${loss.toFixed(4)}`);
        },
      },
    });
    const drawn = { weights, encoded: Int32Array.from(encoded), starts: Int32Array.from(starts) };
    return { means: windowMeans(history.loss, c.window), msPerStep: (Date.now() - started) / c.iters, backend: backend.name, vocabSize: vocab.size, corpusPath: corpus.path, drawn };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

const OPTIONS = {
  iters: { type: "string", default: "300" },
  batch: { type: "string", default: "8" },
  units: { type: "string", default: "1024" },
  embedding: { type: "string", default: "256" },
  seq: { type: "string", default: "100" },
  lr: { type: "string", default: "5e-3" },
  window: { type: "string", default: "100" },
  seed: { type: "string", default: "0" },
  torch: { type: "string" },
  "same-draws": { type: "boolean", default: false },
  "seqlab-draws": { type: "boolean", default: false },
  "init-fan": { type: "string", default: "gate" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>>["values"];
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const n = (name: "iters" | "batch" | "units" | "embedding" | "seq" | "lr" | "window") => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got ${values[name]}`);
    return v;
  };
  const [iters, batch, units, embedding, seq, lr, window, seed] = [n("iters"), n("batch"), n("units"), n("embedding"), n("seq"), n("lr"), n("window"), Number(values.seed)];
  if (window % 10 !== 0) throw new Error("--window must be a multiple of 10 (the reference prints 10-iteration means)");

  const initFan = values["init-fan"];
  if (initFan !== "gate" && initFan !== "matrix") throw new Error(`--init-fan must be gate or matrix, got ${initFan}`);
  const config: ParityConfig = { iters, batch, units, embedding, seq, lr, window, seed, initFan };
  // The reference script fixes its embedding at 256 (and its optimizer and sequence length).
  if (values.torch && (embedding !== 256 || seq !== 100 || lr !== 5e-3)) throw new Error("with --torch, --embedding must be 256, --seq 100 and --lr 5e-3: the reference script fixes them");
  if (values["same-draws"] && !values.torch) throw new Error("--same-draws needs --torch PATH_TO_REFERENCE (the draws are the reference script's)");
  if (values["seqlab-draws"] && !values.torch) throw new Error("--seqlab-draws needs --torch PATH_TO_REFERENCE (the script whose model PyTorch trains)");
  if (values["same-draws"] && values["seqlab-draws"]) throw new Error("--same-draws and --seqlab-draws exclude each other: say whose draws both runs use");
  if (values["same-draws"] && initFan !== "gate") throw new Error("--init-fan has no effect with --same-draws: the initial weights are the reference's");
  const draws = values["same-draws"] ? torchDraws(path.resolve(values.torch!), (await loadLabSongs()).path, config) : undefined;
  const run = await trainLabForParity(config, (line) => process.stderr.write(`${line}\n`), draws);
  const { backend, msPerStep, means: ours, corpusPath } = run;
  const reference = !values.torch
    ? undefined
    : values["seqlab-draws"]
      ? torchFromDraws(path.resolve(values.torch), corpusPath, run.drawn, config)
      : torchWindowMeans(path.resolve(values.torch), corpusPath, iters, batch, units, window);

  const rows = ours.map((loss, i) => ({ iteration: (i + 1) * window, seqlab: loss, torch: reference?.means[i] }));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ backend, iters, batch, units, embedding, seq, ms_per_step: msPerStep, torch_ms_per_step: reference?.msPerStep, rows })}\n`);
    return 0;
  }
  process.stdout.write(`lab model: vocab ${run.vocabSize}, embedding ${embedding}, LSTM ${units} (Glorot per ${initFan === "gate" ? "gate block" : "whole matrix"}), seq ${seq}, batch ${batch}, Adam ${lr}; backend ${backend}\n`);
  if (values["same-draws"]) process.stdout.write("both runs from the reference script's initial weights and windows\n");
  if (values["seqlab-draws"]) process.stdout.write(`both runs from seqlab's initial weights and windows (seed ${seed})\n`);
  process.stdout.write(`seqlab ${msPerStep.toFixed(0)} ms/step${reference ? `, PyTorch ${reference.msPerStep} ms/step (1 thread)` : ""}\n`);
  process.stdout.write(`iteration | seqlab mean loss${reference ? " | PyTorch mean loss | ratio" : ""}\n`);
  for (const r of rows) {
    const torch = r.torch === undefined ? "" : ` | ${r.torch.toFixed(3)} | ${(r.seqlab / r.torch).toFixed(3)}`;
    process.stdout.write(`${String(r.iteration).padStart(9)} | ${r.seqlab.toFixed(3)}${torch}\n`);
  }
  return 0;
}
