/**
 * Executes one notebook cell by cell in a fresh kernel, storing outputs as Jupyter does,
 * and reports progress. Stops at the first failing cell, except in cells tagged
 * `raises-exception` (an error there is expected, as nbclient treats it); the kernel is
 * always shut down.
 */
import * as path from "path";
import { KERNEL_ENV, KERNEL_NODE_OPTIONS } from "../install";
import { KernelProcess, TimeoutError, type KernelProcessOptions } from "../jupyter-client";
import { clearOutputs, hasTag, type CodeCell, type ErrorOutput, type Notebook } from "./notebook";
import { OutputCollector } from "./outputs";
import { WIDGET_STATE_MIME, WidgetStateCollector } from "./widget-state";
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
  /** At the end only; "raised" is an error in a cell tagged raises-exception. */
  status?: "ok" | "failed" | "raised" | "interrupted";
  seconds?: number;
}

/** The kernel as the installed kernelspec starts it: the same node options (see install.ts). */
export function defaultKernelArgv(): string[] {
  return [process.execPath, ...KERNEL_NODE_OPTIONS, path.resolve(__dirname, "..", "cli.js"), "kernel", "--connection-file", "{connection_file}"];
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

/** The execute_reply fields the runner reads. */
interface ExecuteReplyContent {
  status: "ok" | "error" | "aborted";
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** Run one cell, storing its outputs; resolves with what went wrong, or undefined. */
async function executeCell(kernel: KernelProcess, cell: CodeCell, collector: OutputCollector, widgets: WidgetStateCollector, timeoutSeconds: number | undefined): Promise<Failure | undefined> {
  collector.begin(cell);
  try {
    // Outputs are stored as they arrive (live displays update in place); status needs no storing.
    const run = await kernel.client.executeStreaming(
      cell.source,
      (m) => {
        if (m.header.msg_type === "status") return;
        const msg = { msg_type: m.header.msg_type, content: m.content };
        collector.handle(msg);
        widgets.handle(msg);
      },
      { allow_stdin: false, timeoutMs: timeoutSeconds !== undefined ? timeoutSeconds * 1000 : undefined, idleGraceMs: 5000 },
    );
    const reply = run.reply.content as unknown as ExecuteReplyContent;
    cell.execution_count = reply.execution_count ?? null;
    cell.metadata = { ...cell.metadata, execution: run.timing };
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
  const env: NodeJS.ProcessEnv = { ...KERNEL_ENV, ...process.env };
  if (options.quick) env.SEQLAB_QUICK = "1";
  // The executed notebook is read later, by frontends that draw plotly JSON themselves and by
  // --html, which puts plotly.js once into its page: no output needs the 5 MB bundle.
  env.SEQLAB_PLOTLY_JS ??= "none";
  // keepIopub off: a long training cell streams many updates, and each is stored as it comes.
  const launch: KernelProcessOptions = { argv: options.kernelArgv ?? defaultKernelArgv(), env, cwd: options.cwd, onOutput: options.onKernelLog, keepIopub: false };
  const codeCells = nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
  const result: NotebookRun = { notebook: nb, interrupted: false, seconds: 0 };
  if (options.signal?.aborted) return { ...result, interrupted: true };

  const { kernel, info } = await KernelProcess.launch(launch);
  // As Jupyter does, the notebook records the language of the kernel that ran it.
  const languageInfo = info.content.language_info;
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
    const widgets = new WidgetStateCollector();
    for (let i = 0; i < codeCells.length; i++) {
      const cell = codeCells[i];
      if (options.signal?.aborted) {
        result.interrupted = true;
        break;
      }
      const at = { index: i + 1, total: codeCells.length, source: cell.source, injected: hasTag(cell, "injected-parameters") };
      progress({ phase: "start", ...at });
      const t0 = Date.now();
      const failure = await executeCell(kernel, cell, collector, widgets, options.timeoutSeconds);
      const seconds = (Date.now() - t0) / 1000;
      if (options.signal?.aborted) {
        progress({ phase: "end", ...at, status: "interrupted", seconds });
        result.interrupted = true;
        break;
      }
      if (failure && hasTag(cell, "raises-exception")) {
        progress({ phase: "end", ...at, status: "raised", seconds });
        continue;
      }
      if (failure) {
        progress({ phase: "end", ...at, status: "failed", seconds });
        result.failure = { index: i + 1, total: codeCells.length, source: cell.source, ...failure };
        break;
      }
      progress({ phase: "end", ...at, status: "ok", seconds });
    }
    // Also after a failure or an interrupt: the outputs kept show the widgets made so far.
    const state = widgets.metadata();
    if (state) nb.metadata = { ...nb.metadata, widgets: { [WIDGET_STATE_MIME]: state } };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    clearTimeout(forceTimer);
    await kernel.shutdown();
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}
