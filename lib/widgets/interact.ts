/**
 * interact: controls for a function's arguments, made from abbreviations as ipywidgets
 * makes them, and an Output that shows the function's prints, displays and value, re-run on
 * every change. Runs may be async; only the newest run's outputs are kept.
 */
import { displayHost } from "../runtime";
import { VBox } from "./box";
import { Checkbox, FloatSlider, IntSlider, Text } from "./controls";
import { Output } from "./output";
import { Dropdown } from "./selection";
import { Widget } from "./widget";

/** [min, max] or [min, max, step] (integers: IntSlider; other numbers: FloatSlider), string[] (Dropdown), boolean (Checkbox), string (Text), or a widget. */
export type Abbreviation = readonly number[] | readonly string[] | boolean | string | number | Widget;

type ValueWidget = Widget & { value: unknown };

/** The value a control made from abbreviation A passes to the function. */
export type ValueOf<A> = A extends boolean ? boolean : A extends string ? string : A extends number ? number : A extends readonly number[] ? number : A extends readonly string[] ? string : A extends { value: infer T } ? T : unknown;

/** The values object the function receives for abbreviations A. */
export type ValuesOf<A extends Record<string, Abbreviation>> = { -readonly [K in keyof A]: ValueOf<A[K]> };

/** The value in the middle of [min, max], on a step (ipywidgets' _get_min_max_value). */
function middle(min: number, max: number, step: number | undefined, integer: boolean): number {
  const value = integer ? min + Math.floor((max - min) / 2) : min + (max - min) / 2;
  return step === undefined ? value : min + Math.trunc((value - min) / step) * step;
}

function sliderFrom(range: readonly number[], name: string): Widget {
  if (range.length < 2 || range.length > 3 || !range.every((x) => typeof x === "number" && Number.isFinite(x))) {
    throw new TypeError(`interact: "${name}": a range is [min, max] or [min, max, step] of numbers, got ${JSON.stringify(range)}`);
  }
  const [min, max, step] = range;
  if (min > max) throw new RangeError(`interact: "${name}": min (${min}) is above max (${max})`);
  if (step !== undefined && step <= 0) throw new RangeError(`interact: "${name}": the step must be positive, got ${step}`);
  const integer = range.every(Number.isInteger);
  const options = { description: name, min, max, step, value: middle(min, max, step, integer) };
  return integer ? new IntSlider(options) : new FloatSlider(options);
}

/** The control for one abbreviation (ipywidgets' widget_from_abbrev). */
export function widgetFrom(abbreviation: Abbreviation, name: string): ValueWidget {
  if (abbreviation instanceof Widget) {
    if (!("value" in abbreviation)) throw new TypeError(`interact: "${name}": a ${abbreviation.constructor.name} has no value to pass`);
    return abbreviation as ValueWidget;
  }
  if (typeof abbreviation === "boolean") return new Checkbox({ description: name, value: abbreviation }) as ValueWidget;
  if (typeof abbreviation === "string") return new Text({ description: name, value: abbreviation }) as ValueWidget;
  if (typeof abbreviation === "number") {
    // ipywidgets: a lone number v gives a slider over [-v, 3v] (or [3v, -v]) starting at v.
    const [min, max] = abbreviation > 0 ? [-abbreviation, 3 * abbreviation] : [3 * abbreviation, -abbreviation];
    const options = { description: name, min, max, value: abbreviation };
    return (Number.isInteger(abbreviation) ? new IntSlider(options) : new FloatSlider(options)) as ValueWidget;
  }
  if (Array.isArray(abbreviation) && abbreviation.length > 0 && abbreviation.every((x) => typeof x === "string")) {
    return new Dropdown({ options: abbreviation as string[], description: name }) as ValueWidget;
  }
  if (Array.isArray(abbreviation) && abbreviation.every((x) => typeof x === "number")) return sliderFrom(abbreviation as number[], name) as ValueWidget;
  throw new TypeError(
    `interact: cannot make a control for "${name}" from ${JSON.stringify(abbreviation)}; use [min, max] or [min, max, step], an array of strings, a boolean, a string, or a widget`,
  );
}

/** The controls and the output of an interact call; a VBox that shows them. */
export class Interactive<A extends Record<string, Abbreviation>> extends VBox {
  readonly controls: { [K in keyof A]: ValueWidget & { value: ValueOf<A[K]> } };
  readonly output: Output;
  private runs = 0;
  private latest: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fn: (values: ValuesOf<A>) => unknown,
    abbreviations: A,
  ) {
    if (typeof fn !== "function") throw new TypeError("interact: the first argument must be the function to call with the controls' values");
    if (abbreviations === null || typeof abbreviations !== "object") throw new TypeError("interact: the second argument must be an object { name: abbreviation }, e.g. { n: [1, 10] }");
    const controls = Object.fromEntries(Object.entries(abbreviations).map(([name, a]) => [name, widgetFrom(a as Abbreviation, name)])) as Interactive<A>["controls"];
    const output = new Output();
    super([...Object.values(controls), output]);
    this.controls = controls;
    this.output = output;
    for (const control of Object.values(controls) as ValueWidget[]) control.observe("value", () => this.update());
  }

  /** The controls' current values, by name. */
  get values(): ValuesOf<A> {
    return Object.fromEntries(Object.entries(this.controls).map(([name, c]) => [name, (c as ValueWidget).value])) as ValuesOf<A>;
  }

  /** Runs the function with the current values into the output; resolves when that run ends. */
  update(): Promise<unknown> {
    const run = ++this.runs;
    const newest = () => run === this.runs && !this.output.closed;
    this.output.clear();
    this.latest = this.output.capture(async () => {
      const value = await this.fn(this.values);
      if (value !== undefined && newest()) this.output.display(value);
      return value;
    }, newest);
    return this.latest;
  }

  /** Resolves when the newest run has ended. */
  async settled(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.latest;
      await seen;
    } while (seen !== this.latest);
  }
}

/**
 * Shows controls for fn's arguments and calls fn({ name: value, ... }) now and on every
 * change, e.g. interact(({ n, cell }) => `${n} ${cell}`, { n: [1, 10], cell: ["lstm", "gru"] }).
 */
export function interact<A extends Record<string, Abbreviation>>(fn: (values: ValuesOf<A>) => unknown, abbreviations: A): Interactive<A> {
  const shown = new Interactive(fn, abbreviations);
  const host = displayHost();
  if (host) host.display(shown);
  else console.log(String(shown));
  void shown.update();
  return shown;
}
