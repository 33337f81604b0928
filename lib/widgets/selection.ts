/**
 * Choosing one of several options (ipywidgets' _Selection): only the labels and the
 * selected index are synced; `value` and `label` are kernel-side views of the index.
 */
import { describedDefaults, DESCRIPTION_KEYS, type DescriptionOptions } from "./dom";
import type { Layout, Style } from "./styles";
import { Widget, controlsModel, syncedProperties, textOf, type Change, type ModelIdentity } from "./widget";

/** An option: a string (label and value), or a [label, value] pair. */
export type OptionSpec<T> = string | readonly [string, T];

export interface SelectionOptions<T> extends DescriptionOptions {
  options: readonly OptionSpec<T>[];
  /** The selected value (default: the first option's). */
  value?: T;
  index?: number | null;
  disabled?: boolean;
  style?: Style;
}

function parseOptions<T>(options: unknown, owner: string): { labels: string[]; values: T[] } {
  if (!Array.isArray(options)) throw new TypeError(`${owner}: options must be an array of strings or [label, value] pairs, got ${typeof options}`);
  const labels: string[] = [];
  const values: T[] = [];
  for (const option of options) {
    if (typeof option === "string") {
      labels.push(option);
      values.push(option as T);
    } else if (Array.isArray(option) && option.length === 2 && typeof option[0] === "string") {
      labels.push(option[0]);
      values.push(option[1] as T);
    } else {
      throw new TypeError(`${owner}: each option must be a string or a [label, value] pair, got ${JSON.stringify(option)}`);
    }
  }
  return { labels, values };
}

abstract class Selection<T> extends Widget {
  declare readonly _options_labels: string[];
  declare index: number | null;
  declare disabled: boolean;
  declare description: string;
  declare layout: Layout;
  declare style: Style;
  private choices: T[];

  protected constructor(identity: ModelIdentity, extra: Record<string, unknown>, style: "DescriptionStyleModel" | "ToggleButtonsStyleModel", options: SelectionOptions<T>) {
    const owner = identity._model_name.replace(/Model$/, "");
    const { labels, values } = parseOptions<T>(options?.options, owner);
    const { options: _given, value, ...rest } = options;
    let index = rest.index !== undefined ? rest.index : labels.length > 0 ? 0 : null;
    if (value !== undefined) {
      index = values.indexOf(value);
      if (index < 0) throw new RangeError(`${owner}: value ${JSON.stringify(value)} is not one of the options (${labels.join(", ")})`);
    }
    super(identity, { ...describedDefaults(options, style), _options_labels: labels, disabled: false, index: null, ...extra }, { ...rest, index });
    this.choices = values;
  }

  /** The options as [label, value] pairs. */
  get options(): OptionSpec<T>[] {
    return this.choices.map((value, i) => [this._options_labels[i], value] as const);
  }

  /** Replaces the options; the selection moves to the first one (or none). */
  set options(options: readonly OptionSpec<T>[]) {
    const { labels, values } = parseOptions<T>(options, this.constructor.name);
    this.choices = values;
    (this as unknown as { set(n: string, v: unknown): void }).set("_options_labels", labels);
    this.index = labels.length > 0 ? 0 : null;
  }

  get value(): T | null {
    return this.index === null ? null : this.choices[this.index];
  }

  set value(value: T | null) {
    const index = value === null ? null : this.choices.indexOf(value as T);
    if (index !== null && index < 0) throw new RangeError(`${this.constructor.name}: ${JSON.stringify(value)} is not one of the options (${this._options_labels.join(", ")})`);
    this.index = index;
  }

  get label(): string | null {
    return this.index === null ? null : this._options_labels[this.index];
  }

  protected reprFields(): string[] {
    return [...super.reprFields(), `options=${textOf(this._options_labels)}`, `value=${textOf(this.value)}`];
  }

  protected coerce(name: string, value: unknown): Record<string, unknown> {
    if (name !== "index") return super.coerce(name, value);
    const count = this.get<string[]>("_options_labels").length;
    if (value === null || (Number.isInteger(value) && (value as number) >= 0 && (value as number) < count)) return { index: value };
    throw new RangeError(`${this.constructor.name}.index must be null or an integer from 0 to ${count - 1}, got ${JSON.stringify(value)}`);
  }

  protected derivedNames(): string[] {
    return ["value", "label"];
  }

  protected derivedChanges(changes: Change[]): Change[] {
    const moved = changes.find((c) => c.name === "index");
    if (!moved) return [];
    const at = (i: unknown, list: unknown[]) => (i === null ? null : list[i as number]);
    return [
      { ...moved, name: "value", old: at(moved.old, this.choices), new: this.value },
      { ...moved, name: "label", old: at(moved.old, this._options_labels), new: this.label },
    ];
  }
}

/** A drop-down list, e.g. new Dropdown({ options: ["lstm", "gru"], description: "cell" }). */
export class Dropdown<T = string> extends Selection<T> {
  constructor(options: SelectionOptions<T>) {
    super(controlsModel("DropdownModel", "DropdownView"), {}, "DescriptionStyleModel", options);
  }
}

export interface ToggleButtonsOptions<T> extends SelectionOptions<T> {
  button_style?: "primary" | "success" | "info" | "warning" | "danger" | "";
  tooltips?: string[];
  icons?: string[];
}

/** One button per option, one pressed. */
export class ToggleButtons<T = string> extends Selection<T> {
  declare button_style: string;
  declare tooltips: string[];
  declare icons: string[];
  constructor(options: ToggleButtonsOptions<T>) {
    super(controlsModel("ToggleButtonsModel", "ToggleButtonsView"), { button_style: "", icons: [], tooltips: [] }, "ToggleButtonsStyleModel", options);
  }
}

const SELECTION_KEYS = [...DESCRIPTION_KEYS, "_options_labels", "index", "disabled"];
syncedProperties(Dropdown, SELECTION_KEYS);
syncedProperties(ToggleButtons, [...SELECTION_KEYS, "button_style", "tooltips", "icons"]);
