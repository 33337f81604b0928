/**
 * A self-contained HTML page for an executed notebook: markdown rendered with `marked`,
 * code cells with their prompts, and each output in the richest MIME type a browser shows
 * without a Jupyter frontend. Nothing is loaded from the network: outputs that need
 * plotly.js (plotly figures) get the library inlined once, from the installed package.
 */
import * as fs from "fs";
import { marked } from "marked";
import type { Cell, Notebook, Output } from "./notebook";
import { sanitizeHtml } from "./sanitize";
import { WIDGET_VIEW_MIME, scriptJson, widgetHtml, widgetStatesOf, type WidgetStates } from "./widget-html";
import { WIDGET_STATE_MIME } from "./widget-state";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Terminal colour codes (in tracebacks and coloured logs) mean nothing in a page. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

function asText(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

/**
 * The HTML for one display_data / execute_result bundle, richest type this page can show
 * first. A widget view carries its view tag (for a widget manager) and shows its own HTML
 * fallback where it brings one (an inspector's plotly slider), else the widget drawn from
 * its saved state.
 */
export function renderBundle(data: Record<string, unknown>, widgets?: WidgetStates): string {
  const view = data[WIDGET_VIEW_MIME] as { model_id?: string } | undefined;
  if (view && widgets && typeof view.model_id === "string" && widgets[view.model_id]) {
    const shown = data["text/html"] !== undefined ? asText(data["text/html"]) : widgetHtml(view.model_id, widgets, (out) => renderOutput(out, widgets));
    return `<div class="out-widget">${scriptJson(WIDGET_VIEW_MIME, view)}${shown}</div>`;
  }
  if (data["text/html"] !== undefined) return `<div class="out-html">${asText(data["text/html"])}</div>`;
  if (data["image/svg+xml"] !== undefined) return `<div class="out-svg">${asText(data["image/svg+xml"])}</div>`;
  for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
    if (data[mime] !== undefined) {
      const b64 = asText(data[mime]).replace(/\s+/g, "");
      return `<div class="out-img"><img src="data:${mime};base64,${b64}"></div>`;
    }
  }
  if (data["text/markdown"] !== undefined) return `<div class="out-md">${marked.parse(asText(data["text/markdown"]), { async: false })}</div>`;
  if (data["text/plain"] !== undefined) return `<pre class="out-text">${escapeHtml(stripAnsi(asText(data["text/plain"])))}</pre>`;
  const types = Object.keys(data).join(", ");
  return `<pre class="out-text">[output of type ${escapeHtml(types || "none")} cannot be shown here]</pre>`;
}

export function renderOutput(out: Output, widgets?: WidgetStates): string {
  switch (out.output_type) {
    case "stream":
      return `<pre class="out-stream ${out.name}">${escapeHtml(stripAnsi(out.text))}</pre>`;
    case "display_data":
      return renderBundle(out.data, widgets);
    case "execute_result":
      return `<div class="out-result"><span class="prompt">Out[${out.execution_count ?? " "}]:</span>${renderBundle(out.data, widgets)}</div>`;
    case "error":
      return `<pre class="out-error">${escapeHtml(stripAnsi(out.traceback.length ? out.traceback.join("\n") : `${out.ename}: ${out.evalue}`))}</pre>`;
  }
}

/** plotly.js's own banner, at the top of the bundle an output inlines. */
const PLOTLY_BANNER = /\* plotly\.js v\d/;

/**
 * plotly.js from node_modules, inlined when some output is a plotly figure and no output
 * already carries the library (seqlab's figures inline it once per kernel, but that output
 * may have been cleared or come from another tool).
 */
function plotlyScript(nb: Notebook, widgets: WidgetStates | undefined): string {
  let needs = false;
  // Outputs widgets hold count too: an Output's redrawn figure no longer carries the library.
  const held = Object.values(widgets ?? {}).flatMap((m) => (m.model_name === "OutputModel" && Array.isArray(m.state.outputs) ? (m.state.outputs as Output[]) : []));
  const outputs = nb.cells.flatMap((cell) => (cell.cell_type === "code" ? cell.outputs : [])).concat(held);
  for (const out of outputs) {
    if (out.output_type !== "display_data" && out.output_type !== "execute_result") continue;
    if (PLOTLY_BANNER.test(asText(out.data["text/html"] ?? ""))) return "";
    if (out.data[PLOTLY_MIME] !== undefined) needs = true;
  }
  if (!needs) return "";
  try {
    const file = require.resolve("plotly.js-dist-min");
    // `</script` inside the library would end the tag early.
    const code = fs.readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
    return `<script>if (!window.Plotly) {\n${code}\n}</script>`;
  } catch {
    return "";
  }
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
.cell { margin: 1em 0; }
.code pre.source { background: #f5f5f5; border: 1px solid #ddd; padding: .6em; overflow-x: auto; }
.prompt { color: #888; font-family: monospace; font-size: .85em; display: block; }
pre { white-space: pre-wrap; word-break: break-word; margin: .3em 0; }
pre.stderr { background: #fff0f0; }
pre.out-error { background: #ffe5e5; border-left: 4px solid #c00; padding: .5em; }
.out-img img { max-width: 100%; }
`;

/**
 * A cell's source as shown: folded into a <details> when the cell carries JupyterLab's
 * `jupyter.source_hidden` (e.g. an exercise's answer), as JupyterLab and Notebook 7 fold it.
 */
function sourceView(cell: Cell, html: string): string {
  const hidden = (cell.metadata.jupyter as { source_hidden?: unknown } | undefined)?.source_hidden === true;
  return hidden ? `<details class="hidden-source"><summary>hidden cell: click to show</summary>${html}</details>` : html;
}

/** The markdown with `attachment:NAME` links turned into data: URLs of the cell's own attachments, as Jupyter shows them. */
function withAttachments(cell: { source: string; attachments?: Record<string, unknown> }): string {
  const attachments = cell.attachments;
  if (!attachments) return cell.source;
  return cell.source.replace(/attachment:([^\s)"']+)/g, (link, name: string) => {
    const bundle = attachments[decodeURIComponent(name)] as Record<string, unknown> | undefined;
    const mime = bundle && Object.keys(bundle).find((m) => m.startsWith("image/"));
    return mime ? `data:${mime};base64,${String(bundle[mime]).replace(/\s/g, "")}` : link;
  });
}

/** The whole page. */
export function notebookToHtml(nb: Notebook, title: string): string {
  const widgets = widgetStatesOf(nb.metadata);
  const parts: string[] = [];
  for (const cell of nb.cells) {
    if (cell.cell_type === "markdown") {
      // Markdown is untrusted (anyone may have written it): sanitised as JupyterLab does.
      parts.push(`<div class="cell markdown">${sourceView(cell, sanitizeHtml(marked.parse(withAttachments(cell), { async: false })))}</div>`);
    } else if (cell.cell_type === "raw") {
      parts.push(`<div class="cell raw">${sourceView(cell, `<pre>${escapeHtml(cell.source)}</pre>`)}</div>`);
    } else {
      const outputs = cell.outputs.map((out) => renderOutput(out, widgets?.state)).join("\n");
      parts.push(
        `<div class="cell code"><span class="prompt">In [${cell.execution_count ?? " "}]:</span>` +
          sourceView(cell, `<pre class="source"><code>${escapeHtml(cell.source)}</code></pre>`) +
          `<div class="outputs">${outputs}</div></div>`,
      );
    }
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${plotlyScript(nb, widgets?.state)}
${widgets ? scriptJson(WIDGET_STATE_MIME, widgets) : ""}
</head>
<body>
${parts.join("\n")}
</body>
</html>
`;
}
