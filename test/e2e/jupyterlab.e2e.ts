/**
 * The lab notebook end to end in JupyterLab 4 from the pinned venv (.ci/requirements.txt),
 * with the seqlab kernelspec installed into a temporary prefix, driven by headless Chromium
 * with every request off 127.0.0.1 refused. Screenshots go to test-artifacts/e2e/jupyterlab/.
 */
import { expect } from "chai";
import * as path from "path";
import { repoRoot } from "../kernel/helpers";
import { LabFrontend, openInFrontend, screenshotFolder } from "./lab-frontend";
import {
  SLOW_MS,
  addAndRunCell,
  addCellBelow,
  clickToolbar,
  deleteLabCell,
  findLabCell,
  labKernel,
  labRunSummary,
  plotRendererMimeType,
  readAllLabCells,
  readLabCell,
  restartFromToolbar,
  runAllFromMenu,
  screenshotCell,
  waitForLabAllDone,
  waitForLabCellDone,
  waitForLabKernelIdle,
  waitForLabOutput,
} from "./lab-page";
import { LONG_TRAINING_CELL, WEIGHTS_CHECK_CELL, checkLiveTraining, checkMediaShown, checkTrainingFinished } from "./lab-notebook-checks";
import { LAB_DOM, TrainingSnapshot, watchTrainingCell } from "./training-watch";

const NOTEBOOK = path.join(repoRoot, "notebooks", "lab1-music-generation.ipynb");
type ServerKernel = { id: string; name: string; execution_state: string };

