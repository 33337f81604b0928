/**
 * `seqlab bench torch`: seqlab against PyTorch on the lab model, measured the same way on
 * both sides and alternating in one run. Each round runs, for each thread count, PyTorch
 * (bench/torch_lab.py) and `seqlab bench lstm` as separate processes, the order swapped every
 * round so neither side always runs on a warmer machine. Both report the median training
 * step after the same warm-up, with the batch made before the clock starts; sampling is
 * batch 1, stateful, per character; peak RSS is the process's (seqlab's also once sl.trainModel
 * has trained the model a second time, with its rollback snapshot). The table gives the median
 * over rounds for each thread count, and each side's best thread count.
 *
 * "t threads" for PyTorch is torch.set_num_threads(t), with OpenBLAS's own threads left at
 * their default (one per core), PyTorch's fastest setting here: OPENBLAS_NUM_THREADS=1 makes
 * its step slower.
 *
 * PyTorch is not a dependency: Debian's python3-torch, with libopenblas0-pthread (the
 * reference BLAS it otherwise loads makes it 2.7x slower, a flattering comparison, so the
 * benchmark refuses to run on it).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

const USAGE = `usage: seqlab bench torch [--rounds 3] [--threads 1,2] [--steps 5] [--warmup 1] [--chars 200]
       [--units 1024] [--batch 8] [--json]`;

interface Run {
  ms_per_step: number;
  ms_per_char: number | null;
  peak_rss_mb: number;
  train_model_ms_per_step?: number;
  /** seqlab: the peak once sl.trainModel has run as well (PyTorch's side: its peak_rss_mb). */
  train_model_peak_rss_mb?: number;
  blas?: string[];
  torch?: string;
}

const repoRoot = path.resolve(__dirname, "../..");

