/**
 * Offline plotly.js for text/html outputs. The whole plotly.js-dist-min bundle (about 5 MB)
 * is read from the installed package and put into the first figure's HTML of the process;
 * later figures carry only a div and a small script. That script draws at once when
 * `window.Plotly` exists and otherwise polls for it, so a figure whose output renders before
 * the one carrying the bundle (a re-opened notebook, lazy rendering of cells) draws as soon
 * as the bundle's output has run. Nothing is fetched from a CDN and require.js is not needed.
 */
import * as fs from "fs";
import { DISPLAY, MimeBundle } from "../runtime";

let bundleSource: string | undefined;
let injected = false;

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

/** Whether this process already put plotly.js into an output. */
export function plotlyInjected(): boolean {
  return injected;
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
  if (injected) return "";
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
