/**
 * `seqlab bench lstm`: the Lab 1 Part 2 model (Embedding -> LSTM -> Dense, Adam, softmax
 * cross-entropy) trained on random tokens. Prints ms per training step (median after
 * warm-up), peak RSS, and ms per sampled character (sl.sample, batch 1, stateful). --stock runs
 * tfjs-layers' own LSTM at the same size instead of the fused op.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend";
import { fusedRecurrence, recurrenceEngineName } from "../lib/nn/fused";
import { loadSimd } from "../lib/simd";
import { packRightOperand } from "../lib/simd/packed-weights";
import { resetSimdProfile, simdProfile } from "../lib/simd/profile";
import { floats } from "../lib/simd/tensor-floats";
import { buildLabModel } from "../lib/nn";
import { leanAdam, simdStepper, layersModelStepper, sample, trainModel } from "../lib/train";

interface Options {
  units: number;
  batch: number;
  seq: number;
  embedding: number;
  vocab: number;
  steps: number;
  warmup: number;
  chars: number;
  backend?: string;
  stock: boolean;
  json: boolean;
  engine: "auto" | "tfjs" | "simd";
}

const USAGE = `usage: seqlab bench lstm [--units 1024] [--batch 8] [--seq 100] [--embedding 256] [--vocab 83]
       [--steps 5] [--warmup 1] [--chars 200] [--backend wasm|cpu|tensorflow] [--engine auto|tfjs|simd]
       [--stock] [--json]`;

function parseOptions(argv: string[]): Options {
  const o: Options = {
    units: 1024, batch: 8, seq: 100, embedding: 256, vocab: 83, steps: 5, warmup: 1, chars: 200,
    stock: false, json: false, engine: "auto",
  };
  const numeric = new Set(["units", "batch", "seq", "embedding", "vocab", "steps", "warmup", "chars"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.replace(/^--/, "");
    if (arg === "--stock") o.stock = true;
    else if (arg === "--json") o.json = true;
    else if (arg === "--help" || arg === "-h") throw new Error(USAGE);
    else if (numeric.has(name)) {
      const v = Number(argv[++i]);
      const min = name === "warmup" || name === "chars" ? 0 : 1;
      if (!Number.isInteger(v) || v < min) throw new Error(`--${name} needs an integer >= ${min}, got "${argv[i]}"\n${USAGE}`);
      (o as unknown as Record<string, number>)[name] = v;
    } else if (name === "backend") o.backend = argv[++i];
    else if (name === "engine") {
      const v = argv[++i];
      if (v !== "auto" && v !== "tfjs" && v !== "simd") throw new Error(`--engine must be auto, tfjs or simd\n${USAGE}`);
      o.engine = v;
    } else throw new Error(`unknown option "${arg}"\n${USAGE}`);
  }
  return o;
}

/** The lab model's weights with Glorot taken per gate block, as the PyTorch reference script does (Keras, and so the lab, takes it over each whole kernel); unit forget bias. */
function labWeights(o: Options) {
  const { vocab: V, embedding: E, units: U } = o;
  const glorotGates = (rows: number) =>
    tf.concat(Array.from({ length: 4 }, (_, g) => tf.initializers.glorotUniform({ seed: rows + g }).apply([rows, U])), 1);
  // In a tidy: a variable shares its initial tensor's data, which would otherwise stay alive
  // (with its packing in SIMD memory) after the first update, as a user's model's does not.
  return tf.tidy(() => ({
    embedding: tf.variable(tf.randomUniform([V, E], -0.05, 0.05, "float32", 1)),
    kernel: tf.variable(glorotGates(E)),
    recurrentKernel: tf.variable(glorotGates(U)),
    bias: tf.variable(tf.concat([tf.zeros([U]), tf.ones([U]), tf.zeros([2 * U])])),
    dense: tf.variable(tf.initializers.glorotUniform({ seed: 7 }).apply([U, V]) as tf.Tensor),
    denseBias: tf.variable(tf.zeros([V])),
  }));
}
type LabWeights = ReturnType<typeof labWeights>;

