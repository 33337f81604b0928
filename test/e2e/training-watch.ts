/**
 * Watching a training cell while it runs: how far its progress bar is and what its live
 * loss plot shows, sampled again and again until the cell finishes. A plot that is only
 * drawn at the end gives one state; a live one gives many.
 */
import type { Page } from "playwright-core";

/** Where a frontend puts a notebook's cells, their prompts and seqlab's plots. */
export interface NotebookDom {
  /** Every cell of the open notebook, in order. */
  cells: string;
  /** A cell's input prompt ("[*]" while it runs or waits). */
  prompt: string;
  /** The element plotly draws a figure into (it holds plotly's `.data`). */
  plot: string;
  /** One output of a cell. */
  output: string;
}

/** The classic Notebook shows seqlab's offline HTML figures. */
export const CLASSIC_DOM: NotebookDom = { cells: "#notebook-container > .cell", prompt: ".input_prompt", plot: ".seqlab-plot", output: ".output_area" };

/**
 * JupyterLab 4 and Notebook 7 (the same notebook widget): figures go to the plotly MIME
 * renderer, or to the offline HTML where a bundle has no plotly JSON.
 */
export const LAB_DOM: NotebookDom = { cells: ".jp-NotebookPanel .jp-Notebook .jp-Cell", prompt: ".jp-InputArea-prompt", plot: ".jp-RenderedPlotly, .seqlab-plot", output: ".jp-OutputArea-output" };

export interface TrainingSnapshot {
  /** The cell was still running ("In [*]") when this was taken. */
  running: boolean;
  /** plotly drew the figure (there is a .main-svg in the plot's element). */
  drawn: boolean;
  /** Points in the plot's first trace, as plotly holds them on its element. */
  points: number;
  progressValue: number | null;
  progressMax: number | null;
  progressText: string;
}

/** One look at the cell at `index`. */
export async function snapshotTrainingCell(page: Page, dom: NotebookDom, index: number): Promise<TrainingSnapshot> {
  return page.evaluate(({ i, dom }) => {
    const cell = document.querySelectorAll(dom.cells)[i];
    const prompt = cell?.querySelector(dom.prompt)?.textContent ?? "";
    const plot = cell?.querySelector(dom.plot) as (HTMLElement & { data?: Array<{ x?: unknown[] }> }) | null;
    const bar = cell?.querySelector(".seqlab-progress progress") as HTMLProgressElement | null;
    return {
      running: prompt.includes("*"),
      drawn: plot?.querySelector(".main-svg") != null,
      points: plot?.data?.[0]?.x?.length ?? 0,
      progressValue: bar && bar.hasAttribute("value") ? bar.value : null,
      progressMax: bar && bar.hasAttribute("max") ? bar.max : null,
      progressText: (cell?.querySelector(".seqlab-progress") as HTMLElement | null)?.innerText ?? "",
    };
  }, { i: index, dom });
}

/**
 * Samples the cell until it has started and then finished (its prompt turns from "*" into a
 * number) or `timeoutMs` passes. Waits on the page between samples, never a fixed sleep:
 * each round waits until the cell's outputs change or the cell stops running.
 */
export async function watchTrainingCell(page: Page, dom: NotebookDom, index: number, timeoutMs: number): Promise<TrainingSnapshot[]> {
  const deadline = Date.now() + timeoutMs;
  const snapshots: TrainingSnapshot[] = [];
  // First the cell must be queued or running (Run All marks every cell "*" at once).
  await page.waitForFunction(
    ({ i, dom }) => (document.querySelectorAll(dom.cells)[i]?.querySelector(dom.prompt)?.textContent ?? "").includes("*"),
    { i: index, dom },
    { timeout: timeoutMs, polling: 100 },
  );
  for (;;) {
    const shot = await snapshotTrainingCell(page, dom, index);
    snapshots.push(shot);
    if (!shot.running) return snapshots;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the training cell was still running after ${timeoutMs} ms; last view: ${JSON.stringify(shot)}`);
    const key = `${shot.drawn}|${shot.points}|${shot.progressText}`;
    // Wait for the next visible change (a redraw, more progress) or the end of the cell.
    await page
      .waitForFunction(
        ({ i, before, dom }) => {
          const cell = document.querySelectorAll(dom.cells)[i];
          if (!(cell?.querySelector(dom.prompt)?.textContent ?? "").includes("*")) return true;
          const plot = cell?.querySelector(dom.plot) as (HTMLElement & { data?: Array<{ x?: unknown[] }> }) | null;
          const drawn = plot?.querySelector(".main-svg") != null;
          const points = plot?.data?.[0]?.x?.length ?? 0;
          const text = (cell?.querySelector(".seqlab-progress") as HTMLElement | null)?.innerText ?? "";
          return `${drawn}|${points}|${text}` !== before;
        },
        { i: index, before: key, dom },
        { timeout: left, polling: 100 },
      )
      .catch(() => undefined);
  }
}

/** The different (drawn) plot states among the snapshots, identified by their point counts. */
export function distinctDrawnPlots(snapshots: TrainingSnapshot[]): number[] {
  return [...new Set(snapshots.filter((s) => s.drawn && s.points > 0).map((s) => s.points))];
}
