/**
 * What every frontend test checks on the lab notebook once Run All finished, and the cells
 * they add: the training cell's live plot and progress bar, the music, a long training run
 * to interrupt and a check that the model kept its weights.
 */
import { expect } from "chai";
import type { Page } from "playwright-core";
import { NotebookDom, TrainingSnapshot, distinctDrawnPlots } from "./training-watch";

/** Far more steps than could finish: only an interrupt ends this cell. */
export const LONG_TRAINING_CELL = [
  `const longerBar = new sl.ProgressBar({ total: 100000, label: "longer training", unit: "it" });`,
  `await sl.trainModel(model, {`,
  `  batches: (ctx) => sl.getBatch(vectorizedSongs, seqLength, batchSize, ctx.rng),`,
  `  steps: 100000, optimizer: "adam", learningRate: learningRate, seed: seed + 1,`,
  `  callbacks: { onStepEnd: (info) => longerBar.update(info.step, { loss: info.loss }) },`,
  `});`,
].join("\n");

/** Prints how many weights the model holds (none disposed), their shapes, and a loss with them. */
export const WEIGHTS_CHECK_CELL = [
  `const kept = model.getWeights();`,
  `console.log(\`weights kept: \${kept.length}, disposed: \${kept.filter((w) => w.isDisposed).length}\`);`,
  `console.log(model.weights.map((w) => \`\${w.name} [\${w.shape}]\`).join("\\n"));`,
  `const after = sl.getBatch(vectorizedSongs, seqLength, 2, 7);`,
  `const lossNow = sl.sparseCrossEntropy(after.y, model.predict(after.x) as tf.Tensor).dataSync()[0];`,
  `console.log(\`loss now \${lossNow.toFixed(3)}, finite: \${Number.isFinite(lossNow)}\`);`,
].join("\n");

/** While the training cell ran, plotly drew its plot with different data and the progress bar was part-way. */
export function checkLiveTraining(snapshots: TrainingSnapshot[]): void {
  const whileRunning = snapshots.filter((s) => s.running);
  const drawnStates = distinctDrawnPlots(whileRunning);
  console.log(`    (while training ran: ${snapshots.length} looks, loss plot drawn with ${drawnStates.length} different point counts: ${drawnStates.slice(0, 8).join(", ")})`);
  expect(drawnStates.length, `distinct drawn loss plots seen while training ran: ${JSON.stringify(snapshots.slice(-5))}`).to.be.at.least(2);
  expect(whileRunning.some((s) => s.progressValue !== null && s.progressMax !== null && s.progressValue < s.progressMax), "the progress bar seen part-way").to.equal(true);
}

/** Once the training cell finished: its progress bar at 100% and every step in its drawn plot. */
export async function checkTrainingFinished(page: Page, dom: NotebookDom, index: number): Promise<void> {
  // Outputs and the last redraws may trail the replies a little: wait for the finished view
  // (the assertions below then say what was missing if it never came).
  const finalView = ({ i, dom }: { i: number; dom: NotebookDom }) => {
    const cell = document.querySelectorAll(dom.cells)[i];
    const plot = cell?.querySelector(dom.plot) as (HTMLElement & { data?: Array<{ x?: unknown[] }> }) | null;
    const bar = cell?.querySelector(".seqlab-progress progress") as HTMLProgressElement | null;
    return {
      svg: plot?.querySelector(".main-svg") != null,
      points: plot?.data?.[0]?.x?.length ?? 0,
      value: bar ? bar.value : null,
      max: bar ? bar.max : null,
      text: (cell?.querySelector(".seqlab-progress") as HTMLElement | null)?.innerText ?? "",
    };
  };
  // A string expression runs in the page as is, so the wait reuses finalView itself.
  const view = `(${finalView.toString()})(${JSON.stringify({ i: index, dom })})`;
  await page
    .waitForFunction(`(() => { const v = ${view}; return v.max > 0 && v.value === v.max && v.points === v.max && v.svg; })()`, undefined, { timeout: 60000, polling: 250 })
    .catch(() => undefined);
  const final = await page.evaluate(finalView, { i: index, dom });
  const total = Number(/(\d+)\/(\d+) it/.exec(final.text)?.[2]);
  expect(final.svg, "final loss plot drawn as SVG").to.equal(true);
  expect(final.max, "progress bar maximum").to.equal(total);
  expect(final.value, "progress bar at 100%").to.equal(final.max);
  expect(final.text).to.contain(`${total}/${total} it`);
  expect(final.points, "loss points in the final plot").to.equal(total);
}

/** Every figure drawn, sheet music with notes, a WAV <audio> player, and no failed claim. */
export async function checkMediaShown(page: Page, dom: NotebookDom): Promise<void> {
  await page
    .waitForFunction(
      (plotSel) => document.querySelector(".seqlab-sheet svg") !== null && document.querySelector("audio") !== null && Array.from(document.querySelectorAll(plotSel)).every((p) => p.querySelector(".main-svg")),
      dom.plot,
      { timeout: 60000, polling: 250 },
    )
    .catch(() => undefined);
  const media = await page.evaluate(
    (dom) => ({
      sheets: Array.from(document.querySelectorAll(".seqlab-sheet svg")).filter((s) => s.querySelectorAll("path").length > 20).length,
      wavAudio: Array.from(document.querySelectorAll("audio")).filter((a) => (a.getAttribute("src") ?? a.querySelector("source")?.getAttribute("src") ?? "").startsWith("data:audio/wav")).length,
      plots: document.querySelectorAll(dom.plot).length,
      drawn: Array.from(document.querySelectorAll(dom.plot)).filter((p) => p.querySelector(".main-svg")).length,
      // Only outputs count: the notebook's own code holds the ✘ mark it prints for a failed claim.
      claimsFailed: Array.from(document.querySelectorAll(dom.output)).some((o) => (o as HTMLElement).innerText.includes("✘")),
    }),
    dom,
  );
  expect(media.sheets, "sheet music SVGs with notes").to.be.at.least(1);
  expect(media.wavAudio, "<audio> elements with a WAV data: source").to.be.at.least(1);
  expect(media.plots, "plotly figures").to.be.at.least(1);
  expect(media.drawn, "plotly figures drawn").to.equal(media.plots);
  expect(media.claimsFailed, "a failed claim (✘) in the outputs").to.equal(false);
  // Every player's WAV (8-bit, 11025 Hz) decodes in the frontend's browser to seconds of sound.
  const decoded = await page.evaluate(() =>
    Promise.all(
      Array.from(document.querySelectorAll("audio")).map(async (a) => {
        try {
          const bytes = await (await fetch(a.src)).arrayBuffer();
          return (await new OfflineAudioContext(1, 1, 11025).decodeAudioData(bytes)).duration;
        } catch (err) {
          return String(err);
        }
      }),
    ),
  );
  expect(decoded.every((d) => typeof d === "number" && d > 1), `seconds decoded per player: ${decoded.join(", ")}`).to.equal(true);
}
