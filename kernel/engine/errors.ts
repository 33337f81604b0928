/**
 * Cell errors as Jupyter shows them: ename, evalue and a traceback whose positions refer
 * to the cell's TypeScript lines.
 */
import type { Diagnostic } from "tslab/dist/converter";
import { KeyboardInterrupt } from "./context";
import { plainText } from "./display";
import { CellSourceMap } from "./sourcemap";
import type { CellDiagnostic } from "./cell-project";

export type CellError = { status: "error"; ename: string; evalue: string; traceback: string[] };

/** A script compiled from one cell: where its frames come from and how to map them. */
export interface CellScriptInfo {
  /** The file name V8 reports in stack frames of this script. */
  filename: string;
  /** How tracebacks name it, e.g. "Cell In[3]". */
  label: string;
  /** The cell's TypeScript text (line numbers refer to it). */
  source: string;
  /** Lines the runner put before the compiled output. */
  wrapperLines: number;
  map: CellSourceMap;
}

/** Registry of compiled cell scripts, so frames of functions defined in earlier cells map too. */
export class CellScripts {
  private readonly byFile = new Map<string, CellScriptInfo>();

  add(info: CellScriptInfo): void {
    this.byFile.set(info.filename, info);
  }

  get(filename: string): CellScriptInfo | undefined {
    return this.byFile.get(filename);
  }
}

/** A thrown error meant for the user as is (bad magic arguments, bad input), no frames. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A position in a cell, with the script it came from. */
export interface CellFrame {
  info: CellScriptInfo;
  line: number;
  column: number;
}

/** The first cell frame of errors whose stack was already written with cell positions (stack.ts). */
const firstCellFrames = new WeakMap<object, CellFrame>();

export function rememberFirstCellFrame(error: object, frame: CellFrame): void {
  firstCellFrames.set(error, frame);
}

/** The cell position of a 1-based line and column of a cell script; undefined for compiler glue. */
export function cellPosition(info: CellScriptInfo, line: number, column: number): { line: number; column: number } | undefined {
  return info.map.toCell(line - info.wrapperLines, column - 1);
}

const FRAME = /^(\s*at (?:.*? \()?)(.*?):(\d+):(\d+)(\)?)\s*$/;
export const INTERNAL_FRAME = /(^node:|^seqlab-driver$|[\\/]kernel[\\/]engine[\\/]|[\\/]kernel[\\/]magics[\\/]|[\\/]node_modules[\\/]tslab[\\/])/;

function sourceLine(source: string, line: number): string | undefined {
  return source.split("\n")[line - 1];
}

/** Rewrites a V8 stack: cell frames get cell positions, engine frames are dropped. */
export function mapStack(stack: string, scripts: CellScripts): { lines: string[]; firstCell?: CellFrame } {
  const lines: string[] = [];
  let firstCell: CellFrame | undefined;
  for (const raw of stack.split("\n")) {
    const m = FRAME.exec(raw);
    if (!m) {
      if (lines.length === 0 || !/^\s*at /.test(raw)) continue; // the message lines come from ename/evalue
      continue;
    }
    const [, head, file, lineText, colText, close] = m;
    const info = scripts.get(file);
    if (info) {
      const pos = cellPosition(info, Number(lineText), Number(colText));
      if (!pos) continue; // compiler-made glue around the cell
      if (!firstCell) firstCell = { info, line: pos.line, column: pos.column };
      // Functions from earlier cells are called as `exports.f()` on the namespace proxy.
      lines.push(`${head.replace(/\bat Proxy\./, "at ")}${info.label}:${pos.line}:${pos.column}${close}`);
      continue;
    }
    if (INTERNAL_FRAME.test(file)) continue;
    lines.push(raw);
  }
  return { lines, firstCell };
}

function describeThrown(value: unknown): { ename: string; evalue: string; stack?: string } {
  if (value instanceof Error) {
    return { ename: value.name || value.constructor?.name || "Error", evalue: value.message, stack: value.stack };
  }
  if (value !== null && typeof value === "object" && "message" in value && "name" in value) {
    const v = value as { name: unknown; message: unknown; stack?: unknown };
    return { ename: String(v.name), evalue: String(v.message), stack: typeof v.stack === "string" ? v.stack : undefined };
  }
  return { ename: "Uncaught", evalue: plainText(value) };
}

export function keyboardInterruptError(): CellError {
  return { status: "error", ename: "KeyboardInterrupt", evalue: "", traceback: ["KeyboardInterrupt: execution interrupted; variables are kept"] };
}

export function usageError(message: string): CellError {
  return { status: "error", ename: "UsageError", evalue: message, traceback: [`UsageError: ${message}`] };
}

/** The reply for something a cell threw. */
export function runtimeError(thrown: unknown, scripts: CellScripts): CellError {
  if (thrown instanceof KeyboardInterrupt) return keyboardInterruptError();
  if (thrown instanceof UsageError) return usageError(thrown.message);
  const { ename, evalue, stack } = describeThrown(thrown);
  const traceback = [`${ename}: ${evalue}`];
  if (stack) {
    const mapped = mapStack(stack, scripts);
    const lines = mapped.lines;
    const firstCell = mapped.firstCell ?? (typeof thrown === "object" && thrown !== null ? firstCellFrames.get(thrown) : undefined);
    if (firstCell) {
      const text = sourceLine(firstCell.info.source, firstCell.line);
      if (text !== undefined) traceback.push(`${firstCell.info.label}, line ${firstCell.line}:`, `----> ${firstCell.line} ${text.trimEnd()}`);
    }
    traceback.push(...lines);
  }
  return { status: "error", ename, evalue, traceback };
}

/** The reply for TypeScript diagnostics: every message with its line:col in the cell. */
/** One cell's diagnostics in the shape of tslab's converter (what compileError formats). */
export function asConverterDiagnostics(source: string, diagnostics: CellDiagnostic[]): Diagnostic[] {
  const lineStarts = [0];
  for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const position = (offset: number) => {
    let line = lineStarts.length - 1;
    while (lineStarts[line] > offset) line--;
    return { offset, line, character: offset - lineStarts[line] };
  };
  return diagnostics
    .filter((d) => d.category === "error")
    .map((d) => ({ start: position(d.start), end: position(d.start + d.length), messageText: d.message, category: 1, code: d.code }));
}

export function compileError(diagnostics: Diagnostic[], source: string, label: string): CellError {
  const located = diagnostics.map((d) => {
    const where = d.fileName ? `${d.fileName}:${d.start.line + 1}:${d.start.character + 1}` : `${d.start.line + 1}:${d.start.character + 1}`;
    return { d, where, text: `${where} - error${d.code ? ` TS${d.code}` : ""}: ${d.messageText}` };
  });
  const traceback: string[] = [];
  for (const { d, text } of located) {
    traceback.push(`${label}, ${text}`);
    if (!d.fileName) {
      const line = sourceLine(source, d.start.line + 1);
      if (line !== undefined) {
        const width = Math.max(1, d.end.line === d.start.line ? d.end.character - d.start.character : 1);
        traceback.push(`    ${line.trimEnd()}`, `    ${" ".repeat(d.start.character)}${"^".repeat(width)}`);
      }
    }
  }
  const first = located[0];
  return {
    status: "error",
    ename: "CompileError",
    evalue: first ? `${first.where} - ${first.d.messageText}` + (located.length > 1 ? ` (and ${located.length - 1} more)` : "") : "compilation failed",
    traceback,
  };
}
