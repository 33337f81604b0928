/**
 * The notebooks in notebooks/: committed clean, and the Lab 1 Part 2 notebook runs end to end
 * in quick mode, through `seqlab run` (its HTML page viewed in headless Chromium) and through
 * Jupyter's own nbconvert.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import type { Notebook } from "../../kernel/runner/notebook";
import { tempDir } from "../runner/helpers";
import {
  cellText,
  codeCells,
  expectCommittedClean,
  expectRanClean,
  NOTEBOOK_DIR,
  outputsOf,
  plotlyFigures,
  readNotebookFile,
  richOutputs,
} from "./executed";
import { CHROMIUM, executeWithNbconvert, jupyterForSuite, renderedDom, runQuick } from "./runs";

const LAB1 = path.join(NOTEBOOK_DIR, "lab1-music-generation.ipynb");

/** What an executed lab notebook must show: no errors, every claim held, the key numbers. */
function checkExecutedLab(nb: Notebook): void {
  const text = expectRanClean(nb, "lab1-music-generation.ipynb");
  expect(text).to.contain("✔ songs in the corpus (the lab finds 817): 817");
  expect(text).to.contain("✔ distinct characters (the lab's vocabulary has 83): 83");
  expect(text).to.match(/✔ untrained loss, close to ln\(83\) = 4\.419: 4\.4\d\d/);
  expect(text).to.match(/✔ mean loss over the last 10 iterations/);
  expect(text).to.match(/✔ valid generated tunes, at least \d+: \d+/);
  // the live loss plot was redrawn in place: one figure, holding every iteration at the end
  const trainingCell = codeCells(nb).find((c) => c.source.includes("sl.trainModel("))!;
  const figures = plotlyFigures(trainingCell.outputs);
  expect(figures).to.have.length(1);
  const iterations = Number(/trained: (\d+)/.exec(cellText(trainingCell))?.[1]);
  expect(figures[0].data[0].x).to.have.length(iterations);
  // the sheet music of the generated tunes came out as rich output
  const rich = richOutputs(outputsOf(nb));
  expect(rich.some((o) => String(o.data["text/html"] ?? o.data["image/svg+xml"] ?? "").includes("<svg"))).to.equal(true);
}

describe("notebooks", function () {
  it("are committed clean: nbformat 4 JSON with no outputs, execution counts or timings, for the seqlab kernel", () => {
    const files = fs.readdirSync(NOTEBOOK_DIR).filter((f) => f.endsWith(".ipynb"));
    expect(files).to.include("lab1-music-generation.ipynb");
    for (const file of files) expectCommittedClean(readNotebookFile(path.join(NOTEBOOK_DIR, file)), file);
  });

  it("the lab notebook has one parameters cell, read by quick mode", () => {
    const params = codeCells(readNotebookFile(LAB1)).filter((c) => c.metadata.tags?.includes("parameters"));
    expect(params).to.have.length(1);
    expect(params[0].source).to.contain('process.env.SEQLAB_QUICK === "1"');
  });
});

describe("notebooks: Lab 1 Part 2 in quick mode", function () {
  this.timeout(15 * 60 * 1000);

  it("runs through `seqlab run --quick --html` with every claim holding", async () => {
    const out = tempDir("seqlab-lab1-");
    try {
      const executed = await runQuick(LAB1, out, ["--html"]);
      checkExecutedLab(executed);
      // A notebook people can keep: no output carries plotly.js (the frontends draw the
      // plotly JSON; the page below gets it once), the players are small, the whole under 3 MB.
      const size = fs.statSync(path.join(out, "lab1-music-generation.ipynb")).size;
      expect(size, "bytes of the executed quick lab notebook").to.be.below(3 * 1024 * 1024);
      const htmlOutputs = richOutputs(outputsOf(executed)).map((o) => String(o.data["text/html"] ?? ""));
      expect(htmlOutputs.filter((h) => /\* plotly\.js v\d/.test(h)), "outputs carrying plotly.js").to.deep.equal([]);
      const page = path.join(out, "lab1-music-generation.html");
      const html = fs.readFileSync(page, "utf8");
      expect(html).to.contain("Music generation with an LSTM").and.contain("<svg").and.contain("songs in the corpus");
      if (CHROMIUM) {
        // Viewed with no network at all, every plotly figure of the run is drawn and the players are there.
        const dom = await renderedDom(page);
        expect((dom.match(/class="[^"]*js-plotly-plot/g) ?? []).length).to.equal(plotlyFigures(outputsOf(executed)).length);
        expect(html.split("if (!window.Plotly)").length - 1, "copies of plotly.js in the page").to.equal(1);
        expect(dom).to.contain("<audio");
      } else {
        console.log("      (page not viewed: chromium is not installed)");
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  describe("under Jupyter", function () {
    const jupyter = jupyterForSuite();

    it("runs under Jupyter: nbconvert --execute with the seqlab kernelspec", async () => {
      const { notebook } = await executeWithNbconvert(jupyter(), LAB1, {
        outDir: path.join(jupyter().home.dir, "out"),
        env: { SEQLAB_QUICK: "1" },
        cellTimeoutS: 900,
        timeoutMs: 14 * 60 * 1000,
      });
      checkExecutedLab(notebook);
    });
  });
});
