/**
 * The lab notebook end to end in the classic Jupyter Notebook 6 (Debian's), the older second
 * frontend beside JupyterLab 4 and Notebook 7: the seqlab kernelspec installed into a
 * temporary prefix, driven by headless Chromium through playwright-core, with every request
 * that is not to 127.0.0.1 refused.
 *
 * Run with `npm run test:e2e` (after `npm run build`). It is named *.e2e.ts so the main
 * `npm test` glob (dist/test/**\/*.test.js) leaves it out. Screenshots of what it saw go to
 * test-artifacts/e2e/.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, missingBrowser } from "./browser";
import { repoRoot } from "../kernel/helpers";
import {
  SLOW_MS,
  findCell,
  insertAndRunCell,
  interruptFromToolbar,
  kernelDisplayName,
  kernelMenuChoices,
  kernelState,
  openNotebook,
  pagerText,
  readCell,
  restartFromMenu,
  runAll,
  screenshotNotebook,
  waitForAllDone,
  waitForCellDone,
  waitForOutput,
} from "./classic-notebook";
import { NotebookServer, checkLabNotebookInputs, classicNotebookCommand, startNotebookServer } from "./notebook-server";
import { LONG_TRAINING_CELL, WEIGHTS_CHECK_CELL, checkLiveTraining, checkMediaShown, checkTrainingFinished } from "./lab-notebook-checks";
import { CLASSIC_DOM, TrainingSnapshot, watchTrainingCell } from "./training-watch";

const NOTEBOOK = path.join(repoRoot, "notebooks", "lab1-music-generation.ipynb");
const ARTIFACTS = path.join(repoRoot, "test-artifacts", "e2e", "notebook6");
const KERNEL_NAME = "seqlab";
const KERNEL_DISPLAY_NAME = "TypeScript (seqlab)";

describe("e2e: the lab notebook in the classic Jupyter Notebook, driven by headless Chromium", function () {
  this.timeout(SLOW_MS + 60000);
  let server: NotebookServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let refused: string[] = [];
  let pageErrors: string[] = [];
  let trainingCell = -1;
  let kernelId = "";

  /** The server's view of the notebook's kernel(s): id, name and execution state. */
  async function serverKernels(): Promise<Array<{ id: string; name: string; execution_state: string }>> {
    const res = await fetch(`${server!.baseUrl}/api/kernels`, { headers: { Authorization: `token ${server!.token}` } });
    return (await res.json()) as Array<{ id: string; name: string; execution_state: string }>;
  }

  before(async function () {
    const command = classicNotebookCommand();
    const missing = !command ? "the classic Notebook 6 (apt-get install jupyter-notebook)" : missingBrowser();
    if (missing) {
      console.log(`    (skipped: needs ${missing})`);
      this.skip();
    }
    checkLabNotebookInputs();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startNotebookServer({ notebook: NOTEBOOK, app: { command: command!, serverClass: "NotebookApp" }, env: { SEQLAB_QUICK: "1" } });
    console.log(`    (classic Notebook ${execFileSync(command![0], [...command!.slice(1), "--version"], { encoding: "utf8" }).trim()}, Debian's)`);
    const session = await launchBrowser();
    ({ browser, page, refused, pageErrors } = session);
    await openNotebook(page, `${server.baseUrl}/notebooks/${path.basename(NOTEBOOK)}?token=${server.token}`);
  });

  after(async function () {
    if (browser) await browser.close();
    if (server) {
      const leftOver = await server.stop();
      // Every kernel the server started must have gone with it.
      expect(leftOver, "processes still running from the test's workspace").to.deep.equal([]);
    }
  });

  it("opens the notebook with the seqlab kernel chosen", async () => {
    // The notebook names the seqlab kernel, so the frontend starts it without asking.
    const metadata = JSON.parse(fs.readFileSync(NOTEBOOK, "utf8")).metadata as { kernelspec?: { name?: string } };
    expect(metadata.kernelspec?.name).to.equal(KERNEL_NAME);
    expect(await kernelDisplayName(page)).to.equal(KERNEL_DISPLAY_NAME);
    expect(await kernelState(page)).to.equal("idle");
    // Kernel → Change kernel offers it too (where a person picks it for another notebook).
    expect(await kernelMenuChoices(page)).to.include(KERNEL_DISPLAY_NAME);
    const kernels = await serverKernels();
    expect(kernels.map((k) => k.name)).to.deep.equal([KERNEL_NAME]);
    kernelId = kernels[0].id;
  });

  it("runs all cells: no errors, a live loss plot that redraws while training, a full progress bar, sheet music and audio", async () => {
    trainingCell = await findCell(page, "new sl.LiveLossPlot");
    await runAll(page);
    // Watch the training cell while it runs, then wait for the whole notebook.
    const snapshots: TrainingSnapshot[] = await watchTrainingCell(page, CLASSIC_DOM, trainingCell, SLOW_MS);
    await waitForAllDone(page);
    await screenshotNotebook(page, path.join(ARTIFACTS, "after-run-all.png"));

    const cells = await page.evaluate(() =>
      Array.from(document.querySelectorAll("#notebook-container > .code_cell")).map((c) => ({
        prompt: (c.querySelector(".input_prompt")?.textContent ?? "").trim(),
        errors: Array.from(c.querySelectorAll(".output_error")).map((e) => (e as HTMLElement).innerText.slice(0, 2000)),
      })),
    );
    expect(cells.flatMap((c) => c.errors), "error outputs").to.deep.equal([]);
    expect(cells.filter((c) => !/\[\d+\]/.test(c.prompt)).map((c) => c.prompt), "cells that did not run").to.deep.equal([]);

    checkLiveTraining(snapshots);
    await checkTrainingFinished(page, CLASSIC_DOM, trainingCell);
    expect((await waitForOutput(page, trainingCell, /iterations trained/)).text).to.match(/✔ iterations trained: \d+/);
    await checkMediaShown(page, CLASSIC_DOM);
  });

  it("shows %lsmagic and %timeit? help in cells added through the UI", async () => {
    const lsmagic = await insertAndRunCell(page, "%lsmagic");
    await waitForCellDone(page, lsmagic);
    const listed = await waitForOutput(page, lsmagic, /cell magics/i);
    expect(listed.errors).to.equal(0);
    expect(listed.text).to.match(/Line magics/i);
    for (const name of ["%timeit", "%who", "%%train"]) expect(listed.text).to.contain(name);

    const help = await insertAndRunCell(page, "%timeit?");
    await waitForCellDone(page, help);
    const pager = await pagerText(page);
    expect(pager).to.contain("%timeit");
    expect(pager.length).to.be.greaterThan(80);
    expect((await readCell(page, help)).errors).to.equal(0);
  });

  it("interrupts a longer training run from the toolbar: the kernel lives on, the model keeps its weights, the next cell runs", async () => {
    // Far more steps than could finish: only the interrupt ends this cell.
    const longRun = await insertAndRunCell(page, LONG_TRAINING_CELL);
    // Interrupt once training visibly runs (a few steps shown by its progress bar).
    await page.waitForFunction(
      (i) => {
        const bar = document.querySelectorAll("#notebook-container > .cell")[i]?.querySelector(".seqlab-progress progress") as HTMLProgressElement | null;
        return bar !== null && bar.value >= 3;
      },
      longRun,
      { timeout: SLOW_MS, polling: 250 },
    );
    expect((await readCell(page, longRun)).prompt).to.contain("*");
    await interruptFromToolbar(page);
    await waitForCellDone(page, longRun);
    const stopped = await waitForOutput(page, longRun, /interrupted/i);
    await screenshotNotebook(page, path.join(ARTIFACTS, "after-interrupt.png"));
    expect(stopped.text).to.match(/interrupted/i);
    expect(stopped.text).to.not.match(/100000\/100000/);
    await page.waitForSelector("#kernel_indicator_icon.kernel_idle_icon", { timeout: SLOW_MS });
    expect(await kernelState(page)).to.equal("idle");
    // The same kernel process lives on: not restarted, not dead.
    const kernels = await serverKernels();
    expect(kernels.map((k) => [k.id, k.execution_state])).to.deep.equal([[kernelId, "idle"]]);

    const check = await insertAndRunCell(page, WEIGHTS_CHECK_CELL);
    await waitForCellDone(page, check);
    const after = await waitForOutput(page, check, /finite: (true|false)/);
    expect(after.errors, after.text).to.equal(0);
    const count = Number(/weights kept: (\d+), disposed: 0/.exec(after.text)?.[1]);
    expect(count, after.text).to.be.greaterThan(3);
    expect(after.text).to.match(/\[\d+,\d+\]/);
    expect(after.text).to.contain("finite: true");
  });

  it("restarts the kernel from the Kernel menu and runs a cell again in the fresh kernel", async () => {
    await restartFromMenu(page);
    expect(await kernelState(page)).to.equal("idle");
    // Execution counts start again at 1 in a new kernel ...
    const fresh = await insertAndRunCell(page, `const answer: number = 6 * 7;\nanswer`);
    await waitForCellDone(page, fresh);
    const view = await waitForOutput(page, fresh, /42/);
    expect(view.errors, view.text).to.equal(0);
    expect(view.text).to.contain("42");
    expect(view.prompt).to.match(/\[1\]/);
    // ... and the old kernel's variables are gone.
    const missing = await insertAndRunCell(page, "model.countParams()");
    await waitForCellDone(page, missing);
    const gone = await waitForOutput(page, missing, /model/);
    expect(gone.text).to.match(/Cannot find name 'model'/);

    // The notebook's own first cell runs again in the new kernel.
    const first = await findCell(page, "sl.initBackend()");
    // Its prompt shows the count from before the restart until it has run again.
    const oldPrompt = (await readCell(page, first)).prompt;
    await page.locator("#notebook-container > .cell").nth(first).locator(".prompt").first().click();
    await page.click('#maintoolbar button[data-jupyter-action="jupyter-notebook:run-cell-and-select-next"]');
    await page.waitForFunction(
      ({ i, old }) => {
        const prompt = (document.querySelectorAll("#notebook-container > .cell")[i]?.querySelector(".input_prompt")?.textContent ?? "").replace(/\s+/g, " ").trim();
        return prompt !== old && /\[\d+\]/.test(prompt);
      },
      { i: first, old: oldPrompt },
      { timeout: SLOW_MS, polling: 250 },
    );
    const rerun = await waitForOutput(page, first, /TensorFlow\.js/);
    expect(rerun.errors, rerun.text).to.equal(0);
    expect(rerun.text).to.match(/TensorFlow\.js [\d.]+, backend "\w+"/);
    // Counted in the new kernel: after the two cells above, not after the long first session.
    expect(Number(/\[(\d+)\]/.exec(rerun.prompt)?.[1])).to.be.within(2, 3);
  });

  it("raised no script errors in the page, with every non-loopback request refused", () => {
    if (refused.length > 0) console.log(`    (refused ${refused.length} request(s) off loopback, e.g. ${refused[0]})`);
    expect(pageErrors).to.deep.equal([]);
  });
});