describe("e2e: the lab notebook in JupyterLab 4, driven by headless Chromium", function () {
  this.timeout(SLOW_MS + 60000);
  let frontend: LabFrontend | undefined;
  let kernelId = "";
  const shot = screenshotFolder(repoRoot, "jupyterlab");

  before(async function () {
    frontend = await openInFrontend(this, "lab", NOTEBOOK, ["jupyterlab", "jupyter_server", "plotly", "ipywidgets"]);
  });

  after(async function () {
    if (!frontend) return;
    // Every kernel the server started must have gone with it.
    expect(await frontend.close(), "processes still running from the test's workspace").to.deep.equal([]);
  });

  it("opens the notebook with the seqlab kernel started", async () => {
    const page = frontend!.session.page;
    const kernel = await labKernel(page);
    expect(kernel.name).to.equal("seqlab");
    expect(kernel.displayName).to.equal("TypeScript (seqlab)");
    expect(kernel.status).to.equal("idle");
    console.log(`      (the kernel reports protocol ${kernel.protocol})`);
    kernelId = kernel.id;
    expect((await frontend!.api<ServerKernel[]>("/api/kernels")).map((k) => [k.id, k.name])).to.deep.equal([[kernelId, "seqlab"]]);
    await page.screenshot({ path: shot("opened") });
  });

  it("runs all cells: no errors, a live loss plot drawn by the plotly renderer, a full progress bar, sheet music and audio", async () => {
    const page = frontend!.session.page;
    const trainingCell = await findLabCell(page, "new sl.LiveLossPlot");
    await runAllFromMenu(page);
    const snapshots: TrainingSnapshot[] = await watchTrainingCell(page, LAB_DOM, trainingCell, SLOW_MS);
    await waitForLabAllDone(page);
    const songCell = await findLabCell(page, "validSongs.slice(0, tunesShown)");
    await screenshotCell(page, songCell, shot("sheet-music-and-audio"));
    await screenshotCell(page, trainingCell, shot("training-done"));

    const cells = await readAllLabCells(page);
    expect(cells.flatMap((c) => c.errors), `error outputs; the run said:\n${labRunSummary(cells)}`).to.deep.equal([]);
    expect(cells.filter((c) => !/\[\d+\]/.test(c.prompt)).map((c) => c.prompt), "cells that did not run").to.deep.equal([]);
    expect((await readLabCell(page, trainingCell)).text).to.match(/iterations trained: \d+/);
    await checkMediaShown(page, LAB_DOM);
    // The figure went to the plotly MIME renderer, not to the offline HTML ...
    expect(await plotRendererMimeType(page, trainingCell), "the MIME type the loss plot was rendered from").to.equal("application/vnd.plotly.v1+json");
    // ... redrawn while training ran, and complete at the end.
    checkLiveTraining(snapshots);
    await checkTrainingFinished(page, LAB_DOM, trainingCell);
  });

  it("completes library names after `sl.` (Tab) and shows a function's signature and doc comment (Shift+Tab)", async () => {
    const page = frontend!.session.page;
    const scratch = await addCellBelow(page, "sl.");
    // Tab completes once the completer is attached to the new cell's editor.
    await page.locator(LAB_DOM.cells).nth(scratch).locator(".jp-mod-completer-enabled").waitFor({ state: "attached", timeout: 30000 });
    await page.keyboard.press("Tab");
    const items = page.locator(".jp-Completer .jp-Completer-item");
    await items.first().waitFor({ state: "visible", timeout: 60000 });
    // JupyterLab draws the first screenful of items, then the rest a batch per animation
    // frame: wait until the names we look for are drawn (or time out and report the list).
    const wanted = ["getBatch", "trainModel", "LiveLossPlot", "Vocabulary"];
    const readNames = async () =>
      (await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-value") ?? (e as HTMLElement).innerText))).map((n) => n.trim());
    await page
      .waitForFunction(
        (names) => {
          const drawn = new Set(Array.from(document.querySelectorAll(".jp-Completer .jp-Completer-item")).map((e) => (e.getAttribute("data-value") ?? "").trim()));
          return names.every((n) => drawn.has(n));
        },
        wanted,
        { timeout: 30000, polling: 100 },
      )
      .catch(() => undefined); // the assertion below says which names are missing
    const names = await readNames();
    await page.screenshot({ path: shot("completion") });
    for (const name of wanted) expect(names, `completions after "sl."`).to.include(name);
    await page.keyboard.press("Escape");
    await page.locator(".jp-Completer").waitFor({ state: "hidden", timeout: 30000 });

    // Back into the editor, replace its text and ask for the tooltip on the function's name.
    await page.locator(LAB_DOM.cells).nth(scratch).locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.insertText("sl.getBatch");
    await page.keyboard.press("Shift+Tab");
    const tooltip = page.locator(".jp-Tooltip");
    await tooltip.waitFor({ state: "visible", timeout: 60000 });
    const text = await tooltip.innerText();
    await page.screenshot({ path: shot("inspection-tooltip") });
    expect(text).to.match(/getBatch\s*\(\s*encoded/);
    expect(text).to.contain("The lab's get_batch");
    await page.keyboard.press("Escape");
    await deleteLabCell(page, scratch);
  });

  it("shows %lsmagic and %timeit? in cells added through the UI", async () => {
    const page = frontend!.session.page;
    const lsmagic = await addAndRunCell(page, "%lsmagic");
    await waitForLabCellDone(page, lsmagic);
    const listed = await waitForLabOutput(page, lsmagic, /cell magics/i);
    expect(listed.errors).to.deep.equal([]);
    expect(listed.text).to.match(/Line magics/i);
    for (const name of ["%timeit", "%who", "%%train"]) expect(listed.text).to.contain(name);

    // JupyterLab shows a page payload (IPython's pager) in the cell's output area.
    const help = await addAndRunCell(page, "%timeit?");
    await waitForLabCellDone(page, help);
    const shown = await waitForLabOutput(page, help, /%timeit/);
    await screenshotCell(page, help, shot("magic-help"));
    expect(shown.errors).to.deep.equal([]);
    expect(shown.text).to.contain("%timeit");
    expect(shown.text.length).to.be.greaterThan(80);
  });

  it("interrupts a longer training run from the toolbar: same kernel, weights kept, the next cell runs", async () => {
    const page = frontend!.session.page;
    const longRun = await addAndRunCell(page, LONG_TRAINING_CELL);
    await page.waitForFunction(
      ({ i, dom }) => {
        const bar = document.querySelectorAll(dom.cells)[i]?.querySelector(".seqlab-progress progress") as HTMLProgressElement | null;
        return bar !== null && bar.value >= 3;
      },
      { i: longRun, dom: LAB_DOM },
      { timeout: SLOW_MS, polling: 250 },
    );
    expect((await readLabCell(page, longRun)).prompt).to.contain("*");
    await clickToolbar(page, "notebook:interrupt-kernel");
    await waitForLabCellDone(page, longRun);
    const stopped = await waitForLabOutput(page, longRun, /interrupted/i);
    await screenshotCell(page, longRun, shot("after-interrupt"));
    expect(stopped.text).to.match(/interrupted/i);
    expect(stopped.text).to.not.match(/100000\/100000/);
    await waitForLabKernelIdle(page);
    expect((await frontend!.api<ServerKernel[]>("/api/kernels")).map((k) => [k.id, k.execution_state])).to.deep.equal([[kernelId, "idle"]]);

    const check = await addAndRunCell(page, WEIGHTS_CHECK_CELL);
    await waitForLabCellDone(page, check);
    const after = await waitForLabOutput(page, check, /finite: (true|false)/);
    expect(after.errors, after.text).to.deep.equal([]);
    expect(Number(/weights kept: (\d+), disposed: 0/.exec(after.text)?.[1]), after.text).to.be.greaterThan(3);
    expect(after.text).to.contain("finite: true");
  });

  it("restarts the kernel from the toolbar and runs a cell in the fresh kernel", async () => {
    const page = frontend!.session.page;
    await restartFromToolbar(page);
    const fresh = await addAndRunCell(page, `const answer: number = 6 * 7;\nanswer`);
    const view = await waitForLabCellDone(page, fresh);
    expect(view.errors, view.text).to.deep.equal([]);
    expect((await waitForLabOutput(page, fresh, /42/)).text).to.contain("42");
    expect(view.prompt).to.match(/\[1\]/);
    const missing = await addAndRunCell(page, "model.countParams()");
    await waitForLabCellDone(page, missing);
    expect((await waitForLabOutput(page, missing, /model/)).text).to.match(/Cannot find name 'model'/);
    await page.screenshot({ path: shot("after-restart") });
  });

  it("raised no script errors in the page, with every non-loopback request refused", () => {
    const { refused, pageErrors } = frontend!.session;
    if (refused.length > 0) console.log(`    (refused ${refused.length} request(s) off loopback, e.g. ${refused[0]})`);
    expect(pageErrors).to.deep.equal([]);
  });
});