function fusedLoss(o: Options, w: LabWeights, x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  const { batch: B, seq: T, units: U, vocab: V } = o;
  const emb = tf.gather(w.embedding, x) as tf.Tensor3D;
  const zeros = tf.zeros([B, U]) as tf.Tensor2D;
  const { outputs } = fusedRecurrence(
    "lstm",
    emb,
    { kernel: w.kernel as tf.Tensor2D, recurrentKernel: w.recurrentKernel as tf.Tensor2D, bias: w.bias as tf.Tensor1D },
    { h: zeros, c: zeros },
    { engine: o.engine },
  );
  const logits = tf.add(tf.matMul(outputs.reshape([B * T, U]), w.dense), w.denseBias);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(y.reshape([B * T]), V), logits) as tf.Scalar;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function randomTokens(o: Options): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const ids = tf.randomUniform([o.batch, o.seq + 1], 0, o.vocab, "int32");
  const x = ids.slice([0, 0], [o.batch, o.seq]) as tf.Tensor2D;
  const y = ids.slice([0, 1], [o.batch, o.seq]) as tf.Tensor2D;
  ids.dispose();
  return { x, y };
}

/**
 * The hand-written step: train for warmup + steps iterations; returns ms per step (post warm-up), the median split
 * into forward+backward and the Adam update, and the last loss.
 */
function timeTraining(o: Options, lossFn: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Scalar, vars: tf.Variable[]) {
  const optimizer = leanAdam(5e-3, 0.9, 0.999, 1e-7);
  const times: number[] = [];
  const gradMs: number[] = [];
  const adamMs: number[] = [];
  let lastLoss = NaN;
  for (let i = 0; i < o.warmup + o.steps; i++) {
    if (i === o.warmup) resetSimdProfile();
    const { x, y } = randomTokens(o);
    const start = performance.now();
    const { value, grads } = tf.variableGrads(() => lossFn(x, y), vars);
    lastLoss = value.dataSync()[0];
    const mid = performance.now();
    optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
    vars[0].dataSync(); // waits for the update on asynchronous backends
    const end = performance.now();
    tf.dispose([value, x, y, ...Object.values(grads)]);
    if (i >= o.warmup) {
      times.push(end - start);
      gradMs.push(mid - start);
      adamMs.push(end - mid);
    }
  }
  optimizer.dispose();
  const gradMeanMs = gradMs.reduce((a, b) => a + b, 0) / Math.max(1, gradMs.length);
  return { msPerStep: median(times), times, lastLoss, gradMs: median(gradMs), gradMeanMs, adamMs: median(adamMs) };
}

/**
 * What users run: sl.trainModel on the lab model (buildLabModel), Adam 5e-3, the batches made
 * beforehand as the hand-written step's are. A step's time runs from the end of the previous
 * step (onStepEnd, which train() calls once the loss is read) to the end of this one, so it
 * includes everything trainModel does between updates; median after the warm-up steps.
 */
async function timeTrainModel(o: Options): Promise<{ msPerStep: number; times: number[] }> {
  const model = buildLabModel({ vocabSize: o.vocab, embeddingDim: o.embedding, units: o.units, seed: 0 });
  const batches = Array.from({ length: o.warmup + o.steps }, () => randomTokens(o));
  const ends: number[] = [];
  const start = performance.now();
  try {
    await trainModel(model, {
      batches, steps: batches.length, optimizer: "adam", learningRate: 5e-3,
      callbacks: { onStepEnd: () => void ends.push(performance.now()) },
    });
  } finally {
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    model.dispose();
  }
  const times = ends.map((end, i) => end - (i === 0 ? start : ends[i - 1])).slice(o.warmup);
  return { msPerStep: median(times), times };
}

/**
 * Batch-1 stateful sampling as users run it: sl.sample on the lab model (buildLabModel) holding
 * the trained weights, temperature 1, one character at a time. Returns ms per character and
 * which stepper ran (the kernel one, or layer by layer on other backends).
 */
