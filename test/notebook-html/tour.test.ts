/**
 * notebooks/magics-tour.ipynb end to end: executed by `jupyter nbconvert --execute` with the
 * seqlab kernel installed into a throwaway Jupyter data dir, then exported with
 * `nbconvert --to html` and opened in headless Chromium with every non-file request blocked:
 * every plotly figure must be drawn and the sheet music must be there. A full-page
 * screenshot is kept in test-artifacts/notebook-html/.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { engineBuilt, repoRoot } from "../kernel/helpers";
import { errorOutputs, expectRanClean, NOTEBOOK_DIR, outputsOf, plotlyFigures, richOutputs } from "../notebooks/executed";
import { CHROMIUM, executeWithNbconvert, exportHtml, jupyterForSuite } from "../notebooks/runs";
import type { Notebook } from "../../kernel/runner/notebook";

const NOTEBOOK = path.join(NOTEBOOK_DIR, "magics-tour.ipynb");
const ARTIFACTS = path.join(repoRoot, "test-artifacts", "notebook-html");

function loadPlaywright(): typeof import("playwright-core") | undefined {
  try {
    return require("playwright-core") as typeof import("playwright-core");
  } catch {
    return undefined;
  }
}

describe("notebook-html: the magics tour, executed and exported", function () {
  this.timeout(600000);
  const jupyter = jupyterForSuite();
  let executed: { notebook: Notebook; file: string } | undefined;

  before(function () {
    if (!engineBuilt()) throw new Error("dist/kernel/engine/index.js is missing: build first (npm run build)");
  });

  it("executes under nbconvert --execute with the seqlab kernel: no errors, every claim holds, every magic shows its output", async () => {
    executed = await executeWithNbconvert(jupyter(), NOTEBOOK, {
      outDir: jupyter().home.dir,
      output: "magics-tour.out",
      cellTimeoutS: 300,
      timeoutMs: 480000,
    });
    const nb = executed.notebook;
    expect(errorOutputs(nb).map((o) => `${o.ename}: ${o.evalue}`)).to.deep.equal([]);
    const text = expectRanClean(nb, "magics-tour.ipynb");
    expect((text.match(/✔/g) ?? []).length).to.be.at.least(15);
    // every sequence magic is used and left its mark
    const source = nb.cells.map((c) => c.source).join("\n");
    for (const magic of ["%tokenize", "%summary", "%%train", "%gradients", "%attention", "%generate", "%play", "%%play"]) {
      expect(source, magic).to.contain(magic);
    }
    expect(text).to.match(/character tokens; vocabulary of \d+/);
    expect(text).to.contain("Total parameters: 27,459");
    expect(text).to.match(/trained steps 1–60: loss [\d.]+ → [\d.]+/);
    // --loss-on last over 50 steps of an LSTM trained for 60 steps: the first step gets ~4e-6 of the last.
    expect(text).to.match(/lstm: ‖dL\/dh‖ is .* gradients VANISH through time/);
    expect(text).to.match(/✔ ‖dL\/dh_t‖ of the magic = by hand with tf\.grads, at every step/);
    expect(text).to.match(/✔ the magic's ratio first\/last = the hand computation's/);
    expect(text).to.contain("seven and forty , three <eos>  →  4 7 , 3");
    expect(text).to.match(/"Scale in D": 16 notes, valid ABC/);
    const plots = plotlyFigures(outputsOf(nb));
    // loss plots of both %%train runs, the training heatmap, %gradients, %attention
    expect(plots.length).to.be.at.least(5);
    for (const fig of plots) expect(fig.data.length).to.be.at.least(1);
    const songs = richOutputs(outputsOf(nb)).filter((o) => String(o.data["text/html"] ?? "").includes('class="seqlab-sheet"'));
    expect(songs.length).to.be.at.least(2);
    expect(String(songs[0].data["text/html"])).to.contain("<audio");
  });

  it("exports to HTML that headless Chromium draws with no network: every plot and the sheet music", async function () {
    if (!executed) throw new Error("the notebook did not execute (see the test above)");
    const playwright = loadPlaywright();
    if (!CHROMIUM || !playwright) {
      console.log(`    (skipped: ${!playwright ? "playwright-core is not installed" : "no Chromium installed; apt-get install chromium"})`);
      this.skip();
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const htmlFile = await exportHtml(jupyter(), executed.file, ARTIFACTS, "magics-tour");
    const expectedPlots = plotlyFigures(outputsOf(executed.notebook)).length;

    const browser = await playwright!.chromium.launch({
      executablePath: CHROMIUM!,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
    const blocked: string[] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      await page.goto(`file://${htmlFile}`, { waitUntil: "load" });
      // Each figure draws once plotly.js (embedded in the page, not fetched) has run.
      await page.waitForFunction(
        (n) => document.querySelectorAll(".seqlab-plot .main-svg").length > 0 && Array.from(document.querySelectorAll(".seqlab-plot")).filter((d) => d.querySelector(".main-svg")).length >= n,
        expectedPlots,
        { timeout: 60000 },
      );
      const seen = await page.evaluate(() => ({
        plots: document.querySelectorAll(".seqlab-plot").length,
        drawn: Array.from(document.querySelectorAll(".seqlab-plot")).filter((d) => d.querySelector(".main-svg")).length,
        heatmaps: document.querySelectorAll(".seqlab-plot .heatmaplayer image, .seqlab-plot .hm image, .seqlab-plot .heatmaplayer").length,
        lines: document.querySelectorAll(".seqlab-plot .scatterlayer path.js-line").length,
        sheets: Array.from(document.querySelectorAll(".seqlab-sheet svg")).filter((s) => s.querySelectorAll("path").length > 20).length,
        audio: document.querySelectorAll("audio").length,
        tables: document.querySelectorAll(".seqlab-table table").length,
        waiting: document.body.innerText.includes("Waiting for plotly.js"),
      }));
      expect(seen.plots).to.equal(expectedPlots);
      expect(seen.drawn).to.equal(expectedPlots);
      expect(seen.heatmaps, "heatmaps drawn (training gradients, attention)").to.be.at.least(2);
      expect(seen.lines, "line traces drawn (loss, gradient norms)").to.be.at.least(3);
      expect(seen.sheets, "sheet music SVGs with notes").to.be.at.least(2);
      expect(seen.audio).to.be.at.least(2);
      expect(seen.tables, "token and summary tables").to.be.at.least(4);
      expect(seen.waiting).to.equal(false);
      const png = path.join(ARTIFACTS, "magics-tour.png");
      await page.screenshot({ path: png, fullPage: true });
      expect(fs.statSync(png).size).to.be.greaterThan(50000);
    } finally {
      await browser.close();
    }
    // Whatever the page asked of the network was refused, and it still drew everything.
    expect(blocked.every((u) => !u.startsWith("file:"))).to.equal(true);
  });
});
