/**
 * Offline plotly.js for text/html outputs. The whole plotly.js-dist-min bundle (about 5 MB)
 * is read from the installed package and put into the first figure's HTML of the process;
 * later figures carry only a div and a small script. That script draws at once when
 * `window.Plotly` exists and otherwise polls for it, so a figure whose output renders before
 * the one carrying the bundle (a re-opened notebook, lazy rendering of cells) draws as soon
 * as the bundle's output has run. Nothing is fetched from a CDN and require.js is not needed.
 *
 * The bundle is left out of every output where the notebook will be read by frontends that
 * draw the plotly JSON themselves (`plotlyJsSource()` is "none"): a kept notebook is then
 * 5 MB lighter, and `seqlab run --html` puts plotly.js once into the page it writes.
 */
import * as fs from "fs";
import { DISPLAY, MimeBundle } from "../runtime";

let bundleSource: string | undefined;
let injected = false;
let chosenSource: PlotlyJsSource | undefined;

/**
 * Whether seqlab's figures carry plotly.js in their text/html: "inline" (once per kernel) or
 * "none" (the frontend draws the plotly JSON; JupyterLab 4 and Notebook 7 with plotly's
 * extension, VS Code, `seqlab run --html`).
 */
export type PlotlyJsSource = "inline" | "none";

const SOURCES: readonly PlotlyJsSource[] = ["inline", "none"];

/**
 * Where plotly.js comes from now: `setPlotlyJsSource`'s choice, else $SEQLAB_PLOTLY_JS (which
 * `seqlab run` sets to "none" for the kernels it starts: its notebooks are read later), else
 * "none" under VS Code (it sets VSCODE_PID, plotly.py's test for VS Code) and "inline" anywhere
 * else, since a Jupyter kernel cannot ask the frontend whether plotly's extension is there.
 */
export function plotlyJsSource(): PlotlyJsSource {
  if (chosenSource) return chosenSource;
  const fromEnv = process.env.SEQLAB_PLOTLY_JS;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!SOURCES.includes(fromEnv as PlotlyJsSource)) {
      throw new Error(`SEQLAB_PLOTLY_JS must be "inline" or "none", got ${JSON.stringify(fromEnv)}; unset it or call setPlotlyJsSource().`);
    }
    return fromEnv as PlotlyJsSource;
  }
  return process.env.VSCODE_PID ? "none" : "inline";
}

/** Choose where plotly.js comes from for this process (undefined: back to the environment's choice). */
export function setPlotlyJsSource(source: PlotlyJsSource | undefined): void {
  if (source !== undefined && !SOURCES.includes(source)) {
    throw new RangeError(`setPlotlyJsSource takes "inline", "none" or undefined, got ${JSON.stringify(source)}`);
  }
  chosenSource = source;
}

function plotlyBundlePath(): string {
  try {
    return require.resolve("plotly.js-dist-min/plotly.min.js");
  } catch {
    throw new Error(
      "plotly.js-dist-min is not installed; run `npm install plotly.js-dist-min` in the " +
        "project that uses seqlab.",
    );
  }
}

/** The plotly.js bundle, safe to inline inside a <script> element. */
export function plotlyBundle(): string {
  if (bundleSource === undefined) {
    // "</script" inside the code would end the element early; "<\/script" means the same in JS.
    bundleSource = fs.readFileSync(plotlyBundlePath(), "utf8").replace(/<\/script/gi, "<\\/script");
  }
  return bundleSource;
}

/** plotly.js's version, read from the installed package. */
export function plotlyVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(plotlyBundlePath().replace(/plotly\.min\.js$/, "package.json"), "utf8"));
  return String(pkg.version);
}

/** The <script> element that defines window.Plotly. */
export function plotlyScriptTag(): string {
  // `module`/`exports`/`define` are shadowed so that a page with a CommonJS or AMD loader
  // (classic Notebook's require.js) still gets the global window.Plotly.
  return (
    `<script type="text/javascript">/* plotly.js ${plotlyVersion()}, inlined by seqlab */\n` +
    `(function (module, exports, define) {\n${plotlyBundle()}\n}).call(window);</script>`
  );
}

/** Whether no output needs to carry plotly.js any more: it is in one already, or the frontend has its own. */
export function plotlyInjected(): boolean {
  return injected || plotlyJsSource() === "none";
}

/**
 * Forget that plotly.js was injected, so the next figure carries it again. Call it after
 * clearing the output that held it (e.g. re-running the first plotting cell).
 */
export function resetPlotlyInjection(): void {
  injected = false;
}

/** The bundle's script the first time (and marks it injected), then an empty string. */
export function takePlotlyInjection(): string {
  if (plotlyInjected()) return "";
  injected = true;
  return plotlyScriptTag();
}

/**
 * An output that only loads plotly.js (shown in its own slot by live plots, so that updating
 * the plot in place never removes the bundle from the saved notebook).
 */
export class PlotlyLoader {
  /** Taken when the loader is made, so that the host may render it whenever it likes. */
  private readonly script = takePlotlyInjection();

  [DISPLAY](): MimeBundle {
    return {
      "text/plain": this.script ? "(plotly.js loaded)" : "(plotly.js already loaded)",
      "text/html": this.script,
    };
  }
}
