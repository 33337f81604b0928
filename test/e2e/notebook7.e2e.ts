/**
 * The lab notebook in Notebook 7 from the pinned venv: Run All shows every output (plots by
 * the plotly renderer, sheet music, audio) without an error. The shorter sibling of the
 * JupyterLab test, which also covers completion, help, interrupt and restart. Screenshots go
 * to test-artifacts/e2e/notebook7/.
 */
import { expect } from "chai";
import * as path from "path";
import { repoRoot } from "../kernel/helpers";
import { LabFrontend, NOTEBOOK7_OWN_ERROR, openInFrontend, screenshotFolder } from "./lab-frontend";
import { SLOW_MS, findLabCell, labKernel, labRunSummary, plotRendererMimeType, readAllLabCells, runAllFromMenu, screenshotCell, waitForLabAllDone } from "./lab-page";
import { checkMediaShown, checkTrainingFinished } from "./lab-notebook-checks";
import { LAB_DOM } from "./training-watch";

const NOTEBOOK = path.join(repoRoot, "notebooks", "lab1-music-generation.ipynb");

describe("e2e: the lab notebook in Notebook 7, driven by headless Chromium", function () {
  this.timeout(SLOW_MS + 60000);
  let frontend: LabFrontend | undefined;
  const shot = screenshotFolder(repoRoot, "notebook7");

  before(async function () {
    frontend = await openInFrontend(this, "notebook", NOTEBOOK, ["notebook", "jupyter_server", "plotly"]);
  });

  after(async function () {
    if (!frontend) return;
    expect(await frontend.close(), "processes still running from the test's workspace").to.deep.equal([]);
  });

  it("runs all cells with the seqlab kernel: no errors; plots, sheet music and audio shown", async () => {
    const page = frontend!.session.page;
    const kernel = await labKernel(page);
    expect([kernel.name, kernel.displayName, kernel.status]).to.deep.equal(["seqlab", "TypeScript (seqlab)", "idle"]);
    console.log(`      (the kernel reports protocol ${kernel.protocol})`);

    await runAllFromMenu(page);
    await waitForLabAllDone(page);
    await page.screenshot({ path: shot("after-run-all"), fullPage: true });
    const trainingCell = await findLabCell(page, "new sl.LiveLossPlot");
    await screenshotCell(page, trainingCell, shot("training-done"));
    const songCell = await findLabCell(page, "validSongs.slice(0, tunesShown)");
    await screenshotCell(page, songCell, shot("sheet-music-and-audio"));

    const cells = await readAllLabCells(page);
    expect(cells.flatMap((c) => c.errors), `error outputs; the run said:\n${labRunSummary(cells)}`).to.deep.equal([]);
    expect(cells.filter((c) => !/\[\d+\]/.test(c.prompt)).map((c) => c.prompt), "cells that did not run").to.deep.equal([]);
    await checkMediaShown(page, LAB_DOM);
    expect(await plotRendererMimeType(page, trainingCell), "the MIME type the loss plot was rendered from").to.equal("application/vnd.plotly.v1+json");
    await checkTrainingFinished(page, LAB_DOM, trainingCell);
  });

  it("raised no script errors in the page but Notebook 7's own, with every non-loopback request refused", () => {
    const { refused, pageErrors } = frontend!.session;
    if (refused.length > 0) console.log(`    (refused ${refused.length} request(s) off loopback, e.g. ${refused[0]})`);
    // Notebook 7.6.5's keyboard-shortcuts plugin sometimes throws this while the page loads
    // its settings, on the file browser page (/tree) too, with no notebook or kernel involved.
    const upstream = pageErrors.filter((e) => e === NOTEBOOK7_OWN_ERROR);
    if (upstream.length > 0) console.log(`    (Notebook 7's own page error, not counted: ${NOTEBOOK7_OWN_ERROR})`);
    expect(pageErrors.filter((e) => e !== NOTEBOOK7_OWN_ERROR)).to.deep.equal([]);
  });
});
