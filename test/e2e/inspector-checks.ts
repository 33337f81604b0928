/**
 * What the frontend tests check on notebooks/inspect-interactively.ipynb once it ran, by
 * hand as a person would: the gradient inspector's slider is drawn by the widget manager and
 * moving it with the keyboard redraws the figure; the sampler's temperature and button give new
 * text; the %%train Stop button ends training with the kernel idle and the weights kept.
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { addAndRunCell, findLabCell, labKernel, screenshotCell, waitForLabCellDone, waitForLabKernelIdle, waitForLabOutput } from "./lab-page";
import { LAB_DOM } from "./training-watch";

/** One cell's widget area, read from the page. */
interface WidgetView {
  sliders: number;
  /** Each slider's readout (its value as shown). */
  readouts: string[];
  /** The title of the figure the widget's Output shows ("" when none is drawn). */
  title: string;
  /** The Output widget's visible text. */
  outputText: string;
}

/** Runs in the page: what the widgets of cell i show. */
const readView = ({ i, cells }: { i: number; cells: string }): WidgetView => {
  const cell = document.querySelectorAll(cells)[i];
  const output = cell?.querySelector(".widget-output") as HTMLElement | null;
  const plot = output?.querySelector(".jp-RenderedPlotly, .seqlab-plot") as (HTMLElement & { layout?: { title?: { text?: string } } }) | null;
  return {
    sliders: cell?.querySelectorAll(".widget-slider").length ?? 0,
    readouts: Array.from(cell?.querySelectorAll(".widget-slider .widget-readout") ?? []).map((r) => (r.textContent ?? "").trim()),
    title: plot?.querySelector(".main-svg") ? (plot.layout?.title?.text ?? "") : "",
    outputText: output?.innerText ?? "",
  };
};

/**
 * Waits until the cell's widget view passes `test`, an expression over `v` (a WidgetView),
 * then returns the view; after `timeout` returns what is there (the caller's expect says what differed).
 */
async function waitForView(page: Page, index: number, test: string, timeout = 30000): Promise<WidgetView> {
  const args = { i: index, cells: LAB_DOM.cells };
  // A string expression runs in the page as is, so the wait reuses readView itself.
  const view = `(${readView.toString()})(${JSON.stringify(args)})`;
  await page.waitForFunction(`(() => { const v = ${view}; return ${test}; })()`, undefined, { timeout, polling: 250 }).catch(() => undefined);
  return page.evaluate(readView, args);
}

/**
 * Types `value` into the readout of the cell's `nth` slider and presses Enter, as a person
 * sets a widgets slider from the keyboard (the readout is editable; Enter sets the value).
 */
async function typeIntoSlider(page: Page, index: number, nth: number, value: string): Promise<void> {
  const readout = page.locator(LAB_DOM.cells).nth(index).locator(".widget-slider .widget-readout").nth(nth);
  await readout.click({ clickCount: 3 });
  await page.keyboard.type(value);
  await page.keyboard.press("Enter");
}

/**
 * Drags the handle of the cell's `nth` slider with the mouse to `at` (0: the left end, 1: the
 * right end of its track), as a person does; on the way the view sends the values it passes.
 */
