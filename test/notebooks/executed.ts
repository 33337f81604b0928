/**
 * Reading a notebook after it ran (through `seqlab run` or Jupyter's nbconvert) and the checks
 * every notebook test shares: the text its cells showed, its errors, its ✔/✘ claim lines and
 * its plotly figures; and how a notebook must look when committed.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
  parseNotebook,
  type CodeCell,
  type DisplayDataOutput,
  type ErrorOutput,
  type ExecuteResultOutput,
  type Notebook,
  type Output,
} from "../../kernel/runner/notebook";
import { REPO_ROOT } from "../runner/helpers";

export const NOTEBOOK_DIR = path.join(REPO_ROOT, "notebooks");
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

export type RichOutput = DisplayDataOutput | ExecuteResultOutput;

/** A plotly figure as the viz module displays it (only the parts the tests read). */
export interface PlotlyFigure {
  data: { type?: string; x?: unknown[] }[];
  layout?: Record<string, unknown>;
}

/** Parse a notebook file; errors name the file. */
export function readNotebookFile(file: string): Notebook {
  return parseNotebook(fs.readFileSync(file, "utf8"), path.basename(file));
}

export function codeCells(nb: Notebook): CodeCell[] {
  return nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
}

/** Every output of the given cells, or of every code cell of a notebook, in order. */
export function outputsOf(source: Notebook | CodeCell | CodeCell[]): Output[] {
  const cells = Array.isArray(source) ? source : "cells" in source ? codeCells(source) : [source];
  return cells.flatMap((c) => c.outputs);
}

/**
 * The text one output showed. A stream stays as written (a line may span several stream
 * chunks); an error or a rich output's text/plain ends its own line, so a ✔ printed after it
 * still starts a line.
 */
export function outputText(o: Output): string {
  if (o.output_type === "stream") return o.text;
  if (o.output_type === "error") return `${o.ename}: ${o.evalue}\n`;
  return `${String(o.data["text/plain"] ?? "")}\n`;
}

/** Everything one cell showed as text. */
export function cellText(cell: CodeCell): string {
  return cell.outputs.map(outputText).join("");
}

/** Everything the notebook's code cells showed as text, cell after cell. */
export function notebookText(nb: Notebook): string {
  return codeCells(nb).map(cellText).join("\n");
}

export function errorOutputs(nb: Notebook): ErrorOutput[] {
  return outputsOf(nb).filter((o): o is ErrorOutput => o.output_type === "error");
}

/** The claim lines that held: lines starting with "✔ ". */
export function tickedClaims(text: string): string[] {
  return text.split("\n").filter((line) => line.startsWith("✔ "));
}

export function richOutputs(outputs: Output[]): RichOutput[] {
  return outputs.filter((o): o is RichOutput => o.output_type === "display_data" || o.output_type === "execute_result");
}

/** The plotly figures among the outputs, in order. */
export function plotlyFigures(outputs: Output[]): PlotlyFigure[] {
  return richOutputs(outputs)
    .map((o) => o.data[PLOTLY_MIME] as PlotlyFigure | undefined)
    .filter((f): f is PlotlyFigure => f !== undefined);
}

/** Figures counted by trace type: a figure counts once for each type it holds (three heatmaps count once). */
export function figuresByTraceType(nb: Notebook): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const figure of plotlyFigures(outputsOf(nb))) {
    for (const type of new Set((figure.data ?? []).map((t) => t.type ?? "scatter"))) counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/**
 * What every executed notebook must show: no error output, every code cell run, no failed
 * (✘) claim. Returns the notebook's text for the checks particular to it.
 */
export function expectRanClean(nb: Notebook, label: string): string {
  const errors = errorOutputs(nb);
  expect(errors, `${label}: ${JSON.stringify(errors).slice(0, 2000)}`).to.deep.equal([]);
  const notRun = codeCells(nb).filter((c) => c.execution_count === null);
  expect(notRun.map((c) => c.source.slice(0, 80)), `${label}: cells that did not run`).to.deep.equal([]);
  const text = notebookText(nb);
  expect(text, `${label}: a claim failed`).not.to.contain("✘");
  return text;
}

/** How a notebook is committed: no outputs, execution counts or run timings, for the seqlab kernel. */
export function expectCommittedClean(nb: Notebook, label: string): void {
  for (const cell of codeCells(nb)) {
    expect(cell.outputs, `${label}: a cell has outputs`).to.deep.equal([]);
    expect(cell.execution_count, `${label}: a cell has an execution count`).to.equal(null);
    expect(cell.metadata.execution, `${label}: a cell has run timings`).to.equal(undefined);
  }
  expect((nb.metadata.kernelspec as { name?: string } | undefined)?.name, `${label}: kernelspec`).to.equal("seqlab");
}
