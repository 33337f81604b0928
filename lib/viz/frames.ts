/**
 * A figure with a slider over frames (plotly.animate), from one figure per position: the
 * kernel-free form of an interactive inspector, for HTML exports and frontends without a
 * widget manager. Every frame carries its traces and the layout parts that change.
 */
import { Figure, type PlotlyFrame } from "./figure";

/** Most frames an inspector's slider figure keeps; more are thinned evenly (first and last kept). */
export const MAX_FRAMES = 60;

/** Indices of at most `max` of `count` positions, evenly spread, first and last included. */
export function thinned(count: number, max = MAX_FRAMES): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.round((i * (count - 1)) / (max - 1)));
}

/** The layout keys a frame may change (titles, axes, annotations); the rest stays the first figure's. */
const FRAME_LAYOUT_KEYS = ["title", "xaxis", "yaxis", "xaxis2", "yaxis2", "annotations"];

export interface SliderFigureOptions {
  /** Text before the current label on the slider, e.g. "training step: ". */
  prefix?: string;
}

/**
 * One figure whose slider shows `figures[i]` at `labels[i]`. The figures should share their
 * trace types and order (plotly animates trace by trace).
 */
export function sliderFigure(figures: readonly Figure[], labels: readonly string[], options: SliderFigureOptions = {}): Figure {
  if (figures.length === 0) throw new RangeError("sliderFigure needs at least one figure");
  if (labels.length !== figures.length) throw new RangeError(`sliderFigure: ${figures.length} figures but ${labels.length} labels`);
  if (new Set(labels).size !== labels.length) throw new RangeError("sliderFigure: the labels must be distinct (they name the frames)");
  const frames: PlotlyFrame[] = figures.map((_, i) => ({
    name: labels[i],
    data: figures[i].data,
    layout: Object.fromEntries(FRAME_LAYOUT_KEYS.filter((k) => k in figures[i].layout).map((k) => [k, figures[i].layout[k]])),
  }));
  const first = figures[0];
  const height = typeof first.layout.height === "number" ? first.layout.height : 420;
  const margin = (first.layout.margin as Record<string, number> | undefined) ?? {};
  const slider = {
    active: 0,
    currentvalue: { prefix: options.prefix ?? "", visible: true },
    pad: { t: 40 },
    steps: frames.map((f) => ({
      label: f.name,
      method: "animate",
      args: [[f.name], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
    })),
  };
  return new Figure(
    {
      data: first.data,
      layout: { ...first.layout, height: height + 90, margin: { ...margin, b: (margin.b ?? 50) + 90 }, sliders: [slider] },
      config: first.config,
      frames,
    },
    `${first.summary}\n[slider over ${figures.length} positions: ${labels[0]} … ${labels[labels.length - 1]}]`,
  );
}