function runJson(label: string, command: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const run = spawnSync(command, args, { encoding: "utf8", env, maxBuffer: 16 << 20 });
  const last = run.stdout.trim().split("\n").pop() ?? "";
  if (run.status !== 0 || !last.startsWith("{")) {
    throw new Error(`${label} failed (exit ${run.status}):\n${(run.stderr || run.stdout).slice(-2000)}`);
  }
  return JSON.parse(last) as Run;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const parse = (args: string[]) =>
  parseArgs({
    args,
    options: {
      rounds: { type: "string", default: "3" }, threads: { type: "string", default: "1,2" },
      steps: { type: "string", default: "5" }, warmup: { type: "string", default: "1" },
      chars: { type: "string", default: "200" }, units: { type: "string", default: "1024" },
      batch: { type: "string", default: "8" }, json: { type: "boolean", default: false },
    },
  }).values;

export async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const int = (name: string, v: string, min = 1): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} needs an integer >= ${min}, got "${v}"\n${USAGE}`);
    return n;
  };
  let rounds: number, threads: number[], shared: string[];
  try {
    rounds = int("rounds", values.rounds!);
    threads = values.threads!.split(",").map((t) => int("threads", t));
    shared = ["steps", "warmup", "chars", "units", "batch"].flatMap((k) => [`--${k}`, String(int(k, (values as unknown as Record<string, string>)[k], k === "warmup" || k === "chars" ? 0 : 1))]);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  // Debian's python3-torch lives beside the system interpreter, which a pyenv shim may hide.
  const python = process.env.SEQLAB_PYTHON ?? (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  const torchScript = path.join(repoRoot, "bench", "torch_lab.py");
  const cli = path.join(repoRoot, "dist", "kernel", "cli.js");
  const say = (line: string) => {
    if (!values.json) process.stdout.write(line + "\n");
  };

  const torchRun = (t: number) => runJson("PyTorch (bench/torch_lab.py)", python, [torchScript, "--threads", String(t), ...shared], process.env);
  const seqlabRun = (t: number) =>
    runJson("seqlab bench lstm", process.execPath, [cli, "bench", "lstm", "--json", ...shared], { ...process.env, SEQLAB_SIMD_THREADS: String(t) });

  const runs: Record<"torch" | "seqlab", Record<number, Run[]>> = { torch: {}, seqlab: {} };
  for (let r = 0; r < rounds; r++) {
    for (const t of threads) {
      const order: ("torch" | "seqlab")[] = r % 2 === 0 ? ["torch", "seqlab"] : ["seqlab", "torch"];
      for (const side of order) {
        const run = side === "torch" ? torchRun(t) : seqlabRun(t);
        if (side === "torch" && !run.blas?.some((lib) => /openblas/i.test(lib))) {
          process.stderr.write(
            `PyTorch is not using OpenBLAS (BLAS libraries loaded: ${run.blas?.join(", ") || "none"}): its figures would be 2.7x slow. ` +
              "Install it (apt-get install libopenblas0-pthread) and run again.\n",
          );
          return 1;
        }
        (runs[side][t] ??= []).push(run);
        say(`round ${r + 1}, ${t} thread(s), ${side}: step ${run.ms_per_step.toFixed(0)} ms` +
          (run.train_model_ms_per_step !== undefined ? ` (sl.trainModel ${run.train_model_ms_per_step.toFixed(0)} ms)` : "") +
          `, ${run.ms_per_char?.toFixed(2)} ms/char, peak RSS ${run.peak_rss_mb} MB`);
      }
    }
  }

  const stat = (side: "torch" | "seqlab", t: number, key: keyof Run) => median(runs[side][t].map((run) => Number(run[key])));
  const rows: [string, keyof Run, (v: number) => string][] = [
    ["training step", "ms_per_step", (v) => `${v.toFixed(0)} ms`],
    ["sampling, per character", "ms_per_char", (v) => `${v.toFixed(2)} ms`],
    ["peak RSS", "peak_rss_mb", (v) => `${v.toFixed(0)} MB`],
  ];
  const table: Record<string, unknown>[] = [];
  const torchInfo = runs.torch[threads[0]][0];
  say("");
  say(`PyTorch ${torchInfo.torch} with ${path.basename(torchInfo.blas?.find((l) => /libopenblas/i.test(path.basename(l))) ?? "OpenBLAS")}; medians over ${rounds} round(s)`);
  say("| | PyTorch | seqlab | ratio |");
  say("| --- | --- | --- | --- |");
  for (const [label, key, fmt] of rows) {
    for (const t of threads) {
      const torch = stat("torch", t, key), seqlab = stat("seqlab", t, key);
      table.push({ what: key, threads: t, torch, seqlab, ratio: seqlab / torch });
      say(`| ${label}, ${t} thread${t > 1 ? "s" : ""} | ${fmt(torch)} | ${fmt(seqlab)} | ${(seqlab / torch).toFixed(2)}x |`);
    }
    if (key === "peak_rss_mb") {
      for (const t of threads) {
        const torch = stat("torch", t, key), users = stat("seqlab", t, "train_model_peak_rss_mb");
        table.push({ what: "train_model_peak_rss_mb", threads: t, torch, seqlab: users, ratio: users / torch });
        say(`| peak RSS with \`sl.trainModel\` as well, ${t} thread${t > 1 ? "s" : ""} | ${fmt(torch)} | ${fmt(users)} | ${(users / torch).toFixed(2)}x |`);
      }
      continue;
    }
    // Each side at its own best thread count.
    const best = (side: "torch" | "seqlab") => Math.min(...threads.map((t) => stat(side, t, key)));
    const torch = best("torch"), seqlab = best("seqlab");
    table.push({ what: key, threads: "best", torch, seqlab, ratio: seqlab / torch });
    say(`| ${label}, best of ${threads.join(" and ")} threads | ${fmt(torch)} | ${fmt(seqlab)} | ${(seqlab / torch).toFixed(2)}x |`);
    if (key === "ms_per_step") {
      const users = Math.min(...threads.map((t) => stat("seqlab", t, "train_model_ms_per_step")));
      table.push({ what: "train_model_ms_per_step", threads: "best", torch, seqlab: users, ratio: users / torch });
      say(`| training step through \`sl.trainModel\`, best | ${fmt(torch)} | ${fmt(users)} | ${(users / torch).toFixed(2)}x |`);
    }
  }
  if (values.json) process.stdout.write(JSON.stringify({ torch: torchInfo.torch, blas: torchInfo.blas, rounds, table, runs }) + "\n");
  return 0;
}
