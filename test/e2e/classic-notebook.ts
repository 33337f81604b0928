/**
 * Driving the classic Jupyter Notebook (6.x) page the way a person does: its menus, toolbar
 * buttons, dialogs and the keyboard. Reading what the page shows goes through the DOM (the
 * prompts, outputs, kernel indicator and pager); the notebook's JavaScript model is only
 * read, to find a cell by its source.
 */
import type { Page } from "playwright-core";

/** Long enough for a kernel to start or a cell to finish on a loaded two-core machine. */
export const SLOW_MS = 240000;

/** What one code cell looks like on the page right now. */
export interface CellView {
  /** The prompt: "In [3]:", "In [*]:" (running or queued) or "In [ ]:". */
  prompt: string;
  /** The visible text of all its outputs. */
  text: string;
  errors: number;
}

/** Opens a notebook from the server's tree and waits until it is loaded and its kernel idle. */
export async function openNotebook(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: SLOW_MS });
  await page.waitForFunction(
    () => {
      const w = window as unknown as { Jupyter?: { notebook?: { _fully_loaded?: boolean } } };
      return w.Jupyter?.notebook?._fully_loaded === true;
    },
    undefined,
    { timeout: SLOW_MS, polling: 250 },
  );
  await waitForKernelIdle(page);
}

/** The kernel's display name in the indicator at the top right. */
export async function kernelDisplayName(page: Page): Promise<string> {
  return ((await page.locator("#kernel_indicator .kernel_indicator_name").textContent()) ?? "").trim();
}

/** The kernels listed under Kernel → Change kernel (the menu is opened and closed again). */
export async function kernelMenuChoices(page: Page): Promise<string[]> {
  await page.click("#kernellink");
  await page.hover("#menu-change-kernel");
  const items = page.locator("#menu-change-kernel-submenu li a");
  await items.first().waitFor({ state: "visible", timeout: 30000 });
  const names = (await items.allInnerTexts()).map((t) => t.trim());
  // Close the menu the way it was opened (a second click on "Kernel").
  const open = await page.locator("#kernellink").evaluate((link) => link.parentElement?.classList.contains("open") === true);
  if (open) await page.click("#kernellink");
  await page.locator("#kernel_menu").waitFor({ state: "hidden", timeout: 30000 });
  return names;
}

/** Waits for the kernel indicator to show "idle" (a filled circle turns into an empty one). */
export async function waitForKernelIdle(page: Page, timeout = SLOW_MS): Promise<void> {
  await page.waitForSelector("#kernel_indicator_icon.kernel_idle_icon", { state: "attached", timeout });
}

/** The kernel indicator's state: idle, busy, dead or disconnected. */
export async function kernelState(page: Page): Promise<string> {
  const cls = (await page.locator("#kernel_indicator_icon").getAttribute("class")) ?? "";
  return cls.replace(/^kernel_|_icon$/g, "");
}

/** Index (among all cells, as the page lists them) of the first cell whose source contains `text`. */
export async function findCell(page: Page, text: string): Promise<number> {
  const index = await page.evaluate((needle) => {
    const w = window as unknown as { Jupyter: { notebook: { get_cells(): Array<{ get_text(): string }> } } };
    return w.Jupyter.notebook.get_cells().findIndex((c) => c.get_text().includes(needle));
  }, text);
  if (index < 0) throw new Error(`no cell of the notebook contains ${JSON.stringify(text)}`);
  return index;
}

export async function cellCount(page: Page): Promise<number> {
  return page.locator("#notebook-container > .cell").count();
}

/** The prompt, output text and error count of the cell at `index`. */
export async function readCell(page: Page, index: number): Promise<CellView> {
  return page.evaluate((i) => {
    const cell = document.querySelectorAll("#notebook-container > .cell")[i];
    if (!cell) throw new Error(`there is no cell ${i}`);
    const prompt = (cell.querySelector(".input_prompt")?.textContent ?? "").replace(/\s+/g, " ").trim();
    const outputs = cell.querySelector(".output_wrapper") as HTMLElement | null;
    return { prompt, text: outputs?.innerText ?? "", errors: cell.querySelectorAll(".output_error").length };
  }, index);
}

/**
 * Waits until the cell at `index` shows an execution count in its prompt (its reply came)
 * and the kernel is idle again. Outputs travel on another channel than the reply, so a
 * caller that needs a particular output should wait for it with waitForOutput.
 */
export async function waitForCellDone(page: Page, index: number, timeout = SLOW_MS): Promise<CellView> {
  await page.waitForFunction(
    (i) => {
      const cell = document.querySelectorAll("#notebook-container > .cell")[i];
      return /\[\d+\]/.test(cell?.querySelector(".input_prompt")?.textContent ?? "") && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    },
    index,
    { timeout, polling: 250 },
  );
  return readCell(page, index);
}

/**
 * Waits until the outputs of the cell at `index` match `pattern`, then returns what the cell
 * shows. After `timeout` it returns what is there, so the caller's assertion reports it.
 */
