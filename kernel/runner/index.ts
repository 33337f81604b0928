/**
 * `seqlab run`: execute notebooks headlessly and write the executed copies (and HTML pages).
 * kernel/cli.ts dispatches `seqlab run ...` to `main(argv)`.
 */
import * as fs from "fs";
import * as path from "path";
import { parseRunArgs, USAGE, UsageError, type RunOptions } from "./args";
import { notebookToHtml } from "./html";
import { NotebookFormatError, readNotebook, writeNotebook } from "./notebook";
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
    const outcome = `${e.status} ${(e.seconds ?? 0).toFixed(1)} s`;
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
    for (const file of opts.notebooks) {
      let nb;
      try {
        nb = readNotebook(file);
      } catch (e) {
        if (e instanceof NotebookFormatError) {
          process.stderr.write(`seqlab run: ${e.message}\n`);
          return 2;
        }
        throw e;
      }
      process.stderr.write(`seqlab run: ${file}${opts.quick ? " (quick)" : ""}\n`);
      let run;
      try {
        run = await runNotebook(nb, {
          params: opts.params,
          quick: opts.quick,
          timeoutSeconds: opts.timeoutSeconds,
          cwd: path.dirname(path.resolve(file)),
          kernelArgv,
          signal: controller.signal,
          onProgress: progressPrinter(process.stderr),
          onKernelLog: process.env.SEQLAB_RUN_KERNEL_LOG === "1" ? (t) => process.stderr.write(t) : undefined,
        });
      } catch (e) {
        // Parameter problems and kernels that do not start end here; nothing was written.
        process.stderr.write(`seqlab run: ${file}: ${(e as Error).message}\n`);
        return 1;
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
      if (run.interrupted) return 130;
      if (run.failure) {
        process.stderr.write(describeFailure(file, run.failure));
        return 1;
      }
      process.stderr.write(`  done in ${run.seconds.toFixed(1)} s\n`);
    }
    return 0;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
}