async function timeSampling(o: Options, w: LabWeights): Promise<{ ms: number; stepper: string; recurrentProductMs?: number }> {
  if (o.chars === 0) return { ms: NaN, stepper: "none" };
  const model = buildLabModel({ vocabSize: o.vocab, embeddingDim: o.embedding, units: o.units, seed: 0 });
  model.build([1, 1]);
  model.setWeights([w.embedding, w.kernel, w.recurrentKernel, w.bias, w.dense, w.denseBias]);
  const fast = simdStepper(model);
  const stepper = fast ?? layersModelStepper(model);
  const vocab = Array.from({ length: o.vocab }, (_, i) => String.fromCodePoint(0x100 + i));
  await sample(stepper, { length: 5, seedIds: [0], vocab, seed: 1 }); // warm-up
  stepper.reset();
  const start = performance.now();
  await sample(stepper, { length: o.chars, seedIds: [0], vocab, seed: 2 });
  const ms = (performance.now() - start) / o.chars;
  stepper.dispose();
  tf.dispose(model.getWeights());
  return { ms, stepper: fast ? "simd" : "layers", recurrentProductMs: fast ? timeRecurrentProduct(o, w) : undefined };
}

/** The [1 x U] x [U x 4U] product alone, as the kernel stepper runs it each character. */
function timeRecurrentProduct(o: Options, w: LabWeights): number {
  const k = loadSimd();
  const U = o.units, GU = 4 * U;
  const arena = k.arena();
  try {
    const R = arena.adopt(packRightOperand(k, floats(w.recurrentKernel), w.recurrentKernel.shape, { role: "R", col0: 0, cols: GU, transpose: false }));
    const a = arena.bytes(k.x.packedASize(1, U));
    const z = arena.floats(GU);
    k.f32().fill(0.01, a >> 2, (a + k.x.packedASize(1, U)) >> 2);
    const start = performance.now();
    for (let i = 0; i < o.chars; i++) k.gemm(a, R, z, 1, GU, U, GU, true);
    return (performance.now() - start) / o.chars;
  } finally {
    arena.release();
  }
}

/** tfjs-layers' LSTM at the same size; a failure (e.g. wasm out of memory) is the result. */
function stockRun(o: Options) {
  const { vocab: V, embedding: E, units: U, batch: B, seq: T } = o;
  const embedding = tf.layers.embedding({ inputDim: V, outputDim: E });
  const lstm = tf.layers.lstm({
    units: U, returnSequences: true, recurrentActivation: "sigmoid", recurrentInitializer: "glorotUniform", unitForgetBias: true,
  });
  const dense = tf.layers.dense({ units: V });
  const lossFn = (x: tf.Tensor2D, y: tf.Tensor2D) => {
    const logits = dense.apply(lstm.apply(embedding.apply(x))) as tf.Tensor3D;
    return tf.losses.softmaxCrossEntropy(tf.oneHot(y.reshape([B * T]), V), logits.reshape([B * T, V])) as tf.Scalar;
  };
  // Apply to a symbolic input once so the layers create their weights.
  dense.apply(lstm.apply(embedding.apply(tf.input({ shape: [T], dtype: "int32" }))));
  const vars = [embedding, lstm, dense].flatMap((l) => l.trainableWeights.map((v) => v.read() as tf.Variable));
  return timeTraining(o, lossFn, vars);
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in kilobytes
}

/**
 * Where the resident memory is, in MB: tfjs's wasm heap (it never shrinks, so its size is its
 * high-water mark, give or take the 20% it grows by at a time), the SIMD kernels' memory in
 * use at its peak, and V8's heap.
 */
function memoryMb(): Record<string, number> {
  const mb = (bytes: number) => Math.round(bytes / 1048576);
  const wasmHeap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.buffer.byteLength;
  return {
    ...(wasmHeap !== undefined ? { tfjs_wasm_heap: mb(wasmHeap) } : {}),
    simd_memory: mb(loadSimd().highWater),
    v8_heap: mb(process.memoryUsage().heapTotal),
  };
}

