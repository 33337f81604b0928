/**
 * A recording CellHost and one shared engine for the engine and magics tests (one engine
 * at a time: it installs process-wide globals and output capture).
 */
import type { CellHost, ExecuteOutcome, MimeBundle } from "../../kernel/contract";
import { TypeScriptEngine } from "../../kernel/engine";

export interface DisplayRecord {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  displayId?: string;
  update?: boolean;
}

export class RecordingHost implements CellHost {
  out = "";
  err = "";
  displays: DisplayRecord[] = [];
  clears: boolean[] = [];
  payloads: Record<string, unknown>[] = [];
  prompts: string[] = [];
  constructor(private readonly answers: string[] | "no-stdin" = []) {}
  stdout(text: string): void {
    this.out += text;
  }
  stderr(text: string): void {
    this.err += text;
  }
  display(data: MimeBundle, metadata: Record<string, unknown>, displayId?: string, update?: boolean): void {
    this.displays.push({ data, metadata, displayId, update });
  }
  clearOutput(wait: boolean): void {
    this.clears.push(wait);
  }
  async input(prompt: string): Promise<string> {
    this.prompts.push(prompt);
    if (this.answers === "no-stdin") throw new Error("this frontend does not support input requests");
    return this.answers.shift() ?? "";
  }
  payload(item: Record<string, unknown>): void {
    this.payloads.push(item);
  }
}

let shared: TypeScriptEngine | undefined;
let count = 0;

export function engine(): TypeScriptEngine {
  // Every cell is checked before it runs, the first ones too (unchecked-cells.test.ts tests those that run first).
  shared ??= new TypeScriptEngine({ preloadDelayMs: 0, runBeforeChecker: false });
  return shared;
}

export interface Run {
  outcome: ExecuteOutcome;
  host: RecordingHost;
  /** The execution count the run got. */
  count: number;
}

export async function run(code: string, host = new RecordingHost()): Promise<Run> {
  const executionCount = ++count;
  const outcome = await engine().execute(code, host, { silent: false, storeHistory: true, executionCount });
  return { outcome, host, count: executionCount };
}

/** The text/plain of a cell's result (fails the test when there is none). */
export function resultText(r: Run): string {
  if (r.outcome.status !== "ok") throw new Error(`cell failed: ${r.outcome.ename}: ${r.outcome.evalue}\n${r.outcome.traceback.join("\n")}`);
  if (!r.outcome.result) throw new Error("cell had no result");
  return String(r.outcome.result.data["text/plain"]);
}

export function errorOf(r: Run): { ename: string; evalue: string; traceback: string[] } {
  if (r.outcome.status !== "error") throw new Error(`expected an error, got ${JSON.stringify(r.outcome)}`);
  return r.outcome;
}

/**
 * Call inside describe(): disposes the engine after the suite. It holds process-wide hooks
 * (uncaught-error reporting, output capture, lib's display host and abort signal), which
 * must not reach the files that run after it; the next suite starts a fresh engine.
 */
/** Disposes the shared engine, if one is up (the next engine() makes a fresh one). */
export async function disposeSharedEngine(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.dispose();
}

export function disposeEngineAfterSuite(): void {
  after(disposeSharedEngine);
}
