/**
 * `seqlab bench kernel`: the seqlab kernel beside ipykernel, in one run on one machine.
 *   start-up, two clocks from spawning the process (median of --starts, alternating): to the
 *     first kernel_info_reply (seqlab sends it before its TypeScript engine has loaded), and
 *     to the first cell's result (`1+1` sent right after kernel_info, nothing run before it):
 *     the second is what a user waits for;
 *   idle memory: resident set size right after that first cell;
 *   trivial cell: round trip of `1+1` (execute_request to execute_reply and idle), median of
 *     --runs after a warm-up;
 *   seqlab only: a cell importing seqlab and TensorFlow.js right after the first result (its
 *     round trip, and the resident set size after it), and, in a kernel of its own each round,
 *     the same cell as the first cell (spawn to its result: a notebook run top to bottom);
 *   settled idle memory: --idle-kernels kernels of each kind started at once (as one Jupyter
 *     server starts them: one process each), each runs `1+1`, then their resident set sizes
 *     once whatever they load in the background has settled (seqlab's full type checker loads
 *     after 1 s idle, and checks a cell importing seqlab and TensorFlow.js): the median is
 *     what one idle kernel costs, the total what a class does;
 *   seqlab only: then, one settled kernel at a time, the same import cell (what a user who
 *     opens a notebook and runs its first cell a few seconds later waits for), and the
 *     resident set sizes once the kernels' type checkers have been released, RELEASE_MINUTES
 *     after that cell (the kernel's default is 10 minutes; see SEQLAB_CHECKER_RELEASE_MINUTES).
 * Kernels start with the kernelspec's argv and env (install.ts), as Jupyter starts them, in an
 * empty folder of their own (--folder another), as a user's notebook folder: started in the
 * repository, TypeScript 7 would also read every @types package of its devDependencies;
 * TypeScript 7's compiler process counts in a kernel's memory, as every kernel's child processes
 * do; --typescript5 adds a seqlab kernel with SEQLAB_TYPESCRIPT=5 (TypeScript 5 checks its cells);
 * --check-first one with SEQLAB_RUN_BEFORE_CHECKER=0 (every cell waits for the type checker).
 * A speed report, not a test: it prints a table and the ratios seqlab / ipykernel.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { Command } from "commander";
import { KernelProcess } from "../kernel/jupyter-client";
import { makeKernelSpec } from "../kernel/install";

interface Contender {
  name: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** A seqlab kernel (the import cell and released memory are measured for these). */
  seqlab?: boolean;
  /** The folder it starts in (the notebook's). */
  cwd?: string;
}

interface Figures {
  infoMs: number[];
  firstResultMs: number[];
  idleRssMb: number[];
  settledRssMb: number[];
  cellMs: number[];
  importMs: number[];
  importRssMb: number[];
  importFirstMs: number[];
  settledImportMs: number[];
  settledImportRssMb: number[];
  releasedRssMb: number[];
}

/** How long the idle kernels' checkers stay unused before release (shorter than the default 10, to keep the run short). */
const RELEASE_MINUTES = 2;

/**
 * Resident set size of a kernel: its process and the processes it started (TypeScript 7's
 * compiler), from /proc (Linux).
 */
function rssMb(pid: number): number {
  let kb = 0;
  try {
    kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0; // ended meanwhile
  }
  const children = fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => {
      try {
        return fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
      } catch {
        return [];
      }
    })
    .map(Number);
  return kb / 1024 + children.reduce((sum, child) => sum + rssMb(child), 0);
}

const IMPORT_CELL = `import * as sl from "seqlab";\nimport * as tf from "@tensorflow/tfjs";\nsl.backendInfo().name`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the kernels' resident memory has settled: at least `minMs`, then until their
 * total moved less than 1 MB over the last 3 s (at most 60 s). Returns each one's RSS.
 */
