/**
 * An inspector you scrub: one control (a slider over positions, or a dropdown) and an Output
 * that shows the figure for the chosen position, redrawn on every change. Its display also
 * carries a plotly figure with a slider over the same positions (plotly frames), so a
 * frontend without a widget manager, or an HTML export, still shows something to scrub
 * without a kernel; frontends pick the richest MIME type they render.
 */
import { DISPLAY, type MimeBundle } from "../runtime";
import type { Figure } from "../viz/figure";
import { sliderFigure, thinned } from "../viz/frames";
import { IntSlider } from "./controls";
import { Interactive } from "./interact";
import { Dropdown } from "./selection";

export interface ScrubberOptions {
  /** The control's label, e.g. "train step". */
  description: string;
  /** One label per position ("step 40", an example's text); distinct. */
  labels: readonly string[];
  /** The figure at position i. */
  figureAt: (index: number) => Figure;
  /** "slider" (default): an IntSlider over the positions; "dropdown": a Dropdown of the labels. */
  control?: "slider" | "dropdown";
  /** A slider's values, one per position (default 0..n-1), e.g. the training steps themselves. */
  values?: readonly number[];
  /** Where the control starts (default: the last position for a slider, the first for a dropdown). */
  start?: number;
}

type Control = IntSlider | Dropdown;

/** Evenly spaced values (a slider can step over them), else undefined. */
function evenStep(values: readonly number[]): number | undefined {
  if (values.length < 2) return 1;
  const step = values[1] - values[0];
  return step > 0 && values.every((v, i) => Number.isInteger(v) && v === values[0] + i * step) ? step : undefined;
}

function controlFor(options: ScrubberOptions): { control: Control; indexOf: (value: unknown) => number } {
  const n = options.labels.length;
  const start = options.start ?? (options.control === "dropdown" ? 0 : n - 1);
  if (!Number.isInteger(start) || start < 0 || start >= n) throw new RangeError(`scrubber: start must be a position 0..${n - 1}, got ${start}`);
  if (options.control === "dropdown") {
    const control = new Dropdown({ options: [...options.labels], index: start, description: options.description });
    return { control, indexOf: () => control.index as number };
  }
  const values = options.values ?? options.labels.map((_, i) => i);
  if (values.length !== n) throw new RangeError(`scrubber: ${n} labels but ${values.length} values`);
  const step = evenStep(values);
  // Uneven values (a history continued with another --every) fall back to positions.
  const slider =
    step === undefined
      ? new IntSlider({ description: options.description, min: 0, max: n - 1, value: start })
      : new IntSlider({ description: options.description, min: values[0], max: values[n - 1], step, value: values[start] });
  return { control: slider, indexOf: (value) => (step === undefined ? Number(value) : values.indexOf(Number(value))) };
}

export class Scrubber extends Interactive<{ at: Control }> {
  /** The control (an IntSlider or a Dropdown). */
  readonly control: Control;
  private fallback?: Figure;

  constructor(private readonly options: ScrubberOptions) {
    if (!Array.isArray(options?.labels) || options.labels.length === 0) throw new RangeError("scrubber: nothing to scrub (no positions)");
    if (typeof options.figureAt !== "function") throw new TypeError("scrubber: figureAt must be a function (index) => Figure");
    const { control, indexOf } = controlFor(options);
    super(({ at }) => options.figureAt(indexOf(at)), { at: control });
    this.control = control;
  }

  /** The slider figure shown where widgets are not (built once, on the first display; at most MAX_FRAMES positions). */
  fallbackFigure(): Figure {
    const kept = thinned(this.options.labels.length);
    this.fallback ??= sliderFigure(
      kept.map((i) => this.options.figureAt(i)),
      kept.map((i) => this.options.labels[i]),
      { prefix: `${this.options.description}: ` },
    );
    return this.fallback;
  }

  [DISPLAY](): MimeBundle {
    // The widget view where a widget manager renders it; the slider figure everywhere else.
    return { ...this.fallbackFigure()[DISPLAY](), ...super[DISPLAY]() };
  }
}

/** A scrubber with its first figure being drawn; show it with display() or as a cell's value. */
export function scrubber(options: ScrubberOptions): Scrubber {
  const shown = new Scrubber(options);
  void shown.update();
  return shown;
}
