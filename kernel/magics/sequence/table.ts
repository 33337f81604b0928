/** Small HTML + plain-text tables for magic output (token lists, model summaries). */
import { DISPLAY, type MimeBundle } from "../../../lib/runtime";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface TableSpec {
  /** A line above the table (plain text; escaped in HTML). */
  caption: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Lines below the table. */
  footer?: string[];
  /** Show at most this many rows (the rest are counted). Default 200. */
  maxRows?: number;
}

/** A table that shows itself as an HTML table with a text/plain twin. */
export class Table {
  constructor(readonly spec: TableSpec) {}

  private shownRows(): { rows: Array<Array<string | number>>; hidden: number } {
    const max = this.spec.maxRows ?? 200;
    return { rows: this.spec.rows.slice(0, max), hidden: Math.max(0, this.spec.rows.length - max) };
  }

  toString(): string {
    const { rows, hidden } = this.shownRows();
    const cells = [this.spec.columns, ...rows.map((r) => r.map(String))];
    const widths = this.spec.columns.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
    const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
    const out = [this.spec.caption, line(this.spec.columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)];
    if (hidden > 0) out.push(`... ${hidden} more rows`);
    out.push(...(this.spec.footer ?? []));
    return out.join("\n");
  }

  toHTML(): string {
    const { rows, hidden } = this.shownRows();
    const th = this.spec.columns.map((c) => `<th style="text-align:left">${escapeHtml(c)}</th>`).join("");
    const body = rows.map((r) => `<tr>${r.map((cell) => `<td style="text-align:left;font-family:monospace">${escapeHtml(String(cell))}</td>`).join("")}</tr>`).join("");
    const more = hidden > 0 ? `<p>… ${hidden} more rows</p>` : "";
    const footer = (this.spec.footer ?? []).map((l) => `<p>${escapeHtml(l)}</p>`).join("");
    return `<div class="seqlab-table"><p><b>${escapeHtml(this.spec.caption)}</b></p><table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>${more}${footer}</div>`;
  }

  [DISPLAY](): MimeBundle {
    return { "text/plain": this.toString(), "text/html": this.toHTML() };
  }
}
