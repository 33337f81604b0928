/**
 * Soak test of %%train in one real kernel: 100 short runs on one small model, 10 of them
 * interrupted at random (seeded) moments. Fails when, between the start (after a warm-up)
 * and the end, the kernel's live tensor count grows, its RSS grows by more than
 * RSS_BOUND_MB or its JS heap by more than HEAP_BOUND_MB; when an interrupt does not stop
 * the run; when the history's steps have gaps; or past the time limit.
 *
 *   node dist/test/soak/soak.js [--runs 100] [--interrupts 10] [--seed 1]
 */
import * as path from "path";
import { KernelProcess } from "../../kernel/jupyter-client";
import type { JupyterMessage } from "../../kernel/wire";
import { makeRng } from "../../lib/random";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
/**
 * RSS is a high-water mark: measured here (4 soaks), it steps up once by 110-143 MB at
 * some run (a transient: the JS heap after a full collection, the wasm memory and the
 * tensor count stay flat) and is flat within 5 MB after it.
 * The leak this soak exists for, an Adam per run, cost 43 MB a run at the lab's size
 * (4 GB over 100 runs); at this model's size the tensor count catches it.
 */
const RSS_BOUND_MB = 200;
/** The JS heap after a full collection: what the kernel keeps (the history grows a little). */
const HEAP_BOUND_MB = 16;
const TIME_LIMIT_MS = 5 * 60_000;
/**
 * Runs before the start figures are taken, one of them interrupted: the first create the
 * optimizer's slots and warm the JIT.
 */
const WARM_UP_RUNS = 20;
function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const SETUP = `
import * as tf from "@tensorflow/tfjs";
import * as sl from "seqlab";
await sl.initBackend();
const model = sl.buildLabModel({ vocabSize: 12, embeddingDim: 8, units: 32, seed: 1 });
model.build([null, 16]);
const batches = [0, 1, 2].map((k) => ({
  x: tf.tensor2d(Array.from({ length: 4 }, (_, b) => Array.from({ length: 16 }, (_, t) => (b + t + k) % 12)), undefined, "int32"),
  y: tf.tensor2d(Array.from({ length: 4 }, (_, b) => Array.from({ length: 16 }, (_, t) => (b + t + k + 1) % 12)), undefined, "int32"),
}));
// A full garbage collection before each reading, so RSS shows what is kept, not what waits for the collector.
require("v8").setFlagsFromString("--expose-gc");
const collectGarbage = require("vm").runInNewContext("gc");
function probe() {
  collectGarbage();
  const wasm = (tf.findBackend("wasm") as any)?.wasm?.HEAPU8?.length ?? 0;
  return JSON.stringify({ backend: tf.getBackend(), tensors: tf.memory().numTensors, rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, wasm });
}
`;

