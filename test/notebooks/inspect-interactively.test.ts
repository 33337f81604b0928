/**
 * notebooks/inspect-interactively.ipynb headless: through `seqlab run --quick --html` (its page
 * viewed in Chromium with no network: the inspectors' plotly sliders are drawn) and through
 * nbconvert --execute (nbclient saves the widgets' state, as JupyterLab does).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import type { Notebook } from "../../kernel/runner/notebook";
import { tempDir } from "../runner/helpers";
import { expectRanClean, NOTEBOOK_DIR, outputsOf, richOutputs, tickedClaims } from "./executed";
import { CHROMIUM, executeWithNbconvert, jupyterForSuite, renderedDom, runQuick } from "./runs";

const NOTEBOOK = path.join(NOTEBOOK_DIR, "inspect-interactively.ipynb");
const VIEW = "application/vnd.jupyter.widget-view+json";
const STATE = "application/vnd.jupyter.widget-state+json";
const PLOTLY = "application/vnd.plotly.v1+json";

/** What the executed notebook must show however it ran; returns the inspectors' slider figures' frame counts. */
function checkExecuted(nb: Notebook): number[] {
  const text = expectRanClean(nb, "inspect-interactively.ipynb");
  expect(tickedClaims(text)).to.have.length(12);
  expect(text).to.contain("3 recorded step(s), 10–30: move the slider");
  expect(text).to.contain("3 example(s); pick one in the dropdown");
  const views = richOutputs(outputsOf(nb)).filter((o) => o.data[VIEW] !== undefined);
  // %gradients, %generate, the hidden-state explorer, %attention
  expect(views).to.have.length(4);
  // Every view shown is in the saved widget state (what nbconvert and exported pages draw from).
  const saved = ((nb.metadata.widgets as Record<string, { state: Record<string, unknown> }> | undefined)?.[STATE]?.state) ?? {};
  for (const view of views) expect(saved, "the saved widget state").to.have.property((view.data[VIEW] as { model_id: string }).model_id);
  // The inspectors carry their kernel-free slider figure in the same display.
  return views.filter((o) => o.data[PLOTLY] !== undefined).map((o) => (o.data[PLOTLY] as { frames: unknown[] }).frames.length);
}

describe("notebooks: inspect-interactively", function () {
  this.timeout(10 * 60 * 1000);

  it("runs through `seqlab run --quick --html`; the page draws every inspector's plotly slider with no network", async () => {
    const out = tempDir("seqlab-inspect-");
    try {
      const executed = await runQuick(NOTEBOOK, out, ["--html"]);
      // gradients: 3 recorded steps; hidden states: 80 characters thinned to 60; attention: 3 examples
      expect(checkExecuted(executed)).to.deep.equal([3, 60, 3]);
      const page = path.join(out, "inspect-interactively.html");
      const html = fs.readFileSync(page, "utf8");
      expect(html).to.contain(`<script type="${STATE}">`);
      if (CHROMIUM) {
        const dom = await renderedDom(page);
        expect((dom.match(/class="slider-container/g) ?? []).length, "plotly sliders drawn").to.equal(3);
        // The sampler has no figure: it is drawn from its saved state, the text it last showed included.
        expect(dom).to.match(/temperature <input type="range" disabled/);
        expect(dom).to.match(/<button disabled(="")?>Sample again<\/button>/);
      } else {
        console.log("      (page not viewed: chromium is not installed)");
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  describe("under Jupyter", function () {
    const jupyter = jupyterForSuite();

    it("runs under nbconvert --execute with the seqlab kernelspec, and nbclient saves the widgets' state", async () => {
      const { notebook } = await executeWithNbconvert(jupyter(), NOTEBOOK, {
        outDir: path.join(jupyter().home.dir, "out"),
        env: { SEQLAB_QUICK: "1" },
        cellTimeoutS: 300,
        timeoutMs: 8 * 60 * 1000,
      });
      expect(checkExecuted(notebook)).to.deep.equal([3, 60, 3]);
    });
  });
});
