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
import { makeJupyterHome, pythonWith, runCommand } from "../jupyter/python";

const NOTEBOOK = path.join(repoRoot, "notebooks", "magics-tour.ipynb");
const ARTIFACTS = path.join(repoRoot, "test-artifacts", "notebook-html");
const CHROMIUM = "/usr/bin/chromium";
const PLOTLY_MIME = "application/vnd.plotly.v1+json";

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
}

const join = (v: unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");

function loadPlaywright(): typeof import("playwright-core") | undefined {
  try {
    return require("playwright-core") as typeof import("playwright-core");
  } catch {
    return undefined;
  }
}

describe("notebook-html: the magics tour, executed and exported", function () {
  this.timeout(600000);
  let python: string | null = null;
  let home: ReturnType<typeof makeJupyterHome> | undefined;
  let executed: string;
  let cells: Cell[] = [];

  before(function () {
    python = pythonWith(["nbconvert", "nbclient"]);
    if (!python) {
      console.log("    (skipped: no python3 with nbconvert and nbclient; apt-get install jupyter-nbconvert python3-nbclient)");
      this.skip();
    }
    if (!engineBuilt()) throw new Error("dist/kernel/engine/index.js is missing: build first (npm run build)");
    home = makeJupyterHome();
    executed = path.join(home.dir, "magics-tour.out.ipynb");
  });

  after(() => home && fs.rmSync(home.dir, { recursive: true, force: true }));

  it("executes under nbconvert --execute with the seqlab kernel: no errors, every claim holds, every magic shows its output", async () => {
    // Run beside the notebook (as Jupyter does), so `import "seqlab"` resolves from this checkout.
    const { code, output } = await runCommand(
      python!,
      [
        "-m", "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.kernel_name=seqlab", "--ExecutePreprocessor.timeout=300",
        "--output-dir", home!.dir, "--output", "magics-tour.out.ipynb", NOTEBOOK,
      ],
      { env: home!.env, cwd: path.dirname(NOTEBOOK), timeoutMs: 480000 },
    );
    expect(code, output.slice(-4000)).to.equal(0);
    cells = (JSON.parse(fs.readFileSync(executed, "utf8")) as { cells: Cell[] }).cells;
    const outputs = cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}`)).to.deep.equal([]);
    const text = outputs.map((o) => join(o.text) + join(o.data?.["text/plain"])).join("\n");
    expect(text).not.to.contain("✘");
    expect((text.match(/✔/g) ?? []).length).to.be.at.least(15);
    // every sequence magic is used and left its mark
    const source = cells.map((c) => join(c.source)).join("\n");
    for (const magic of ["%tokenize", "%summary", "%%train", "%gradients", "%attention", "%generate", "%play", "%%play"]) {
      expect(source, magic).to.contain(magic);
    }
    expect(text).to.match(/character tokens; vocabulary of \d+/);
    expect(text).to.contain("Total parameters: 27,459");
    expect(text).to.match(/trained steps 1–60: loss [\d.]+ → [\d.]+/);
    expect(text).to.match(/lstm: ‖dL\/dh‖ is .* gradients (VANISH|EXPLODE|neither)/);
    expect(text).to.contain("seven and forty , three <eos>  →  4 7 , 3");
    expect(text).to.match(/"Scale in D": 16 notes, valid ABC/);
    const plots = outputs.filter((o) => o.data && PLOTLY_MIME in o.data);
    // loss plots of both %%train runs, the training heatmap, %gradients, %attention
    expect(plots.length).to.be.at.least(5);
    for (const p of plots) {
      const fig = p.data![PLOTLY_MIME] as { data: unknown[]; layout: object };
      expect(fig.data.length).to.be.at.least(1);
    }
    const songs = outputs.filter((o) => join(o.data?.["text/html"]).includes('class="seqlab-sheet"'));
    expect(songs.length).to.be.at.least(2);
    expect(join(songs[0].data!["text/html"])).to.contain("<audio");
  });

  it("exports to HTML that headless Chromium draws with no network: every plot and the sheet music", async function () {
    if (cells.length === 0) throw new Error("the notebook did not execute (see the test above)");
    const playwright = loadPlaywright();
    if (!fs.existsSync(CHROMIUM) || !playwright) {
      console.log(`    (skipped: ${!playwright ? "playwright-core is not installed" : `no Chromium at ${CHROMIUM}; apt-get install chromium`})`);
      this.skip();
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const { code, output } = await runCommand(python!, ["-m", "nbconvert", "--to", "html", "--output-dir", ARTIFACTS, "--output", "magics-tour", executed], {
      env: home!.env,
      cwd: home!.dir,
      timeoutMs: 180000,
    });
    expect(code, output.slice(-3000)).to.equal(0);
    const htmlFile = path.join(ARTIFACTS, "magics-tour.html");
    const expectedPlots = cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && PLOTLY_MIME in o.data).length;

    const browser = await playwright!.chromium.launch({
      executablePath: CHROMIUM,
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
