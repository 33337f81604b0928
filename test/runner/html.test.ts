import { expect } from "chai";
import { notebookToHtml, renderBundle, stripAnsi } from "../../kernel/runner/html";
import type { Notebook } from "../../kernel/runner/notebook";
import { isSafeUrl, sanitizeHtml } from "../../kernel/runner/sanitize";

describe("runner: HTML page", () => {
  it("picks the richest MIME type a browser shows", () => {
    expect(renderBundle({ "text/plain": "p", "text/html": "<b>h</b>" })).to.contain("<b>h</b>").and.not.contain(">p<");
    expect(renderBundle({ "text/plain": "p", "image/svg+xml": "<svg></svg>" })).to.contain("<svg></svg>");
    expect(renderBundle({ "text/plain": "p", "image/png": "iVBOR" })).to.contain('src="data:image/png;base64,iVBOR"');
    expect(renderBundle({ "text/plain": "a<b" })).to.contain("a&lt;b");
  });

  it("renders markdown, escaped code, outputs and errors without colour codes", () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", id: "m", metadata: {}, source: "# Heading\n\nsome *emphasis*" },
        {
          cell_type: "code",
          id: "c",
          metadata: {},
          source: "if (a < b) x",
          execution_count: 4,
          outputs: [
            { output_type: "stream", name: "stdout", text: "printed\n" },
            { output_type: "execute_result", execution_count: 4, data: { "text/plain": "99" }, metadata: {} },
            { output_type: "error", ename: "Error", evalue: "bad", traceback: ["\x1b[31mError: bad\x1b[0m"] },
          ],
        },
      ],
    };
    const html = notebookToHtml(nb, "t");
    expect(html).to.match(/^<!DOCTYPE html>/);
    expect(html).to.contain("<h1>Heading</h1>").and.contain("<em>emphasis</em>");
    expect(html).to.contain("if (a &lt; b) x").and.contain("In [4]").and.contain("Out[4]");
    expect(html).to.contain("printed").and.contain("99").and.contain("Error: bad");
    expect(html).not.to.contain("\x1b");
    expect(html).not.to.match(/<script[^>]+src=/); // nothing from the network
  });

  it("inlines plotly.js once when a plotly figure is in the page", () => {
    const cellWith = (data: Record<string, unknown>) => ({ output_type: "display_data" as const, data, metadata: {} });
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ cell_type: "code", id: "c", metadata: {}, source: "", execution_count: 1, outputs: [
        cellWith({ "application/vnd.plotly.v1+json": { data: [] }, "text/html": "<div id=fig></div>" }),
      ] }],
    };
    const html = notebookToHtml(nb, "t");
    expect(html).to.contain("<div id=fig></div>");
    expect(html.split("if (!window.Plotly)").length).to.equal(2);
    expect(stripAnsi("\x1b[1;31mx\x1b[0m")).to.equal("x");
    // an output that already carries plotly.js (seqlab's first figure does) is enough
    const loader = cellWith({ "text/html": "<script>/**\n* plotly.js v4.1.2\n*/ lib</script>" });
    const figure = cellWith({ "application/vnd.plotly.v1+json": { data: [] }, "text/html": "<div id=fig></div>" });
    const carried: Notebook = { ...nb, cells: [{ cell_type: "code", id: "c", metadata: {}, source: "", execution_count: 1, outputs: [loader, figure] }] };
    expect(notebookToHtml(carried, "t")).not.to.contain("if (!window.Plotly)");
  });

  it("sanitises markdown cells (no scripts, event handlers or javascript: links) but leaves code outputs as they are", () => {
    const markdownSource = [
      "# Title <script>window.pwned = 1</script>",
      "",
      '<img src="x.png" onerror="alert(1)"> <a href="javascript:alert(2)">link</a> <a href="https://example.org">ok</a>',
      "",
      '<p onclick="alert(3)">para <iframe src="https://evil.example"></iframe><b>bold</b></p>',
    ].join("\n");
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", id: "m", metadata: {}, source: markdownSource },
        { cell_type: "code", id: "c", metadata: {}, source: "1", execution_count: 1, outputs: [{ output_type: "display_data", data: { "text/html": "<script>trustedOutput()</script>" }, metadata: {} }] },
      ],
    };
    const html = notebookToHtml(nb, "t");
    const markdownPart = html.slice(html.indexOf('<div class="cell markdown">'), html.indexOf('<div class="cell code">'));
    expect(markdownPart).to.contain("<h1").and.contain("Title").and.contain("<b>bold</b>").and.contain('<a href="https://example.org">ok</a>').and.contain('<img src="x.png">');
    expect(markdownPart).to.not.match(/<script|onerror|onclick|javascript:|<iframe/i);
    expect(html).to.contain("<script>trustedOutput()</script>");
  });

  it("folds cells marked jupyter.source_hidden (exercise answers) into a <details>, as JupyterLab hides them", () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", id: "q", metadata: {}, source: "**Exercise.** Predict." },
        { cell_type: "markdown", id: "a", metadata: { jupyter: { source_hidden: true } }, source: "**Answer.** It falls." },
        { cell_type: "code", id: "c", metadata: { jupyter: { source_hidden: true } }, source: "answer()", execution_count: 1, outputs: [{ output_type: "stream", name: "stdout", text: "shown\n" }] },
      ],
    };
    const html = notebookToHtml(nb, "t");
    expect(html).to.match(/<div class="cell markdown"><p><strong>Exercise.<\/strong> Predict.<\/p>\n<\/div>/);
    expect(html).to.match(/<div class="cell markdown"><details class="hidden-source"><summary>[^<]*<\/summary><p><strong>Answer.<\/strong> It falls.<\/p>\n<\/details><\/div>/);
    // a hidden code cell folds its source only; its outputs stay in view
    expect(html).to.match(/<details class="hidden-source"><summary>[^<]*<\/summary><pre class="source"><code>answer\(\)<\/code><\/pre><\/details><div class="outputs">[\s\S]*shown/);
  });

  it("shows a markdown cell's attached image (attachment:NAME) from the cell's attachments", () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>').toString("base64");
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ cell_type: "markdown", id: "d", metadata: {}, source: "![a diagram](attachment:d.svg) and ![missing](attachment:none.png)", attachments: { "d.svg": { "image/svg+xml": svg } } }],
    };
    const html = notebookToHtml(nb, "t");
    expect(html).to.contain(`<img src="data:image/svg+xml;base64,${svg}" alt="a diagram">`);
    expect(html, "an attachment the cell lacks keeps its link, and the sanitiser drops it").not.to.contain("attachment:none.png\" alt");
  });

  it("keeps safe URLs only: relative, anchors, http(s), mailto, data: images", () => {
    expect(["page.html", "#part", "https://a.b/c", "mailto:x@y.z"].every((u) => isSafeUrl(u, "a"))).to.equal(true);
    expect(["javascript:alert(1)", " JaVa\tScRiPt:alert(1)", "vbscript:x", "data:text/html,<b>"].some((u) => isSafeUrl(u, "a"))).to.equal(false);
    expect(isSafeUrl("data:image/png;base64,AAAA", "img")).to.equal(true);
    expect(isSafeUrl("data:image/svg+xml;base64,AAAA", "img")).to.equal(true);
    expect(isSafeUrl("data:image/svg+xml;base64,AAAA", "a"), "an SVG opened as a page could run scripts").to.equal(false);
    expect(sanitizeHtml('<custom-tag>kept <i>text</i></custom-tag><style>p{}</style><!-- note -->')).to.equal("kept <i>text</i>");
  });
});
