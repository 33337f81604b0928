/**
 * `seqlab bench kernel`: the seqlab kernel beside ipykernel, in one run on one machine.
 *   start-up: from spawning the process to the first kernel_info_reply (median of --starts)
 *   trivial cell: round trip of `1+1` (execute_request to execute_reply and idle), median of
 *   --runs after a warm-up
 * A speed report, not a test: it prints a table and the ratios seqlab / ipykernel.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { performance } from "perf_hooks";
import { Command } from "commander";
import { KernelProcess } from "../kernel/jupyter-client";

interface Contender {
  name: string;
  argv: string[];
}

interface Figures {
  startupMs: number[];
  cellMs: number[];
}

const median = (xs: number[]): number => {
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

async function measureStartup(contender: Contender): Promise<{ ms: number; kernel: KernelProcess }> {
  const started = performance.now();
  const kernel = await KernelProcess.start({ argv: contender.argv });
  try {
    const reply = await kernel.client.request("shell", "kernel_info_request", {}, 60000);
    const ms = performance.now() - started;
    if (reply.content.status !== undefined && reply.content.status !== "ok") throw new Error(`kernel_info failed: ${JSON.stringify(reply.content)}`);
    return { ms, kernel };
  } catch (err) {
    kernel.child.kill("SIGKILL");
    kernel.dispose();
    throw new Error(`${contender.name} did not answer kernel_info: ${(err as Error).message}\n${kernel.log}`);
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
    .option("--engine <module>", "engine module for the seqlab kernel (default: the built-in one)")
    .option("--no-ipykernel", "measure seqlab only")
    .exitOverride();
  try {
    program.parse(argv, { from: "user" });
  } catch (err) {
    // --help and --version end here too (commander has already printed them).
    const code = (err as { exitCode?: number }).exitCode;
    if (typeof code === "number") return code;
    throw err;
  }
  const opts = program.opts<{ runs: string; warmup: string; starts: string; engine?: string; ipykernel: boolean }>();
  const whole = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${text}"`);
    return n;
  };
  const runs = whole("runs", opts.runs, 1);
  const warmup = whole("warmup", opts.warmup, 0);
  const starts = whole("starts", opts.starts, 1);

  const cli = path.join(__dirname, "..", "kernel", "cli.js");
  const contenders: Contender[] = [
    { name: "seqlab", argv: [process.execPath, cli, "kernel", "--connection-file", "{connection_file}", ...(opts.engine ? ["--engine", opts.engine] : [])] },
  ];
  if (opts.ipykernel) {
    const python = findIpykernelPython();
    if (!python) {
      process.stderr.write("ipykernel is not installed (apt-get install python3-ipykernel); measuring seqlab only\n");
    } else {
      contenders.push({ name: "ipykernel", argv: [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"] });
    }
  }

  const figures = new Map<string, Figures>(contenders.map((c) => [c.name, { startupMs: [], cellMs: [] }]));
  // Start-ups: one process at a time, alternating between the contenders, so that drift in
  // machine load hits both alike. The first round's kernels stay up for the cell timings.
  const firstRound: KernelProcess[] = [];
  try {
    for (let round = 0; round < starts; round++) {
      for (const contender of contenders) {
        const { ms, kernel } = await measureStartup(contender);
        figures.get(contender.name)!.startupMs.push(ms);
        if (round === 0) firstRound.push(kernel);
        else await kernel.shutdown();
        process.stderr.write(`  ${contender.name}: start ${round + 1}/${starts} ${ms.toFixed(0)} ms\n`);
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

  const rows = contenders.map((c) => {
    const f = figures.get(c.name)!;
    return { name: c.name, startup: median(f.startupMs), cell: median(f.cellMs) };
  });
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(10) : c.padStart(22))).join(" | ")} |`;
  console.log(`\nkernel start-up (median of ${starts}) and trivial cell \`1+1\` (median of ${runs} after ${warmup} warm-up)\n`);
  console.log(line(["kernel", "start to kernel_info", "trivial cell"]));
  console.log(line(["-".repeat(10), "-".repeat(22), "-".repeat(22)]));
  for (const r of rows) console.log(line([r.name, `${r.startup.toFixed(0)} ms`, `${r.cell.toFixed(2)} ms`]));
  if (rows.length === 2) {
    const [ours, theirs] = rows;
    console.log(line(["ratio", `${(ours.startup / theirs.startup).toFixed(2)}x`, `${(ours.cell / theirs.cell).toFixed(2)}x`]));
    console.log("\nratio = seqlab / ipykernel (targets: start-up <= 1.0x, trivial cell <= 1.2x)");
  }
  return 0;
}