async function dragSlider(page: Page, index: number, nth: number, at: number): Promise<void> {
  const slider = page.locator(LAB_DOM.cells).nth(index).locator(".widget-slider").nth(nth);
  await slider.scrollIntoViewIfNeeded();
  const track = await slider.locator(".noUi-base").boundingBox();
  const handle = await slider.locator(".noUi-handle").boundingBox();
  if (!track || !handle) throw new Error("the slider is not drawn on the page");
  const y = handle.y + handle.height / 2;
  await page.mouse.move(handle.x + handle.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(track.x + at * track.width, y, { steps: 10 });
  await page.mouse.up();
}

/** The %gradients --interactive slider is drawn; setting it from the keyboard (its readout), then dragging it, redraws the figure. */
export async function checkGradientSlider(page: Page, shot: (name: string) => string): Promise<void> {
  const cell = await findLabCell(page, "%gradients $model --interactive");
  const before = await waitForView(page, cell, "v.sliders === 1 && v.title.includes('training step 30')");
  expect(before.sliders, "the train-step slider drawn by the widget manager").to.equal(1);
  expect(before.title, "the figure at the last recorded step").to.contain("at training step 30");
  await screenshotCell(page, cell, shot("gradients-at-step-30"));
  await typeIntoSlider(page, cell, 0, "20");
  const after = await waitForView(page, cell, "v.title.includes('training step 20')");
  expect(after.readouts, "the slider after typing 20").to.deep.equal(["20"]);
  expect(after.title, "the figure after setting the slider to 20").to.contain("at training step 20");
  await screenshotCell(page, cell, shot("gradients-at-step-20"));
  await dragSlider(page, cell, 0, 0);
  const earliest = await waitForView(page, cell, "v.title.includes('training step 10')");
  expect(earliest.readouts, "the slider after dragging it to the left end").to.deep.equal(["10"]);
  expect(earliest.title, "the figure after dragging to the left end").to.contain("at training step 10");
  await screenshotCell(page, cell, shot("gradients-at-step-10"));
}

/** The sampler shows text; a hotter temperature (the slider dragged) resamples it, and "Sample again" shows yet another. */
export async function checkSampler(page: Page, shot: (name: string) => string): Promise<void> {
  const cell = await findLabCell(page, "%generate $model --vocab $vocab --start $start --length 120 --temperature 0.8 --interactive");
  const first = await waitForView(page, cell, "v.outputText.includes('X:1')");
  expect(first.outputText, "the first sample").to.contain("T:Scrubbed");
  expect(first.readouts, "temperature and top-k at the start").to.deep.equal(["0.80", "0"]);
  await screenshotCell(page, cell, shot("sampler-at-0.80"));
  await dragSlider(page, cell, 0, 0.75);
  const hotter = await waitForView(page, cell, `Number(v.readouts[0]) > 1 && v.outputText.includes('T:Scrubbed') && v.outputText !== ${JSON.stringify(first.outputText)}`);
  expect(Number(hotter.readouts[0]), `the temperature after dragging it (readout ${hotter.readouts[0]})`).to.be.above(1);
  expect(hotter.outputText, `the text at temperature ${hotter.readouts[0]}`).to.contain("T:Scrubbed").and.not.equal(first.outputText);
  await screenshotCell(page, cell, shot("sampler-hotter"));
  await page.locator(LAB_DOM.cells).nth(cell).locator("button", { hasText: "Sample again" }).click();
  const again = await waitForView(page, cell, `v.outputText.includes('T:Scrubbed') && v.outputText !== ${JSON.stringify(hotter.outputText)}`);
  expect(again.outputText, "the text after Sample again").to.contain("T:Scrubbed").and.not.equal(hotter.outputText);
  await screenshotCell(page, cell, shot("sampler"));
}

/** A long %%train shows a Stop button; pressing it ends the cell normally, the kernel idle, weights and history kept. */
export async function checkStopButton(page: Page, shot: (name: string) => string): Promise<void> {
  const cell = await addAndRunCell(page, "%%train $model --data $batches --steps 100000 --history stopped");
  const stop = page.locator(LAB_DOM.cells).nth(cell).locator("button", { hasText: "Stop" });
  await stop.waitFor({ state: "visible", timeout: 60000 });
  await screenshotCell(page, cell, shot("training-with-stop-button"));
  await stop.click();
  const done = await waitForLabCellDone(page, cell, 60000);
  expect(done.errors, "the cell ends without an error").to.deep.equal([]);
  expect(done.text).to.match(/Stop pressed: training stops after the current step/).and.match(/trained steps 1–\d+: loss/);
  await waitForLabKernelIdle(page, 30000);
  expect((await labKernel(page)).status, "the kernel's status after the stopped cell").to.equal("idle");
  const check = await addAndRunCell(page, 'console.log(`kept: ${stopped.stopReason} after ${stopped.lastStep} steps, ${model.getWeights().filter((w) => w.isDisposed).length} weights disposed`)');
  const kept = await waitForLabOutput(page, check, /kept: interrupted after \d+ steps, 0 weights disposed/);
  expect(kept.text).to.match(/kept: interrupted after [1-9]\d* steps, 0 weights disposed/);
  await screenshotCell(page, cell, shot("stopped"));
}
