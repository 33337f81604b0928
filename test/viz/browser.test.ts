/**
 * The offline HTML really draws: figures are rendered by headless Chromium with name
 * resolution off (no CDN can be reached), straight from a file and after a trip through
 * `jupyter nbconvert --to html`. A screenshot is kept under test-artifacts/viz/.
 */
import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { Figure, attentionFigure, lossFigure, resetPlotlyInjection } from "../../lib/viz";
import { DISPLAY } from "../../lib/runtime";

const run = promisify(execFile);
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => fs.existsSync(p));
const ARTIFACTS = path.resolve(__dirname, "..", "..", "..", "test-artifacts", "viz");

function chromiumArgs(): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    // Every host name fails to resolve: the page must draw with no network at all.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1000,1000",
    "--virtual-time-budget=15000",
  ];
}

async function dumpDom(file: string): Promise<string> {
  const { stdout } = await run(CHROMIUM!, [...chromiumArgs(), "--dump-dom", `file://${file}`], {
    timeout: 90000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

async function screenshot(file: string, png: string): Promise<void> {
  await run(CHROMIUM!, [...chromiumArgs(), `--screenshot=${png}`, `file://${file}`], { timeout: 90000 });
}

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}

describe("viz/browser: offline figure HTML drawn by headless Chromium", function () {
  this.timeout(180000);
  let withBundle: Figure;
  let without: Figure;
  let firstHtml: string;
  let laterHtml: string;

  before(function () {
    if (!CHROMIUM) this.skip();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    resetPlotlyInjection();
    withBundle = lossFigure({ steps: [1, 2, 3, 4, 5, 6], loss: [4.4, 3.1, 2.6, 2.2, 2.1, 1.9] });
    without = attentionFigure({
      source: ["X", ":", "1"],
      target: ["T", ":"],
      weights: [
        [0.7, 0.2, 0.1],
        [0.1, 0.8, 0.1],
      ],
    });
    firstHtml = String(withBundle[DISPLAY]()["text/html"]);
    laterHtml = String(without[DISPLAY]()["text/html"]);
  });

  it("draws a figure that comes before the output carrying plotly.js (waits for it)", async () => {
    const page = path.join(ARTIFACTS, "direct.html");
    // The small figure first: its script must wait until the bundle below has run. The page
    // also has an AMD loader and a CommonJS-style `module`, as classic Notebook pages do.
    const loaders = `<script>window.define = function () {}; window.define.amd = {}; window.module = { exports: {} };</script>`;
    fs.writeFileSync(page, `<!doctype html><html><head><meta charset="utf-8">${loaders}</head><body>${laterHtml}\n${firstHtml}</body></html>`);
    const dom = await dumpDom(page);
    expect(count(dom, /class="[^"]*js-plotly-plot/g)).to.equal(2);
    expect(dom).to.contain('class="main-svg"');
    // The waiting note (shown after 10 s without plotly.js) must not be in any element's text.
    expect(dom).not.to.contain(">Waiting for plotly.js");
    await screenshot(page, path.join(ARTIFACTS, "direct.png"));
    expect(fs.statSync(path.join(ARTIFACTS, "direct.png")).size).to.be.greaterThan(5000);
  });

  it("survives jupyter nbconvert --to html and draws offline", async function () {
    try {
      await run("jupyter", ["nbconvert", "--version"], { timeout: 60000 });
    } catch {
      this.skip();
    }
    const output = (fig: Figure, html: string) => ({
      output_type: "display_data",
      metadata: {},
      data: { ...fig[DISPLAY](), "text/html": html },
    });
    const cell = (outputs: unknown[], source: string) => ({
      cell_type: "code",
      execution_count: 1,
      id: Math.random().toString(36).slice(2, 10),
      metadata: {},
      source,
      outputs,
    });
    resetPlotlyInjection();
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "seqlab", display_name: "seqlab (TypeScript)", language: "typescript" } },
      cells: [cell([output(withBundle, firstHtml)], "lossFigure(history)"), cell([output(without, laterHtml)], "attentionFigure(a)")],
    };
    const ipynb = path.join(ARTIFACTS, "figures.ipynb");
    fs.writeFileSync(ipynb, JSON.stringify(notebook));
    await run("jupyter", ["nbconvert", "--to", "html", "--output-dir", ARTIFACTS, ipynb], { timeout: 120000 });
    const converted = path.join(ARTIFACTS, "figures.html");
    const html = fs.readFileSync(converted, "utf8");
    expect(html).to.contain("Plotly.newPlot");
    const dom = await dumpDom(converted);
    expect(count(dom, /class="[^"]*js-plotly-plot/g)).to.equal(2);
    expect(dom).to.contain('class="main-svg"');
    await screenshot(converted, path.join(ARTIFACTS, "nbconvert.png"));
  });
});
