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
  // quick mode asks for a share of valid tunes above zero, and says what the corpus itself reaches
  const validBar = Number(/✔ share of generated tunes that are valid ABC, at least (\d+)%/.exec(text)?.[1]);
  expect(validBar, "the valid-share bar in quick mode").to.be.above(0);
  expect(text).to.match(/✔ the corpus's own tunes that pass the check, at least 95%: \d+\/817/);
  // samples before, during and after training, scored against the untrained one
  expect(text).to.match(/✔ samples kept \(before training, after 1\/3, 2\/3 and all iterations\): 0, \d+, \d+, \d+/);
  expect(text.match(/^--- after \d+ iterations \(\d+%\): score -\d\.\d\d ---$/gm)).to.have.length(4);
  expect(text).to.match(/✔ the final sample scores at least 2 nats per character above the untrained one/);
  // the sampler checked against the model's own predictions at each temperature
  for (const t of ["0.5", "1", "1.5"]) expect(text).to.contain(`✔ T = ${t}: the sample takes the model's top character`);
  // gradients with the loss on the last step: the LSTM against a vanilla RNN of the same size
  for (const row of ["LSTM, untrained", "LSTM, trained", "vanilla RNN, untrained", "vanilla RNN, trained"]) {
    expect(text).to.match(new RegExp(`^${row}(\\s+\\d\\.\\de[-+]\\d+){4}$`, "m"));
  }
  expect(text).to.match(/✔ before training, the vanilla RNN's share 99 steps back is at least 100x the LSTM's/);
  expect(text).to.match(/✔ training raises the LSTM's share 99 steps back at least 5x/);
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

  it("the lab notebook: no claim that holds by construction, no repository path, the PyTorch comparison in an appendix at the end", () => {
    const nb = readNotebookFile(LAB1);
    const sources = nb.cells.map((c) => c.source);
    const all = sources.join("\n");
    // conclusions that the measurements do not support, and checks that cannot fail
    expect(all).not.to.contain("is what keeps the gradient alive");
    expect(all).not.to.contain("entropy rises with temperature");
    expect(all).not.to.match(/validSongs\.length \+ verdict\.invalid\.length === generatedSongs\.length/);
    expect(all).not.to.match(/minValidShare = quick \? 0 :/);
    // written for readers: no paths into this repository or its neighbours
    expect(all).not.to.match(/\.\.\/shared|shared\/reference|docs\/anchors|\bbench\/|\.py\b/);
    const heading = (prefix: string) => nb.cells.findIndex((c) => c.cell_type === "markdown" && c.source.startsWith(prefix));
    const appendix = heading("## Appendix: the same training in PyTorch");
    expect(appendix, "the appendix comes after the lab's last section").to.be.above(heading("## What changed from the original lab"));
    expect(sources.findIndex((s) => s.includes("const referenceLoss")), "the PyTorch table is in the appendix").to.be.above(appendix);
    expect(nb.cells.slice(appendix + 1).filter((c) => c.cell_type === "markdown" && c.source.startsWith("## ")), "sections after the appendix").to.deep.equal([]);
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
