/**
 * Driving a notebook in JupyterLab 4 or Notebook 7 (both use JupyterLab's notebook widget)
 * the way a person does: menus, toolbar buttons, dialogs and the keyboard. What the page
 * shows is read from the DOM; the kernel's state and the cells' sources and output types are
 * read from the application object the server exposes (--expose-app-in-browser).
 */
import type { Page } from "playwright-core";
import { LAB_DOM } from "./training-watch";

/** Long enough for a kernel to start or a cell to finish on a loaded two-core machine. */
export const SLOW_MS = 240000;

export interface LabCellView {
  /** The prompt: "[3]:", "[*]:" (running or queued) or "[ ]:". */
  prompt: string;
  /** The visible text of all its outputs. */
  text: string;
  /** The cell's outputs of type "error", as the notebook model holds them (ename: evalue). */
  errors: string[];
}

/** A snippet run in the page: the current notebook panel (typed loosely: it is JupyterLab's). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Panel = any;

/** Opens a notebook URL and waits until the notebook is shown and its kernel idle. */
export async function openLabNotebook(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: SLOW_MS });
  await page.waitForFunction(
    () => {
      const app = (window as unknown as { jupyterapp?: { shell: { currentWidget: Panel } } }).jupyterapp;
      const panel = app?.shell.currentWidget;
      return panel?.sessionContext?.session?.kernel?.status === "idle" && document.querySelector(".jp-NotebookPanel .jp-Cell") !== null;
    },
    undefined,
    { timeout: SLOW_MS, polling: 250 },
  );
}

/** The notebook's kernel as the frontend sees it, with the protocol version its kernel_info reply gave. */
export async function labKernel(page: Page): Promise<{ name: string; displayName: string; status: string; id: string; protocol: string }> {
  return page.evaluate(async () => {
    const panel = (window as unknown as { jupyterapp: { shell: { currentWidget: Panel } } }).jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session?.kernel;
    const info = kernel ? await kernel.info : undefined;
    return { name: kernel?.name ?? "", displayName: panel.sessionContext.kernelDisplayName, status: kernel?.status ?? "none", id: kernel?.id ?? "", protocol: info?.protocol_version ?? "" };
  });
}

/**
 * The MIME type the first figure in the cell at `index` was rendered from: the plotly JSON
 * (jupyterlab-plotly's renderer marks its node .jp-RenderedPlotly) or seqlab's offline HTML
 * (a .seqlab-plot div); null when the cell shows no figure.
 */
export async function plotRendererMimeType(page: Page, index: number): Promise<string | null> {
  return page.evaluate(
    ({ i, dom }) => {
      const plot = document.querySelectorAll(dom.cells)[i]?.querySelector(dom.plot);
      if (!plot) return null;
      return plot.classList.contains("jp-RenderedPlotly") ? "application/vnd.plotly.v1+json" : "text/html";
    },
    { i: index, dom: LAB_DOM },
  );
}

export async function waitForLabKernelIdle(page: Page, timeout = SLOW_MS): Promise<void> {
  await page.waitForFunction(
    () => (window as unknown as { jupyterapp: { shell: { currentWidget: Panel } } }).jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === "idle",
    undefined,
    { timeout, polling: 250 },
  );
}

/** Index of the first cell whose source contains `text`. */
export async function findLabCell(page: Page, text: string): Promise<number> {
  const index = await page.evaluate((needle) => {
    const panel = (window as unknown as { jupyterapp: { shell: { currentWidget: Panel } } }).jupyterapp.shell.currentWidget;
    return (panel.content.widgets as Array<{ model: { sharedModel: { getSource(): string } } }>).findIndex((c) => c.model.sharedModel.getSource().includes(needle));
  }, text);
  if (index < 0) throw new Error(`no cell of the notebook contains ${JSON.stringify(text)}`);
  return index;
}

