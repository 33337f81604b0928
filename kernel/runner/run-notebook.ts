/**
 * Executes one notebook cell by cell in a fresh kernel, storing outputs as Jupyter does,
 * and reports progress. Stops at the first failing cell; the kernel is always shut down.
 */
import * as path from "path";
import { KernelClient, TimeoutError, type KernelLaunch } from "./kernel-client";
import { clearOutputs, hasTag, type CodeCell, type ErrorOutput, type Notebook } from "./notebook";
import { OutputCollector } from "./outputs";
import { injectParameters, type ParameterValue } from "./parameters";

export interface CellFailure {
  /** 1-based position among the code cells, and their count. */
  index: number;
  total: number;
  source: string;
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface NotebookRun {
  notebook: Notebook;
  /** Undefined when every cell ran. */
  failure?: CellFailure;
  interrupted: boolean;
  seconds: number;
}

export interface RunNotebookOptions {
  params?: Record<string, ParameterValue>;
  quick?: boolean;
  timeoutSeconds?: number;
  /** Working directory of the kernel (Jupyter uses the notebook's folder). */
  cwd?: string;
  /** The kernel's argv; default: this package's `cli.js kernel --connection-file {connection_file}`. */
  kernelArgv?: string[];
  /** Called when a cell starts and when it ends (default: nothing). */
  onProgress?: (event: CellProgress) => void;
  /** Aborting stops the run at once: the running cell is interrupted, the rest skipped. */
  signal?: AbortSignal;
  /** The kernel's own log output (default: discarded). */
  onKernelLog?: (text: string) => void;
}

export interface CellProgress {
  phase: "start" | "end";
  /** 1-based position among the code cells, and their count. */
  index: number;
  total: number;
  source: string;
  injected: boolean;
  /** At the end only. */
  status?: "ok" | "failed" | "interrupted";
  seconds?: number;
}

export function defaultKernelArgv(): string[] {
  return [process.execPath, path.resolve(__dirname, "..", "cli.js"), "kernel", "--connection-file", "{connection_file}"];
}

/** The first line of a cell, shortened, for progress lines. */
export function firstLine(source: string, width = 60): string {
  const line = source.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > width ? line.slice(0, width - 1) + "…" : line;
}

function errorOf(cell: CodeCell): ErrorOutput | undefined {
  return cell.outputs.find((o): o is ErrorOutput => o.output_type === "error");
}

type Failure = Omit<CellFailure, "index" | "total" | "source">;

/** Run one cell, storing its outputs; resolves with what went wrong, or undefined. */
async function executeCell(kernel: KernelClient, cell: CodeCell, collector: OutputCollector, timeoutSeconds: number | undefined): Promise<Failure | undefined> {
  collector.begin(cell);
  try {
    const reply = await kernel.execute(cell.source, (m) => collector.handle(m), {
      timeoutMs: timeoutSeconds !== undefined ? timeoutSeconds * 1000 : undefined,
    });
    cell.execution_count = reply.execution_count ?? null;
    cell.metadata = { ...cell.metadata, execution: reply.timing };
    if (reply.status === "ok") return undefined;
    const shown = errorOf(cell);
    // Some kernels (tslab) report errors only on stderr; show that text then.
    const stderr = cell.outputs.map((o) => (o.output_type === "stream" && o.name === "stderr" ? o.text : "")).join("");
    return {
      ename: reply.ename || shown?.ename || (reply.status === "aborted" ? "Aborted" : "Error"),
      evalue: reply.evalue || shown?.evalue || "the kernel reported an error without details",
      traceback: reply.traceback?.length ? reply.traceback : shown?.traceback.length ? shown.traceback : stderr ? [stderr] : [],
    };
  } catch (e) {
    const failure: Failure =
      e instanceof TimeoutError
        ? { ename: "CellTimeoutError", evalue: `the cell ran longer than ${timeoutSeconds} s (--timeout) and was interrupted`, traceback: [] }
        : { ename: "KernelError", evalue: (e as Error).message, traceback: [] };
    if (e instanceof TimeoutError) await kernel.interrupt();
    cell.outputs.push({ output_type: "error", ...failure });
    return failure;
  }
}

export async function runNotebook(input: Notebook, options: RunNotebookOptions = {}): Promise<NotebookRun> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  const nb = clearOutputs(injectParameters(input, options.params ?? {}));
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.quick) env.SEQLAB_QUICK = "1";
  const launch: KernelLaunch = { argv: options.kernelArgv ?? defaultKernelArgv(), env, cwd: options.cwd, onLog: options.onKernelLog };
  const codeCells = nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
  const result: NotebookRun = { notebook: nb, interrupted: false, seconds: 0 };
  if (options.signal?.aborted) return { ...result, interrupted: true };

  const kernel = await KernelClient.start(launch);
  // As Jupyter does, the notebook records the language of the kernel that ran it.
  const languageInfo = kernel.kernelInfo.language_info;
  if (languageInfo && typeof languageInfo === "object") nb.metadata = { ...nb.metadata, language_info: languageInfo };
  // Ctrl-C: interrupt the cell; a kernel that does not stop within 5 s is shut down, which
  // also ends the wait for the cell's reply.
  let forceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    void kernel.interrupt();
    forceTimer = setTimeout(() => void kernel.shutdown(1000), 5000);
  };
  options.signal?.addEventListener("abort", onAbort);
  try {
    const collector = new OutputCollector();
    for (let i = 0; i < codeCells.length; i++) {
      const cell = codeCells[i];
      if (options.signal?.aborted) {
        result.interrupted = true;
        break;
      }
      const at = { index: i + 1, total: codeCells.length, source: cell.source, injected: hasTag(cell, "injected-parameters") };
      progress({ phase: "start", ...at });
      const t0 = Date.now();
      const failure = await executeCell(kernel, cell, collector, options.timeoutSeconds);
      const seconds = (Date.now() - t0) / 1000;
      if (options.signal?.aborted) {
        progress({ phase: "end", ...at, status: "interrupted", seconds });
        result.interrupted = true;
        break;
      }
      if (failure) {
        progress({ phase: "end", ...at, status: "failed", seconds });
        result.failure = { index: i + 1, total: codeCells.length, source: cell.source, ...failure };
        break;
      }
      progress({ phase: "end", ...at, status: "ok", seconds });
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    clearTimeout(forceTimer);
    await kernel.shutdown();
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}
