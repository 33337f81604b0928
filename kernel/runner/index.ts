/**
 * `seqlab run`: execute notebooks headlessly and write the executed copies (and HTML pages).
 * kernel/cli.ts dispatches `seqlab run ...` to `main(argv)`.
 */
import * as fs from "fs";
import * as path from "path";
import { parseRunArgs, USAGE, UsageError, type RunOptions } from "./args";
import { notebookToHtml } from "./html";
import { plural } from "../../lib/viz/format";
import { NotebookFormatError, readNotebook, writeNotebook, type Notebook } from "./notebook";
import { firstLine, runNotebook, type CellFailure, type CellProgress } from "./run-notebook";

export { parseRunArgs, USAGE, type RunOptions } from "./args";
export { notebookToHtml } from "./html";
export * from "./notebook";
export { OutputCollector, type IopubMessage } from "./outputs";
export { injectParameters, parseParameter, type ParameterValue } from "./parameters";
export { KernelProcess, JupyterClient, type KernelProcessOptions, type ExecutionTiming } from "../jupyter-client";
export { runNotebook, defaultKernelArgv, type NotebookRun, type RunNotebookOptions, type CellFailure, type CellProgress } from "./run-notebook";

/**
 * Progress on stderr: "  [i/N] first line ... ok 1.2 s". On a terminal the outcome ends the
 * same line; in logs the start gets its own line, so a long cell shows what is running.
 */
export function progressPrinter(stream: NodeJS.WriteStream): (e: CellProgress) => void {
  return (e) => {
    const head = `  [${e.index}/${e.total}] ${firstLine(e.source)}${e.injected ? "  (injected parameters)" : ""}`;
    if (e.phase === "start") {
      stream.write(stream.isTTY ? `${head} ... ` : `${head}\n`);
      return;
    }
    const status = e.status === "raised" ? "error, as its raises-exception tag expects," : e.status;
    const outcome = `${status} ${(e.seconds ?? 0).toFixed(1)} s`;
    stream.write(stream.isTTY ? `${outcome}\n` : `  [${e.index}/${e.total}] ${outcome}\n`);
  };
}

function describeFailure(file: string, f: CellFailure): string {
  const rule = "-".repeat(70);
  const lines = [
    `\n${file}: cell ${f.index}/${f.total} failed`,
    rule,
    f.source,
    rule,
  ];
  const tb = f.traceback.join("\n").trim();
  const summary = `${f.ename}: ${f.evalue}`;
  // Kernels usually start the traceback with "ename: evalue"; print that line once.
  if (!tb.startsWith(summary)) lines.push(summary);
  if (tb) lines.push(tb);
  return lines.join("\n") + "\n";
}

/**
 * The kernel's argv may be replaced (e.g. to run notebooks with another Jupyter kernel)
 * through SEQLAB_RUN_KERNEL, a JSON array containing "{connection_file}".
 */
function kernelArgvFromEnv(): string[] | undefined {
  const raw = process.env.SEQLAB_RUN_KERNEL;
  if (!raw) return undefined;
  let argv: unknown;
  try {
    argv = JSON.parse(raw);
  } catch {
    argv = undefined;
  }
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === "string") || !argv.some((a) => a.includes("{connection_file}"))) {
    throw new UsageError(`SEQLAB_RUN_KERNEL must be a JSON array of strings containing "{connection_file}", got ${raw}`);
  }
  return argv;
}

type Outcome = "passed" | "failed" | "interrupted";

/** Two notebooks whose executed copies would overwrite each other in --out, if any. */
function sameOutputName(files: string[]): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const file of files) {
    const name = path.basename(file);
    const other = seen.get(name);
    if (other !== undefined && path.resolve(other) !== path.resolve(file)) return [other, file];
    seen.set(name, file);
  }
  return undefined;
}

/** "3 notebooks: 2 passed, 1 failed" (and how many were not run after an interrupt). */
export function summaryLine(outcomes: Outcome[], total: number): string {
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  const parts = [`${count("passed")} passed`, `${count("failed")} failed`];
  if (count("interrupted") > 0) parts.push(`${count("interrupted")} interrupted`);
  if (outcomes.length < total) parts.push(`${total - outcomes.length} not run`);
  return `${plural(total, "notebook")}: ${parts.join(", ")}`;
}

/** Runs one notebook, writes its executed copy (and page), and says how it went. */
async function runOne(file: string, nb: Notebook, opts: RunOptions, kernelArgv: string[] | undefined, signal: AbortSignal): Promise<Outcome> {
  process.stderr.write(`seqlab run: ${file}${opts.quick ? " (quick)" : ""}\n`);
  let run;
  try {
    run = await runNotebook(nb, {
      params: opts.params,
      quick: opts.quick,
      timeoutSeconds: opts.timeoutSeconds,
      // As nbconvert does: the kernel starts in the notebook's folder.
      cwd: path.dirname(path.resolve(file)),
      kernelArgv,
      signal,
      onProgress: progressPrinter(process.stderr),
      onKernelLog: process.env.SEQLAB_RUN_KERNEL_LOG === "1" ? (t) => process.stderr.write(t) : undefined,
    });
  } catch (e) {
    // Parameter problems and kernels that do not start end here; nothing was written.
    process.stderr.write(`seqlab run: ${file}: ${(e as Error).message}\n`);
    return "failed";
  }
  fs.mkdirSync(opts.outDir, { recursive: true });
  const out = path.join(opts.outDir, path.basename(file));
  writeNotebook(out, run.notebook);
  process.stderr.write(`  wrote ${out}\n`);
  if (opts.html) {
    const page = out.replace(/\.ipynb$/i, "") + ".html";
    fs.writeFileSync(page, notebookToHtml(run.notebook, path.basename(file)));
    process.stderr.write(`  wrote ${page}\n`);
  }
  if (run.interrupted) return "interrupted";
  if (run.failure) {
    process.stderr.write(describeFailure(file, run.failure));
    return "failed";
  }
  process.stderr.write(`  done in ${run.seconds.toFixed(1)} s\n`);
  return "passed";
}

/** Runs `seqlab run` with the arguments after "run"; resolves with the exit status. */
export async function main(argv: string[]): Promise<number> {
  let opts: RunOptions;
  let kernelArgv: string[] | undefined;
  try {
    opts = parseRunArgs(argv);
    kernelArgv = kernelArgvFromEnv();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`seqlab run: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) return;
    process.stderr.write("\nseqlab run: interrupted, stopping the kernel...\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  try {
    const notebooks = new Map<string, Notebook>();
    for (const file of opts.notebooks) {
      try {
        notebooks.set(file, readNotebook(file));
      } catch (e) {
        if (!(e instanceof NotebookFormatError)) throw e;
        process.stderr.write(`seqlab run: ${e.message}\n`);
        return 2;
      }
    }
    const clash = sameOutputName(opts.notebooks);
    if (clash) {
      process.stderr.write(`seqlab run: ${clash.join(" and ")} would both be written to ${path.join(opts.outDir, path.basename(clash[0]))}; run them with different --out folders\n`);
      return 2;
    }
    const outcomes: Outcome[] = [];
    for (const [file, nb] of notebooks) {
      const outcome = await runOne(file, nb, opts, kernelArgv, controller.signal);
      outcomes.push(outcome);
      if (outcome === "interrupted") break;
    }
    process.stderr.write(`seqlab run: ${summaryLine(outcomes, opts.notebooks.length)}\n`);
    if (outcomes.includes("interrupted")) return 130;
    return outcomes.every((o) => o === "passed") ? 0 : 1;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
}
