/**
 * nbformat 4 notebooks as plain data: reading (multi-line strings may be lists of lines),
 * writing the way Jupyter does (sorted keys, one-space indent, text split into lines), and
 * the small edits the runner needs (cell ids, clearing outputs).
 */
import * as crypto from "crypto";
import * as fs from "fs";

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: string;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CellMetadata {
  tags?: string[];
  [key: string]: unknown;
}
export interface CodeCell {
  cell_type: "code";
  id: string;
  source: string;
  metadata: CellMetadata;
  execution_count: number | null;
  outputs: Output[];
}
interface TextCellBase {
  id: string;
  source: string;
  metadata: CellMetadata;
  attachments?: Record<string, unknown>;
}
export interface MarkdownCell extends TextCellBase {
  cell_type: "markdown";
}
export interface RawCell extends TextCellBase {
  cell_type: "raw";
}
export type TextCell = MarkdownCell | RawCell;
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** Thrown for files that are not nbformat 4 notebooks; the message says what was wrong. */
export class NotebookFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotebookFormatError";
  }
}

function joinLines(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return typeof value === "string" ? value : "";
}

function joinBundle(data: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data ?? {})) {
    out[mime] = Array.isArray(value) && value.every((v) => typeof v === "string") && !mime.endsWith("json")
      ? value.join("")
      : value;
  }
  return out;
}

function readOutput(raw: Record<string, unknown>): Output {
  switch (raw.output_type) {
    case "stream":
      return { output_type: "stream", name: raw.name === "stderr" ? "stderr" : "stdout", text: joinLines(raw.text) };
    case "display_data":
      return { output_type: "display_data", data: joinBundle(raw.data as Record<string, unknown>), metadata: (raw.metadata as Record<string, unknown>) ?? {} };
    case "execute_result":
      return {
        output_type: "execute_result",
        execution_count: (raw.execution_count as number | null) ?? null,
        data: joinBundle(raw.data as Record<string, unknown>),
        metadata: (raw.metadata as Record<string, unknown>) ?? {},
      };
    case "error":
      return { output_type: "error", ename: String(raw.ename ?? ""), evalue: String(raw.evalue ?? ""), traceback: (raw.traceback as string[]) ?? [] };
    default:
      throw new NotebookFormatError(`unknown output_type ${JSON.stringify(raw.output_type)}`);
  }
}

/** A fresh cell id in the nbformat 4.5 style (letters, digits, '-', '_'; 1 to 64 characters). */
export function newCellId(): string {
  return crypto.randomBytes(6).toString("hex");
}

/** Parse notebook JSON text; `where` names the file in error messages. */
export function parseNotebook(text: string, where = "notebook"): Notebook {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(`${where} is not valid JSON (${(e as Error).message}); is it an .ipynb file?`);
  }
  if (!raw || typeof raw !== "object" || raw.nbformat !== 4 || !Array.isArray(raw.cells)) {
    throw new NotebookFormatError(
      `${where} is not an nbformat 4 notebook (found nbformat ${JSON.stringify(raw?.nbformat)}); convert it with 'jupyter nbconvert --to notebook' first`,
    );
  }
  const seen = new Set<string>();
  const cells: Cell[] = (raw.cells as Record<string, unknown>[]).map((c, i) => {
    let id = typeof c.id === "string" && /^[a-zA-Z0-9-_]{1,64}$/.test(c.id) && !seen.has(c.id) ? c.id : newCellId();
    seen.add(id);
    const metadata = (c.metadata as CellMetadata) ?? {};
    const source = joinLines(c.source);
    if (c.cell_type === "code") {
      return {
        cell_type: "code",
        id,
        source,
        metadata,
        execution_count: (c.execution_count as number | null) ?? null,
        outputs: ((c.outputs as Record<string, unknown>[]) ?? []).map(readOutput),
      };
    }
    if (c.cell_type === "markdown" || c.cell_type === "raw") {
      const cell: TextCell = c.cell_type === "raw" ? { cell_type: "raw", id, source, metadata } : { cell_type: "markdown", id, source, metadata };
      if (c.attachments) cell.attachments = c.attachments as Record<string, unknown>;
      return cell;
    }
    throw new NotebookFormatError(`${where}: cell ${i + 1} has unknown cell_type ${JSON.stringify(c.cell_type)}`);
  });
  // Cell ids exist from 4.5 on; we always write them, so we write 4.5 (or later).
  const minor = typeof raw.nbformat_minor === "number" ? Math.max(raw.nbformat_minor, 5) : 5;
  return { nbformat: 4, nbformat_minor: minor, metadata: (raw.metadata as Record<string, unknown>) ?? {}, cells };
}

export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new NotebookFormatError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseNotebook(text, file);
}

/** Split text into lines that keep their '\n', as nbformat stores multi-line strings. */
export function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === "" ? [] : lines;
}

// nbformat splits text MIME types and these two into lines; other MIME types (PNG base64,
// JSON objects) stay as they are.
const SPLIT_MIMES = new Set(["application/javascript", "image/svg+xml"]);

function splitBundle(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) {
    out[mime] = typeof value === "string" && (mime.startsWith("text/") || SPLIT_MIMES.has(mime)) ? splitLines(value) : value;
  }
  return out;
}

function outputToJson(o: Output): Record<string, unknown> {
  switch (o.output_type) {
    case "stream":
      return { ...o, text: splitLines(o.text) };
    case "display_data":
    case "execute_result":
      return { ...o, data: splitBundle(o.data) };
    default:
      return { ...o };
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The notebook as Jupyter writes it: keys sorted, indent 1, lines split, final newline. */
export function serializeNotebook(nb: Notebook): string {
  const cells = nb.cells.map((c) => {
    const base = { ...c, source: splitLines(c.source) } as Record<string, unknown>;
    if (c.cell_type === "code") base.outputs = c.outputs.map(outputToJson);
    return base;
  });
  return JSON.stringify(sortKeys({ ...nb, cells }), null, 1) + "\n";
}

export function writeNotebook(file: string, nb: Notebook): void {
  fs.writeFileSync(file, serializeNotebook(nb));
}

/** A code cell's metadata without the timings of its last run. */
function withoutTiming(metadata: CellMetadata): CellMetadata {
  const { execution: _timing, ...rest } = metadata;
  return rest;
}

/** Remove every output, execution count, run timing and saved widget state (how notebooks are committed). */
export function clearOutputs(nb: Notebook): Notebook {
  const { widgets: _widgets, ...metadata } = nb.metadata ?? {};
  return {
    ...nb,
    metadata,
    cells: nb.cells.map((c) => (c.cell_type === "code" ? { ...c, outputs: [], execution_count: null, metadata: withoutTiming(c.metadata) } : c)),
  };
}

export function hasTag(cell: Cell, tag: string): boolean {
  return Array.isArray(cell.metadata.tags) && cell.metadata.tags.includes(tag);
}