interface Probe {
  backend: string;
  tensors: number;
  rss: number;
  /** V8's used heap and the wasm backend's memory, in bytes. */
  heap: number;
  wasm: number;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** What a cell printed to stdout. */
function printed(iopub: JupyterMessage[]): string {
  return iopub
    .filter((m) => m.header.msg_type === "stream" && m.content.name === "stdout")
    .map((m) => String(m.content.text))
    .join("");
}

async function main(): Promise<number> {
  const runs = option("runs", 100);
  const interrupts = option("interrupts", 10);
  const rng = makeRng(option("seed", 1));
  // Which runs get interrupted, and after how long: drawn from the seed.
  const interrupted = new Map<number, number>();
  if (interrupts > 0) interrupted.set(2, 30 + rng.int(400));
  while (interrupted.size < interrupts) interrupted.set(WARM_UP_RUNS + rng.int(runs - WARM_UP_RUNS), 30 + rng.int(400));

  const started = Date.now();
  const { kernel } = await KernelProcess.launch({ argv: [process.execPath, path.join(repoRoot, "dist", "kernel", "cli.js"), "kernel", "--connection-file", "{connection_file}"], cwd: repoRoot }, 60_000);
  const client = kernel.client;
  const failures: string[] = [];
  try {
    const run = async (code: string) => {
      const { reply, iopub } = await client.execute(code, { timeoutMs: 60_000 });
      if (reply.content.status !== "ok") throw new Error(`cell failed: ${reply.content.ename}: ${reply.content.evalue}\n${code}`);
      return iopub;
    };
    const probe = async (): Promise<Probe> => JSON.parse(printed(await run("console.log(probe())")));
    await run(SETUP);
    let start: Probe | undefined;
    let interruptsLanded = 0;
    const series: string[] = [];
    for (let i = 0; i < runs; i++) {
      if (i >= WARM_UP_RUNS && (i - WARM_UP_RUNS) % 20 === 0) {
        const now = await probe();
        start ??= now;
        series.push(`run ${i}: ${now.tensors} tensors, RSS ${mb(now.rss)} MB, JS heap ${mb(now.heap)} MB, wasm ${mb(now.wasm)} MB`);
      }
      if (Date.now() - started > TIME_LIMIT_MS) throw new Error(`over the time limit of ${TIME_LIMIT_MS / 60_000} min after ${i} runs`);
      const delay = interrupted.get(i);
      if (process.env.SOAK_VERBOSE) console.error(`run ${i}${delay === undefined ? "" : `, interrupted after ${delay} ms`}`);
      if (delay === undefined) {
        await run("%%train $model --data $batches --steps 3 --lr 0.01");
        continue;
      }
      // Timed from the request: some interrupts land while the cell sets up (binding the
      // history variable, loading plotly), the others mid-training.
      const execution = client.executeStreaming("%%train $model --data $batches --steps 100000 --lr 0.01", () => {}, { timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, delay));
      await kernel.interrupt();
      const { reply } = await execution;
      if (reply.content.ename === "KeyboardInterrupt") interruptsLanded++;
      else failures.push(`run ${i}: interrupt after ${delay} ms gave ${reply.content.status} ${reply.content.ename ?? ""}`);
    }
    const end = await probe();
    const check = "console.log(JSON.stringify({ steps: history.steps.length, contiguous: history.steps.every((s, i) => s === i + 1) }))";
    const { steps, contiguous } = JSON.parse(printed(await run(check)));
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`soak: ${runs} %%train runs (${interruptsLanded} interrupted) in ${seconds} s on the ${end.backend} backend; history holds ${steps} steps${contiguous ? ", contiguous" : ", NOT contiguous"}`);
    console.log(`soak: tensors ${start!.tensors} at run ${WARM_UP_RUNS} -> ${end.tensors} at the end`);
    console.log(`soak: RSS ${mb(start!.rss)} MB -> ${mb(end.rss)} MB (bound: +${RSS_BOUND_MB} MB)`);
    console.log(`soak: JS heap ${mb(start!.heap)} MB -> ${mb(end.heap)} MB (bound: +${HEAP_BOUND_MB} MB); wasm memory ${mb(start!.wasm)} MB -> ${mb(end.wasm)} MB`);
    console.log(`soak: along the way:\n  ${series.join("\n  ")}`);
    if (end.tensors > start!.tensors) failures.push(`the tensor count grew by ${end.tensors - start!.tensors}`);
    if (end.rss - start!.rss > RSS_BOUND_MB * 2 ** 20) failures.push(`RSS grew by ${mb(end.rss - start!.rss)} MB, over the bound of ${RSS_BOUND_MB} MB`);
    if (end.heap - start!.heap > HEAP_BOUND_MB * 2 ** 20) failures.push(`the JS heap grew by ${mb(end.heap - start!.heap)} MB, over the bound of ${HEAP_BOUND_MB} MB`);
    if (!contiguous) failures.push("the history's steps are not 1, 2, 3, ...");
  } finally {
    await kernel.shutdown(5000);
  }
  for (const f of failures) console.error(`soak FAILED: ${f}`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`soak FAILED: ${err.message}`);
    process.exit(1);
  },
);