async function settledRss(pids: number[], minMs = 8000): Promise<number[]> {
  const started = performance.now();
  const totals: Array<{ at: number; total: number }> = [];
  for (;;) {
    const each = pids.map(rssMb);
    const total = each.reduce((a, b) => a + b, 0);
    const now = performance.now();
    totals.push({ at: now, total });
    const window = totals.filter((t) => t.at >= now - 3000);
    const steady = now - totals[0].at >= 3000 && Math.max(...window.map((t) => t.total)) - Math.min(...window.map((t) => t.total)) < 1;
    if ((now - started >= minMs && steady) || now - started >= 60000) return each;
    await sleep(250);
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** A python3 that can import ipykernel (Debian's lives in /usr/bin, which a pyenv shim may hide). */
function findIpykernelPython(): string | null {
  for (const python of ["python3", "/usr/bin/python3"]) {
    try {
      execFileSync(python, ["-c", "import ipykernel"], { stdio: "ignore" });
      return python;
    } catch {
      // try the next one
    }
  }
  return null;
}

interface Startup {
  infoMs: number;
  firstResultMs: number;
  idleRssMb: number;
  kernel: KernelProcess;
}

/** Spawn to kernel_info_reply, and spawn to the result of a first `1+1` sent right after it. */
async function measureStartup(contender: Contender): Promise<Startup> {
  const started = performance.now();
  const kernel = await KernelProcess.start({ argv: contender.argv, env: contender.env, cwd: contender.cwd });
  try {
    const info = await kernel.client.request("shell", "kernel_info_request", {}, 60000);
    const infoMs = performance.now() - started;
    if (info.content.status !== undefined && info.content.status !== "ok") throw new Error(`kernel_info failed: ${JSON.stringify(info.content)}`);
    const { reply } = await kernel.client.execute("1+1", { timeoutMs: 60000 });
    const firstResultMs = performance.now() - started;
    if (reply.content.status !== "ok") throw new Error(`first cell failed: ${JSON.stringify(reply.content)}`);
    return { infoMs, firstResultMs, idleRssMb: rssMb(kernel.pid), kernel };
  } catch (err) {
    kernel.child.kill("SIGKILL");
    kernel.dispose();
    throw new Error(`${contender.name} did not start: ${(err as Error).message}\n${kernel.log}`);
  }
}

/**
 * `count` kernels started at once, each runs `1+1`; their RSS once settled. With `importCell`,
 * then each runs it in turn: its round trip and the RSS after it.
 */
async function measureIdleKernels(
  contender: Contender,
  count: number,
  importCell?: string,
): Promise<{ settledMb: number[]; importMs: number[]; importRssMb: number[]; releasedMb: number[] }> {
  const kernels: KernelProcess[] = [];
  const env = importCell === undefined ? contender.env : { ...(contender.env ?? process.env), SEQLAB_CHECKER_RELEASE_MINUTES: String(RELEASE_MINUTES) };
  try {
    const started = await Promise.allSettled(Array.from({ length: count }, () => KernelProcess.start({ argv: contender.argv, env, cwd: contender.cwd })));
    for (const s of started) if (s.status === "fulfilled") kernels.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw new Error(`${contender.name}: a kernel of ${count} did not start: ${(failed.reason as Error).message}`);
    await Promise.all(
      kernels.map(async (kernel) => {
        const { reply } = await kernel.client.execute("1+1", { timeoutMs: 120000 });
        if (reply.content.status !== "ok") throw new Error(`${contender.name}: 1+1 failed: ${JSON.stringify(reply.content)}\n${kernel.log}`);
      }),
    );
    const settledMb = await settledRss(kernels.map((k) => k.pid));
    const importMs: number[] = [];
    const importRssMb: number[] = [];
    for (const kernel of importCell === undefined ? [] : kernels) {
      const t0 = performance.now();
      const { reply } = await kernel.client.execute(importCell!, { timeoutMs: 120000 });
      importMs.push(performance.now() - t0);
      if (reply.content.status !== "ok") throw new Error(`${contender.name}: the import cell failed: ${JSON.stringify(reply.content)}\n${kernel.log}`);
      importRssMb.push(rssMb(kernel.pid));
    }
    let releasedMb: number[] = [];
    if (importCell !== undefined) {
      await sleep(RELEASE_MINUTES * 60_000 + 5000);
      releasedMb = await settledRss(kernels.map((k) => k.pid));
    }
    return { settledMb, importMs, importRssMb, releasedMb };
  } finally {
    await Promise.all(kernels.map((k) => k.shutdown()));
  }
}

/** Spawn to the result of the import cell sent as the first cell, right after kernel_info (a notebook run top to bottom). */
async function measureImportFirst(contender: Contender): Promise<number> {
  const started = performance.now();
  const kernel = await KernelProcess.start({ argv: contender.argv, env: contender.env, cwd: contender.cwd });
  try {
    await kernel.client.request("shell", "kernel_info_request", {}, 60000);
    const { reply } = await kernel.client.execute(IMPORT_CELL, { timeoutMs: 120000 });
    if (reply.content.status !== "ok") throw new Error(`the import cell failed: ${JSON.stringify(reply.content)}\n${kernel.log}`);
    return performance.now() - started;
  } finally {
    await kernel.shutdown();
  }
}

/** Round trips of `1+1` (request to reply and idle) after `warmup` untimed ones. */
async function measureCells(kernel: KernelProcess, runs: number, warmup: number): Promise<number[]> {
  await kernel.client.waitForReady(60000);
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const { reply } = await kernel.client.execute("1+1");
    const ms = performance.now() - t0;
    if (reply.content.status !== "ok") throw new Error(`1+1 failed: ${JSON.stringify(reply.content)}`);
    if (i >= warmup) times.push(ms);
  }
  return times;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command("seqlab bench kernel")
    .description("start-up time and trivial-cell round trip of the seqlab kernel beside ipykernel")
    .option("--runs <n>", "timed `1+1` cells per kernel", "30")
    .option("--warmup <n>", "untimed cells first", "5")
    .option("--starts <n>", "process starts per kernel (start-up is their median)", "3")
    .option("--idle-kernels <n>", "kernels of each kind started at once, for the idle memory once settled", "10")
    .option("--engine <module>", "engine module for the seqlab kernel (default: the built-in one)")
    .option("--no-ipykernel", "measure seqlab only")
    .option("--typescript5", "also a seqlab kernel with SEQLAB_TYPESCRIPT=5 (TypeScript 5 checks its cells)")
    .option("--check-first", "also a seqlab kernel with SEQLAB_RUN_BEFORE_CHECKER=0 (every cell waits for the type checker)")
    .option("--folder <dir>", "the folder the kernels start in (default: a new empty one, as a notebook's own)")
    .exitOverride();
  try {
    program.parse(argv, { from: "user" });
  } catch (err) {
    // --help and --version end here too (commander has already printed them).
    const code = (err as { exitCode?: number }).exitCode;
    if (typeof code === "number") return code;
    throw err;
  }
  const opts = program.opts<{ runs: string; warmup: string; starts: string; idleKernels: string; engine?: string; ipykernel: boolean; typescript5?: boolean; checkFirst?: boolean; folder?: string }>();
  const whole = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${text}"`);
    return n;
  };
  const runs = whole("runs", opts.runs, 1);
  const warmup = whole("warmup", opts.warmup, 0);
  const starts = whole("starts", opts.starts, 1);
  const idleKernels = whole("idle-kernels", opts.idleKernels, 1);

  const folder = opts.folder ? path.resolve(opts.folder) : fs.mkdtempSync(path.join(os.tmpdir(), "seqlab-bench-notebook-"));
  const cli = path.join(__dirname, "..", "kernel", "cli.js");
  const spec = makeKernelSpec({ cliPath: cli });
  const seqlabArgv = [...spec.argv, ...(opts.engine ? ["--engine", opts.engine] : [])];
  const contenders: Contender[] = [{ name: "seqlab", argv: seqlabArgv, env: { ...process.env, ...spec.env, SEQLAB_TYPESCRIPT: "7" }, seqlab: true }];
  if (opts.typescript5) contenders.push({ name: "seqlab-ts5", argv: seqlabArgv, env: { ...process.env, ...spec.env, SEQLAB_TYPESCRIPT: "5" }, seqlab: true });
  if (opts.checkFirst) contenders.push({ name: "seqlab-check-first", argv: seqlabArgv, env: { ...process.env, ...spec.env, SEQLAB_TYPESCRIPT: "7", SEQLAB_RUN_BEFORE_CHECKER: "0" }, seqlab: true });
  if (opts.ipykernel) {
    const python = findIpykernelPython();
    if (!python) {
      process.stderr.write("ipykernel is not installed (apt-get install python3-ipykernel); measuring seqlab only\n");
    } else {
      contenders.push({ name: "ipykernel", argv: [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"] });
    }
  }

  for (const contender of contenders) contender.cwd = folder;
  const figures = new Map<string, Figures>(
    contenders.map((c) => [c.name, { infoMs: [], firstResultMs: [], idleRssMb: [], settledRssMb: [], cellMs: [], importMs: [], importRssMb: [], importFirstMs: [], settledImportMs: [], settledImportRssMb: [], releasedRssMb: [] }]),
  );
  // Start-ups: one process at a time, alternating between the contenders, so that drift in
  // machine load hits both alike. The first round's kernels stay up for the cell timings.
  const firstRound: KernelProcess[] = [];
  try {
    for (let round = 0; round < starts; round++) {
      for (const contender of contenders) {
        const start = await measureStartup(contender);
        const f = figures.get(contender.name)!;
        f.infoMs.push(start.infoMs);
        f.firstResultMs.push(start.firstResultMs);
        f.idleRssMb.push(start.idleRssMb);
        if (contender.seqlab) {
          const t0 = performance.now();
          const { reply } = await start.kernel.client.execute(IMPORT_CELL, { timeoutMs: 120000 });
          if (reply.content.status !== "ok") throw new Error(`importing seqlab failed: ${JSON.stringify(reply.content)}`);
          f.importMs.push(performance.now() - t0);
          f.importRssMb.push(rssMb(start.kernel.pid));
        }
        if (round === 0) firstRound.push(start.kernel);
        else await start.kernel.shutdown();
        if (contender.seqlab) f.importFirstMs.push(await measureImportFirst(contender));
        process.stderr.write(
          `  ${contender.name}: start ${round + 1}/${starts}: kernel_info ${start.infoMs.toFixed(0)} ms, first result ${start.firstResultMs.toFixed(0)} ms\n`,
        );
      }
    }
    // Cells: warm every kernel up, then alternate single cells between them.
    for (const kernel of firstRound) await measureCells(kernel, 0, warmup);
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < contenders.length; k++) {
        figures.get(contenders[k].name)!.cellMs.push(...(await measureCells(firstRound[k], 1, 0)));
      }
    }
  } finally {
    for (const kernel of firstRound) await kernel.shutdown();
  }
  // Idle kernels, one kind at a time (all of one kind at once, as a server starts them).
  for (const contender of contenders) {
    const f = figures.get(contender.name)!;
    const each = await measureIdleKernels(contender, idleKernels, contender.seqlab ? IMPORT_CELL : undefined);
    f.settledRssMb.push(...each.settledMb);
    f.settledImportMs.push(...each.importMs);
    f.settledImportRssMb.push(...each.importRssMb);
    f.releasedRssMb.push(...each.releasedMb);
    process.stderr.write(`  ${contender.name}: ${idleKernels} idle kernels settled: ${each.settledMb.map((mb) => mb.toFixed(0)).join(", ")} MB\n`);
  }
  if (!opts.folder) fs.rmSync(folder, { recursive: true, force: true });

  const rows = contenders.map((c) => {
    const f = figures.get(c.name)!;
    return {
      name: c.name,
      seqlab: c.seqlab === true,
      info: median(f.infoMs),
      first: median(f.firstResultMs),
      rss: median(f.idleRssMb),
      settled: median(f.settledRssMb),
      settledTotal: f.settledRssMb.reduce((a, b) => a + b, 0),
      cell: median(f.cellMs),
      importMs: f.importMs.length ? median(f.importMs) : undefined,
      importRss: f.importRssMb.length ? median(f.importRssMb) : undefined,
      importFirstMs: f.importFirstMs.length ? median(f.importFirstMs) : undefined,
      settledImportMs: f.settledImportMs.length ? median(f.settledImportMs) : undefined,
      settledImportRss: f.settledImportRssMb.length ? median(f.settledImportRssMb) : undefined,
      releasedRss: f.releasedRssMb.length ? median(f.releasedRssMb) : undefined,
      releasedTotal: f.releasedRssMb.reduce((a, b) => a + b, 0),
    };
  });
  const heads = ["kernel", "start to kernel_info", "start to first result", "RSS after 1st cell", "RSS idle, settled", `${idleKernels} idle kernels`, "trivial cell"];
  // The first column as wide as its longest entry ("ratio seqlab-check-first").
  const nameWidth = Math.max(12, ...rows.map((r) => `ratio ${r.name}`.length));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(nameWidth) : c.padStart(21))).join(" | ")} |`;
  console.log(
    `\nkernel start-up (median of ${starts}, alternating), resident memory (RSS) right after the first cell and once idle and settled ` +
      `(median and total of ${idleKernels} kernels started at once), and trivial cell \`1+1\` (median of ${runs} after ${warmup} warm-up)\n`,
  );
  console.log(line(heads));
  console.log(line(heads.map((_, i) => "-".repeat(i === 0 ? nameWidth : 21))));
  for (const r of rows) {
    console.log(
      line([r.name, `${r.info.toFixed(0)} ms`, `${r.first.toFixed(0)} ms`, `${r.rss.toFixed(0)} MB`, `${r.settled.toFixed(0)} MB`, `${r.settledTotal.toFixed(0)} MB`, `${r.cell.toFixed(2)} ms`]),
    );
  }
  const theirs = rows.find((r) => r.name === "ipykernel");
  if (theirs) {
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    for (const ours of rows.filter((r) => r.seqlab)) {
      console.log(
        line([
          rows.length > 2 ? `ratio ${ours.name}` : "ratio",
          ratio(ours.info, theirs.info),
          ratio(ours.first, theirs.first),
          ratio(ours.rss, theirs.rss),
          ratio(ours.settled, theirs.settled),
          ratio(ours.settledTotal, theirs.settledTotal),
          ratio(ours.cell, theirs.cell),
        ]),
      );
    }
    console.log("\nratio = seqlab / ipykernel. Start-up is the time to the first result: seqlab answers kernel_info before its engine loads.");
  }
  for (const ours of rows.filter((r) => r.seqlab)) {
    if (ours.importMs !== undefined) {
      console.log(`${ours.name}: a cell importing seqlab and TensorFlow.js right after the first result: ${ours.importMs.toFixed(0)} ms; RSS after it ${ours.importRss!.toFixed(0)} MB`);
    }
    if (ours.importFirstMs !== undefined) {
      console.log(`${ours.name}: the same cell as the first cell, from spawning the process (median of ${starts}): ${ours.importFirstMs.toFixed(0)} ms`);
    }
    if (ours.settledImportMs !== undefined) {
      console.log(
        `${ours.name}: the same cell in a settled idle kernel (median of ${idleKernels}, one at a time): ${ours.settledImportMs.toFixed(0)} ms; RSS after it ${ours.settledImportRss!.toFixed(0)} MB`,
      );
    }
    if (ours.releasedRss !== undefined) {
      console.log(
        `${ours.name}: those kernels ${RELEASE_MINUTES} minutes later, their type checkers released: RSS ${ours.releasedRss.toFixed(0)} MB (median), ${ours.releasedTotal.toFixed(0)} MB for ${idleKernels}`,
      );
    }
  }
  return 0;
}
