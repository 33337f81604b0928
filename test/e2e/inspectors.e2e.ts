/**
 * The interactive inspectors in the browser: notebooks/inspect-interactively.ipynb run in
 * JupyterLab 4 and in Notebook 7 (slider: keyboard and mouse; sampler controls; Stop button),
 * both from the pinned venv with ipywidgets 8, in headless Chromium with every request off
 * 127.0.0.1 refused. Screenshots go to test-artifacts/e2e/inspectors-{lab,notebook7}/.
 */
import { expect } from "chai";
import * as path from "path";
import { repoRoot } from "../kernel/helpers";
import { checkGradientSlider, checkSampler, checkStopButton } from "./inspector-checks";
import { LabFrontend, LabFrontendKind, NOTEBOOK7_OWN_ERROR, openInFrontend, screenshotFolder } from "./lab-frontend";
import { SLOW_MS, readAllLabCells, runAllFromMenu, waitForLabAllDone } from "./lab-page";

const NOTEBOOK = path.join(repoRoot, "notebooks", "inspect-interactively.ipynb");

/** Opens the notebook in `which`, runs all its cells and checks none failed. */
function runAllIn(which: LabFrontendKind, versions: string[]): () => LabFrontend {
  let frontend: LabFrontend | undefined;
  before(async function () {
    frontend = await openInFrontend(this, which, NOTEBOOK, versions);
    const page = frontend.session.page;
    await runAllFromMenu(page);
    await waitForLabAllDone(page);
    const cells = await readAllLabCells(page);
    expect(cells.flatMap((c) => c.errors), "error outputs").to.deep.equal([]);
    expect(cells.filter((c) => !/\[\d+\]/.test(c.prompt)).map((c) => c.prompt), "cells that did not run").to.deep.equal([]);
  });
  after(async function () {
    if (!frontend) return;
    const left = await frontend.close();
    expect(frontend.session.pageErrors.filter((e) => e !== NOTEBOOK7_OWN_ERROR), "script errors in the page").to.deep.equal([]);
    expect(left, "processes still running from the test's workspace").to.deep.equal([]);
  });
  return () => frontend!;
}

/** The same checks in each frontend, once the notebook ran there. */
function checksIn(which: LabFrontendKind, versions: string[], screenshots: string): void {
  const frontend = runAllIn(which, versions);
  const shot = screenshotFolder(repoRoot, screenshots);

  it("the gradient inspector's slider renders; setting it from the keyboard or dragging it redraws the figure for that recorded step", async () => {
    await checkGradientSlider(frontend().session.page, shot);
  });

  it("the sampler's temperature slider (dragged) and Sample again button each show new text", async () => {
    await checkSampler(frontend().session.page, shot);
  });

  it("the Stop button ends a running %%train: the cell succeeds, the kernel is idle, weights and history kept", async () => {
    await checkStopButton(frontend().session.page, shot);
  });
}

describe("e2e: interactive inspectors in JupyterLab 4", function () {
  this.timeout(SLOW_MS + 60000);
  checksIn("lab", ["jupyterlab", "ipywidgets", "jupyterlab_widgets", "plotly"], "inspectors-lab");
});

describe("e2e: interactive inspectors in Notebook 7", function () {
  this.timeout(SLOW_MS + 60000);
  checksIn("notebook", ["notebook", "ipywidgets", "jupyterlab_widgets", "plotly"], "inspectors-notebook7");
});