export async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const info = await initBackend(o.backend);
  const say = (line: string) => {
    if (!o.json) process.stdout.write(line + "\n");
  };
  say(`backend ${info.name} (${info.reason})`);
  say(`model: vocab ${o.vocab}, embedding ${o.embedding}, LSTM ${o.units}, seq ${o.seq}, batch ${o.batch}, Adam 5e-3`);
  const result: Record<string, unknown> = {
    backend: info.name,
    model: o.stock ? "tfjs-layers lstm" : `fused lstm (${recurrenceEngineName("lstm", { engine: o.engine })})`,
    units: o.units, batch: o.batch, seq: o.seq, embedding: o.embedding, vocab: o.vocab, steps: o.steps,
  };
  if (o.stock) {
    try {
      const r = stockRun(o);
      Object.assign(result, { ms_per_step: r.msPerStep, step_ms: r.times, loss: r.lastLoss });
    } catch (err) {
      result.ms_per_step = null;
      result.error = `stock LSTM failed: ${(err as Error).message.split("\n")[0]}`;
    }
    result.ms_per_char = null;
  } else {
    const w = labWeights(o);
    const vars = Object.values(w);
    const r = timeTraining(o, (x, y) => fusedLoss(o, w, x, y), vars);
    const profile = simdProfile(o.steps);
    Object.assign(result, { ms_per_step: r.msPerStep, step_ms: r.times, loss: r.lastLoss });
    const inKernels = profile ? Object.values(profile).reduce((a, b) => a + b, 0) : 0;
    result.breakdown_ms = {
      forward_backward: round1(r.gradMs),
      adam_update: round1(r.adamMs),
      // Embedding, Dense, softmax cross-entropy and the fused op's own tfjs bookkeeping
      // (means, as the kernel profile is a mean):
      other_tfjs: profile ? round1(r.gradMeanMs - inKernels) : undefined,
    };
    if (profile) result.kernel_ms_per_step = profile;
    const sampling = await timeSampling(o, w);
    result.ms_per_char = sampling.ms;
    result.sampling_stepper = sampling.stepper;
    // How much of a character is the recurrent product (the rest: gates, dense, softmax, draw).
    if (sampling.recurrentProductMs !== undefined) result.ms_per_char_recurrent_product = sampling.recurrentProductMs;
    tf.dispose(vars); // before trainModel builds its own copy of the model
    // Peak memory of the hand-written step and sampling, as PyTorch's side measures it.
    result.peak_rss_mb = Math.round(peakRssMb());
    result.memory_mb = memoryMb();
    const users = await timeTrainModel(o);
    result.train_model_ms_per_step = users.msPerStep;
    result.train_model_step_ms = users.times;
    // The process's peak once sl.trainModel has trained its own copy of the model too (with
    // its rollback snapshot): no lower than trainModel's own peak, as the heaps it reuses
    // never shrink.
    result.train_model_peak_rss_mb = Math.round(peakRssMb());
  }
  result.peak_rss_mb ??= Math.round(peakRssMb());
  const fmt = (v: unknown) => (typeof v === "number" ? v.toFixed(1) : String(v));
  if (result.error) say(String(result.error));
  say(`ms per training step (median of ${o.steps} after ${o.warmup} warm-up): ${fmt(result.ms_per_step)}`);
  say(`  split (ms): ${JSON.stringify(result.breakdown_ms ?? {})}`);
  if (result.kernel_ms_per_step) say(`  inside the fused LSTM (ms per step): ${JSON.stringify(result.kernel_ms_per_step)}`);
  if (result.train_model_ms_per_step !== undefined) say(`ms per step of sl.trainModel on the lab model (median of ${o.steps} after ${o.warmup} warm-up): ${fmt(result.train_model_ms_per_step)}`);
  const fmt2 = (v: unknown) => (typeof v === "number" ? v.toFixed(2) : String(v));
  say(`ms per sampled character (batch 1, stateful): ${fmt2(result.ms_per_char)}` +
    (result.ms_per_char_recurrent_product !== undefined ? ` (the recurrent product alone: ${fmt2(result.ms_per_char_recurrent_product)})` : ""));
  say(`peak RSS: ${result.peak_rss_mb} MB` + (result.memory_mb ? ` (MB then: ${JSON.stringify(result.memory_mb)})` : ""));
  if (result.train_model_peak_rss_mb !== undefined) say(`peak RSS after sl.trainModel too: ${result.train_model_peak_rss_mb} MB`);
  if (o.json) process.stdout.write(JSON.stringify(result) + "\n");
  return result.error ? 1 : 0;
}
