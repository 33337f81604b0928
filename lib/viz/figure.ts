/** A plotly figure that shows itself in Jupyter (plotly JSON, offline HTML, plain text). */
import { randomUUID } from "crypto";
import { DISPLAY, MimeBundle } from "../runtime";
import { plotlyScriptTag, takePlotlyInjection } from "./plotly";
import { figureToSvg } from "./static-svg";

export type PlotlyTrace = Record<string, unknown> & { type?: string };

/** One state of an animated figure: plotly.animate swaps in its traces (and layout). */
export interface PlotlyFrame {
  name: string;
  data: PlotlyTrace[];
  layout?: Record<string, unknown>;
}

export interface FigureSpec {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: PlotlyFrame[];
}

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

const DEFAULT_CONFIG = { responsive: true, displaylogo: false };

const WAITING_FOR_PLOTLY =
  "Waiting for plotly.js. In a kernel it comes with the first seqlab figure's output: run that " +
  "cell (or call resetPlotlyInjection() and show this figure again). Notebooks written by " +
  "`seqlab run` leave it out: open them in JupyterLab or Notebook 7 with plotly's extension, " +
  "in VS Code, or export them with `seqlab run --html`.";

export interface HtmlOptions {
  /** Put the plotly.js bundle in front: true, false, or "auto" (only once per process). */
  includePlotly?: boolean | "auto";
  /** The static SVG to show where the script does not run (default: the figure's own). */
  staticImage?: string;
}

export class Figure {
  readonly data: PlotlyTrace[];
  readonly layout: Record<string, unknown>;
  readonly config: Record<string, unknown>;
  readonly frames?: PlotlyFrame[];

  /** `summary` is the text/plain view: what the figure shows, in one or two lines. */
  constructor(
    spec: FigureSpec,
    readonly summary: string,
  ) {
    this.data = spec.data;
    this.layout = spec.layout;
    this.config = { ...DEFAULT_CONFIG, ...(spec.config ?? {}) };
    if (spec.frames) this.frames = spec.frames;
  }

  /** The plotly JSON ({data, layout, config, frames}) with non-finite numbers turned into null. */
  toJSON(): FigureSpec {
    return JSON.parse(
      JSON.stringify({ data: this.data, layout: this.layout, config: this.config, frames: this.frames }, finiteOrNull),
    );
  }

  /** HTML that draws the figure offline: a div, plus plotly.js when asked or first. */
  toHTML(options: HtmlOptions = {}): string {
    const include = options.includePlotly ?? "auto";
    const loader =
      include === "auto" ? takePlotlyInjection() : include ? plotlyScriptTag() : "";
    const id = `seqlab-plot-${randomUUID()}`;
    const height = typeof this.layout.height === "number" ? this.layout.height : 420;
    // JSON inside <script>: escape "<" so that no "</script>" can end the element early.
    const spec = JSON.stringify(this.toJSON()).replace(/</g, "\\u003c");
    return (
      loader +
      // The static picture shows where scripts do not run (GitHub, exports); draw() clears it.
      `<div id="${id}" class="seqlab-plot" style="width:100%;min-height:${height}px;">${inlineSvg(options.staticImage ?? this.toSVG() ?? "")}</div>\n` +
      `<script type="text/javascript">(function () {\n` +
      `  var spec = ${spec};\n` +
      `  var id = ${JSON.stringify(id)};\n` +
      `  var waited = 0;\n` +
      `  function draw() {\n` +
      `    var el = document.getElementById(id);\n` +
      `    if (!el) return;\n` +
      `    el.textContent = "";\n` +
      `    window.Plotly.newPlot(el, spec);\n` +
      `  }\n` +
      `  function poll() {\n` +
      `    if (window.Plotly) { draw(); return; }\n` +
      `    waited += 200;\n` +
      `    var el = document.getElementById(id);\n` +
      `    if (el && waited === 10000) el.textContent = ${JSON.stringify(WAITING_FOR_PLOTLY)};\n` +
      `    setTimeout(poll, 200);\n` +
      `  }\n` +
      `  poll();\n` +
      `})();</script>`
    );
  }

  /** A static SVG of the figure for viewers without plotly (lib/viz/static-svg), if it covers the figure. */
  toSVG(): string | undefined {
    return figureToSvg(this.toJSON());
  }

  [DISPLAY](): MimeBundle {
    const svg = this.toSVG();
    return {
      [PLOTLY_MIME]: this.toJSON(),
      "text/html": this.toHTML({ staticImage: svg ?? "" }),
      ...(svg ? { "image/svg+xml": svg } : {}),
      "text/plain": this.summary,
    };
  }
}

/** SVG inside HTML takes its namespace from the parser; the attribute would only look like a URL to fetch. */
function inlineSvg(svg: string): string {
  return svg.replace(' xmlns="http://www.w3.org/2000/svg"', "");
}

function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}