export async function readLabCell(page: Page, index: number): Promise<LabCellView> {
  return page.evaluate(
    ({ i, dom }) => {
      const panel = (window as unknown as { jupyterapp: { shell: { currentWidget: Panel } } }).jupyterapp.shell.currentWidget;
      const widget = panel.content.widgets[i];
      if (!widget) throw new Error(`there is no cell ${i}`);
      const outputs: Array<{ output_type: string; ename?: string; evalue?: string }> = widget.model.outputs?.toJSON() ?? [];
      const cell = document.querySelectorAll(dom.cells)[i];
      return {
        prompt: (cell?.querySelector(dom.prompt)?.textContent ?? "").trim(),
        text: (cell?.querySelector(".jp-OutputArea") as HTMLElement | null)?.innerText ?? "",
        errors: outputs.filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}`),
      };
    },
    { i: index, dom: LAB_DOM },
  );
}

/** Every code cell's prompt and error outputs. */
export async function readAllLabCells(page: Page): Promise<LabCellView[]> {
  const count = await page.evaluate(() => (window as unknown as { jupyterapp: { shell: { currentWidget: Panel } } }).jupyterapp.shell.currentWidget.content.widgets.length);
  const views: LabCellView[] = [];
  for (let i = 0; i < count; i++) {
    const kind = await page.evaluate((j) => (window as unknown as { jupyterapp: { shell: { currentWidget: Panel } } }).jupyterapp.shell.currentWidget.content.widgets[j].model.type, i);
    if (kind === "code") views.push(await readLabCell(page, i));
  }
  return views;
}

/**
 * What a run of the lab notebook said that explains a failed claim: the execution counts in
 * order (a cell run twice shows) and the lines naming the backend, the final loss and the
 * tunes found, for an assertion's message.
 */
export function labRunSummary(cells: LabCellView[]): string {
  const lines = cells.flatMap((c) => c.text.split("\n")).filter((l) => /backend "|mean loss over the last|tunes found|valid generated|ran before the type checker|fall(s|ing)? back/i.test(l));
  return `execution counts ${cells.map((c) => c.prompt.replace(/[^\d*]/g, "") || "-").join(" ")}\n${lines.map((l) => l.slice(0, 200)).join("\n")}`;
}

/** Waits until the cell shows an execution count and the kernel is idle again. */
export async function waitForLabCellDone(page: Page, index: number, timeout = SLOW_MS): Promise<LabCellView> {
  await page.waitForFunction(
    ({ i, dom }) => {
      const panel = (window as unknown as { jupyterapp: { shell: { currentWidget: Panel } } }).jupyterapp.shell.currentWidget;
      const prompt = document.querySelectorAll(dom.cells)[i]?.querySelector(dom.prompt)?.textContent ?? "";
      return /\[\d+\]/.test(prompt) && panel.sessionContext.session?.kernel?.status === "idle";
    },
    { i: index, dom: LAB_DOM },
    { timeout, polling: 250 },
  );
  return readLabCell(page, index);
}

/** Waits until the cell's outputs match `pattern`; after `timeout` returns what is there. */
export async function waitForLabOutput(page: Page, index: number, pattern: RegExp, timeout = 60000): Promise<LabCellView> {
  await page
    .waitForFunction(
      ({ i, dom, source, flags }) => {
        const outputs = document.querySelectorAll(dom.cells)[i]?.querySelector(".jp-OutputArea") as HTMLElement | null;
        return new RegExp(source, flags).test(outputs?.innerText ?? "");
      },
      { i: index, dom: LAB_DOM, source: pattern.source, flags: pattern.flags },
      { timeout, polling: 250 },
    )
    .catch(() => undefined);
  return readLabCell(page, index);
}

/** Waits until no code cell is running or queued and the kernel is idle. */
export async function waitForLabAllDone(page: Page, timeout = SLOW_MS): Promise<void> {
  await page.waitForFunction(
    (dom) => {
      const panel = (window as unknown as { jupyterapp: { shell: { currentWidget: Panel } } }).jupyterapp.shell.currentWidget;
      const running = Array.from(document.querySelectorAll(dom.cells)).some((c) => (c.querySelector(dom.prompt)?.textContent ?? "").includes("*"));
      return !running && panel.sessionContext.session?.kernel?.status === "idle";
    },
    LAB_DOM,
    { timeout, polling: 500 },
  );
}

/**
 * A picture of the window with the cell at `index` scrolled to its top (an element picture
 * of a cell taller than the window comes out partly blank in JupyterLab's layout).
 */
export async function screenshotCell(page: Page, index: number, file: string): Promise<void> {
  await page.evaluate(({ i, dom }) => document.querySelectorAll(dom.cells)[i]?.scrollIntoView({ block: "start" }), { i: index, dom: LAB_DOM });
  await page.screenshot({ path: file });
}

/** Opens a top menu by its label and clicks the item that runs `command`. */
export async function clickMenuCommand(page: Page, menu: string, command: string): Promise<void> {
  await page.locator(".lm-MenuBar-item", { hasText: new RegExp(`^\\s*${menu}\\s*$`) }).click();
  await page.locator(`.lm-Menu-item[data-command="${command}"]`).first().click();
}

/** Run → Run All Cells. */
export async function runAllFromMenu(page: Page): Promise<void> {
  await clickMenuCommand(page, "Run", "runmenu:run-all");
}

/** Clicks a button of the notebook's toolbar by the command it runs (interrupt, restart, ...). */
export async function clickToolbar(page: Page, command: string): Promise<void> {
  await page.locator(`.jp-NotebookPanel-toolbar [data-command="${command}"]`).first().click();
}

/**
 * Selects the last cell, adds a code cell below it (Escape, then B, as in JupyterLab's
 * command mode), enters its editor and types `source`. Returns the new cell's index.
 */
export async function addCellBelow(page: Page, source: string): Promise<number> {
  const cells = page.locator(LAB_DOM.cells);
  const before = await cells.count();
  // Clicking a cell's prompt selects it.
  await cells.nth(before - 1).locator(".jp-InputArea-prompt").click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("b");
  await page.waitForFunction(({ n, sel }) => document.querySelectorAll(sel).length === n + 1, { n: before, sel: LAB_DOM.cells }, { timeout: 30000 });
  await page.keyboard.press("Enter");
  // insertText puts the text in as typed input without key events, so the editor neither
  // closes brackets nor indents new lines on its own.
  await page.keyboard.insertText(source);
  const typed = await page.evaluate((i) => (window as unknown as { jupyterapp: { shell: { currentWidget: Panel } } }).jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel.getSource(), before);
  if (typed !== source) throw new Error(`the new cell holds ${JSON.stringify(typed)} instead of ${JSON.stringify(source)}`);
  return before;
}

/** addCellBelow, then Ctrl+Enter; returns once the cell has left "[ ]". */
export async function addAndRunCell(page: Page, source: string): Promise<number> {
  const index = await addCellBelow(page, source);
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction(
    ({ i, dom }) => !/\[ \]/.test(document.querySelectorAll(dom.cells)[i]?.querySelector(dom.prompt)?.textContent ?? "[ ]"),
    { i: index, dom: LAB_DOM },
    { timeout: 30000 },
  );
  return index;
}

/** Deletes the cell at `index` (command mode D, D), for cells used only to type into. */
export async function deleteLabCell(page: Page, index: number): Promise<void> {
  const cells = page.locator(LAB_DOM.cells);
  const before = await cells.count();
  await cells.nth(index).locator(".jp-InputArea-prompt").click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("d");
  await page.keyboard.press("d");
  await page.waitForFunction(({ n, sel }) => document.querySelectorAll(sel).length === n - 1, { n: before, sel: LAB_DOM.cells }, { timeout: 30000 });
}

/**
 * Restarts the kernel from the toolbar (↻, then "Restart" in the dialog) and waits until the
 * frontend saw it restart and become idle again.
 */
export async function restartFromToolbar(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { jupyterapp: { shell: { currentWidget: Panel } }; seqlabRestart?: string[] };
    w.seqlabRestart = [];
    w.jupyterapp.shell.currentWidget.sessionContext.statusChanged.connect((_: unknown, status: string) => w.seqlabRestart!.push(status));
  });
  await clickToolbar(page, "notebook:restart-kernel");
  await page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click({ timeout: 30000 });
  await page.locator(".jp-Dialog").waitFor({ state: "detached", timeout: 30000 });
  await page.waitForFunction(
    () => {
      const seen = (window as unknown as { seqlabRestart?: string[] }).seqlabRestart ?? [];
      const restarted = seen.indexOf("restarting");
      return restarted >= 0 && seen.slice(restarted).includes("idle");
    },
    undefined,
    { timeout: SLOW_MS, polling: 250 },
  );
}