export async function waitForOutput(page: Page, index: number, pattern: RegExp, timeout = 60000): Promise<CellView> {
  await page
    .waitForFunction(
      ({ i, source, flags }) => {
        const outputs = document.querySelectorAll("#notebook-container > .cell")[i]?.querySelector(".output_wrapper") as HTMLElement | null;
        return new RegExp(source, flags).test(outputs?.innerText ?? "");
      },
      { i: index, source: pattern.source, flags: pattern.flags },
      { timeout, polling: 250 },
    )
    .catch(() => undefined);
  return readCell(page, index);
}

/** Waits until no code cell is running or queued ("In [*]") and the kernel is idle. */
export async function waitForAllDone(page: Page, timeout = SLOW_MS): Promise<void> {
  await page.waitForFunction(
    () => {
      const running = Array.from(document.querySelectorAll("#notebook-container > .code_cell .input_prompt")).some((p) => (p.textContent ?? "").includes("*"));
      return !running && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    },
    undefined,
    { timeout, polling: 500 },
  );
}

/** Cell → Run All. */
export async function runAll(page: Page): Promise<void> {
  await page.click("#celllink");
  await page.click("#run_all_cells > a");
}

/**
 * Selects the last cell, inserts a code cell below it with Insert → Insert Cell Below, types
 * `source` into its editor and runs it with Ctrl+Enter. Returns the new cell's index.
 */
export async function insertAndRunCell(page: Page, source: string): Promise<number> {
  const cells = page.locator("#notebook-container > .cell");
  const before = await cells.count();
  // Clicking a cell's prompt area selects it without entering its editor.
  await cells.nth(before - 1).locator(".prompt").first().click();
  await page.click("#insertlink");
  await page.click("#insert_cell_below > a");
  await page.waitForFunction((n) => document.querySelectorAll("#notebook-container > .cell").length === n + 1, before, { timeout: 30000 });
  const index = before;
  const cell = cells.nth(index);
  await cell.locator(".CodeMirror").click();
  // insertText puts the text in as typed input without key events, so the editor neither
  // closes brackets nor indents new lines on its own.
  await page.keyboard.insertText(source);
  const typed = await page.evaluate((i) => {
    const w = window as unknown as { Jupyter: { notebook: { get_cell(i: number): { get_text(): string } } } };
    return w.Jupyter.notebook.get_cell(i).get_text();
  }, index);
  if (typed !== source) throw new Error(`the new cell holds ${JSON.stringify(typed)} instead of ${JSON.stringify(source)}`);
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction(
    (i) => !/\[ \]/.test(document.querySelectorAll("#notebook-container > .cell")[i]?.querySelector(".input_prompt")?.textContent ?? ""),
    index,
    { timeout: 30000 },
  );
  return index;
}

/** Clicks the toolbar's interrupt button (■). */
export async function interruptFromToolbar(page: Page): Promise<void> {
  await page.click('#maintoolbar button[data-jupyter-action="jupyter-notebook:interrupt-kernel"]');
}

/** Kernel → Restart, then "Restart" in the confirmation dialog; waits for the fresh kernel to be idle. */
export async function restartFromMenu(page: Page): Promise<void> {
  // The indicator is idle both before and after a restart, so listen for the page's own
  // "kernel ready" event, which comes once the new kernel answers.
  await page.evaluate(() => {
    const w = window as unknown as { Jupyter: { notebook: { events: { one(name: string, f: () => void): void } } }; seqlabKernelReady?: boolean };
    w.seqlabKernelReady = false;
    w.Jupyter.notebook.events.one("kernel_ready.Kernel", () => (w.seqlabKernelReady = true));
  });
  await page.click("#kernellink");
  await page.click("#restart_kernel > a");
  const confirm = page.locator(".modal-dialog .modal-footer button", { hasText: /^\s*Restart\s*$/ });
  await confirm.click({ timeout: 30000 });
  await page.locator(".modal-dialog").waitFor({ state: "detached", timeout: 30000 });
  await page.waitForFunction(
    () => (window as unknown as { seqlabKernelReady?: boolean }).seqlabKernelReady === true && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null,
    undefined,
    { timeout: SLOW_MS, polling: 250 },
  );
}

/** The text in the pager (the panel help like `%name?` opens at the bottom), once it is shown. */
export async function pagerText(page: Page, timeout = 60000): Promise<string> {
  await page.locator("#pager-container pre").first().waitFor({ state: "visible", timeout });
  return (await page.locator("#pager-container").innerText()).trim();
}

/**
 * Screenshot of the whole notebook, not only the window: the classic Notebook scrolls inside
 * #site, so it is let out to its full height for the picture and put back afterwards.
 */
export async function screenshotNotebook(page: Page, file: string): Promise<void> {
  await page.evaluate(() => {
    const site = document.getElementById("site");
    if (site) {
      site.dataset.seqlabHeight = site.style.height;
      site.style.height = "auto";
      site.style.overflow = "visible";
    }
  });
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: 120000 });
  } finally {
    await page.evaluate(() => {
      const site = document.getElementById("site");
      if (site) {
        site.style.height = site.dataset.seqlabHeight ?? "";
        site.style.overflow = "";
      }
    });
  }
}
