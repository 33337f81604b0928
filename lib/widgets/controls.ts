/**
 * Value controls with ipywidgets 8's models and defaults: sliders, Play, Checkbox, Text,
 * Label, HTML, and Button (whose clicks arrive as custom messages {event: "click"}).
 */
import { DESCRIPTION_KEYS, DOM_KEYS, describedDefaults, domDefaults, type DescriptionOptions, type DOMOptions } from "./dom";
import { newStyle, type Layout, type Style } from "./styles";
import { Widget, controlsModel, runCallbacks, syncedProperties } from "./widget";

interface Described {
  description: string;
  description_allow_html: boolean;
  layout: Layout;
  style: Style;
  tooltip: string | null;
  tabbable: boolean | null;
}

export interface BoundedOptions extends DescriptionOptions {
  value?: number;
  min?: number;
  max?: number;
  step?: number;
  disabled?: boolean;
  style?: Style;
}

export interface SliderOptions extends BoundedOptions {
  orientation?: "horizontal" | "vertical";
  readout?: boolean;
  readout_format?: string;
  continuous_update?: boolean;
  behavior?: "drag-tap" | "drag-snap" | "tap" | "drag" | "snap";
}

/** A number kept within [min, max]: moving a bound past the value moves the value (as ipywidgets does). */
abstract class Bounded extends Widget {
  protected coerce(name: string, value: unknown): Record<string, unknown> {
    const checked = super.coerce(name, value);
    const v = checked[name];
    if (!["value", "min", "max", "step"].includes(name) || typeof v !== "number") return checked;
    if (this.isInteger() && !Number.isInteger(v)) throw new TypeError(`${this.constructor.name}.${name} must be an integer, got ${v}`);
    const { min, max, value: current } = { min: this.get<number>("min"), max: this.get<number>("max"), value: this.get<number>("value") };
    if (name === "value") return { value: Math.min(max, Math.max(min, v)) };
    if (name === "min") {
      if (v > max) throw new RangeError(`${this.constructor.name}: min (${v}) cannot be above max (${max})`);
      return v > current ? { min: v, value: v } : { min: v };
    }
    if (name === "max") {
      if (v < min) throw new RangeError(`${this.constructor.name}: max (${v}) cannot be below min (${min})`);
      return v < current ? { max: v, value: v } : { max: v };
    }
    if (v <= 0) throw new RangeError(`${this.constructor.name}.step must be positive, got ${v}`);
    return checked;
  }

  // A static, not a field: coerce runs inside the base constructor, before fields exist.
  private isInteger(): boolean {
    return Object.getPrototypeOf(this).constructor.integer === true;
  }
}

const sliderDefaults = (options: SliderOptions | undefined, format: string, step: number) => ({
  ...describedDefaults(options, "SliderStyleModel"),
  behavior: "drag-tap",
  continuous_update: true,
  disabled: false,
  max: 100,
  min: 0,
  orientation: "horizontal",
  readout: true,
  readout_format: format,
  step,
  value: 0,
});

const SLIDER_KEYS = [...DESCRIPTION_KEYS, "value", "min", "max", "step", "disabled", "orientation", "readout", "readout_format", "continuous_update", "behavior"];

export interface IntSlider extends Described, Required<Omit<SliderOptions, keyof DescriptionOptions | "style">> {}
/** A slider over integers, e.g. new IntSlider({ value: 3, min: 0, max: 10, description: "n" }). */
export class IntSlider extends Bounded {
  static readonly integer = true;
  constructor(options: SliderOptions = {}) {
    super(controlsModel("IntSliderModel", "IntSliderView"), sliderDefaults(options, "d", 1), options);
  }
}
syncedProperties(IntSlider, SLIDER_KEYS);

export interface FloatSlider extends Described, Required<Omit<SliderOptions, keyof DescriptionOptions | "style">> {}
/** A slider over numbers, e.g. new FloatSlider({ value: 0.5, min: 0, max: 2, step: 0.05 }). */
export class FloatSlider extends Bounded {
  constructor(options: SliderOptions = {}) {
    super(controlsModel("FloatSliderModel", "FloatSliderView"), sliderDefaults(options, ".2f", 0.1), options);
  }
}
syncedProperties(FloatSlider, SLIDER_KEYS);

export interface PlayOptions extends BoundedOptions {
  interval?: number;
  playing?: boolean;
  repeat?: boolean;
  show_repeat?: boolean;
}

export interface Play extends Described, Required<Omit<PlayOptions, keyof DescriptionOptions | "style">> {}
/** Play/pause buttons that step `value` every `interval` ms in the frontend; jslink it to a slider. */
export class Play extends Bounded {
  static readonly integer = true;
  constructor(options: PlayOptions = {}) {
    super(
      controlsModel("PlayModel", "PlayView"),
      { ...describedDefaults(options, "DescriptionStyleModel"), disabled: false, interval: 100, max: 100, min: 0, playing: false, repeat: false, show_repeat: true, step: 1, value: 0 },
      options,
    );
  }
}
syncedProperties(Play, [...DESCRIPTION_KEYS, "value", "min", "max", "step", "disabled", "interval", "playing", "repeat", "show_repeat"]);

export interface CheckboxOptions extends DescriptionOptions {
  value?: boolean;
  disabled?: boolean;
  indent?: boolean;
  style?: Style;
}
export interface Checkbox extends Described, Required<Omit<CheckboxOptions, keyof DescriptionOptions | "style">> {}
export class Checkbox extends Widget {
  constructor(options: CheckboxOptions = {}) {
    super(controlsModel("CheckboxModel", "CheckboxView"), { ...describedDefaults(options, "CheckboxStyleModel"), disabled: false, indent: true, value: false }, options);
  }
}
syncedProperties(Checkbox, [...DESCRIPTION_KEYS, "value", "disabled", "indent"]);

export interface StringOptions extends DescriptionOptions {
  value?: string;
  placeholder?: string;
  style?: Style;
}
export interface TextOptions extends StringOptions {
  disabled?: boolean;
  continuous_update?: boolean;
}

// A zero-width space, as ipywidgets sends, keeps the baseline of an empty field aligned.
const stringDefaults = (options: StringOptions | undefined, style: "TextStyleModel" | "LabelStyleModel" | "HTMLStyleModel") => ({
  ...describedDefaults(options, style),
  placeholder: "\u200b",
  value: "",
});
const STRING_KEYS = [...DESCRIPTION_KEYS, "value", "placeholder"];

export interface Text extends Described, Required<Omit<TextOptions, keyof DescriptionOptions | "style">> {}
export class Text extends Widget {
  constructor(options: TextOptions = {}) {
    super(controlsModel("TextModel", "TextView"), { ...stringDefaults(options, "TextStyleModel"), continuous_update: true, disabled: false }, options);
  }
}
syncedProperties(Text, [...STRING_KEYS, "disabled", "continuous_update"]);

export interface Label extends Described, Required<Omit<StringOptions, keyof DescriptionOptions | "style">> {}
export class Label extends Widget {
  constructor(options: StringOptions = {}) {
    super(controlsModel("LabelModel", "LabelView"), stringDefaults(options, "LabelStyleModel"), options);
  }
}
syncedProperties(Label, STRING_KEYS);

export interface HTML extends Described, Required<Omit<StringOptions, keyof DescriptionOptions | "style">> {}
/** Shows `value` as HTML. */
export class HTML extends Widget {
  constructor(options: StringOptions = {}) {
    super(controlsModel("HTMLModel", "HTMLView"), stringDefaults(options, "HTMLStyleModel"), options);
  }
}
syncedProperties(HTML, STRING_KEYS);

export interface ButtonOptions extends DOMOptions {
  description?: string;
  disabled?: boolean;
  icon?: string;
  button_style?: "primary" | "success" | "info" | "warning" | "danger" | "";
  style?: Style;
}
export interface Button extends Omit<Described, "description_allow_html">, Required<Omit<ButtonOptions, keyof DOMOptions | "style">> {}
/** A button; onClick(callback) runs the callback (sync or async) with the button on each click. */
export class Button extends Widget {
  private readonly clickHandlers: ((button: Button) => unknown)[] = [];

  constructor(options: ButtonOptions = {}) {
    super(
      controlsModel("ButtonModel", "ButtonView"),
      { ...domDefaults(options), button_style: "", description: "", disabled: false, icon: "", style: options.style ?? newStyle("ButtonStyleModel") },
      options,
    );
    this.onMessage((content) => (content.event === "click" ? this.click() : undefined));
  }

  onClick(callback: (button: Button) => unknown): void {
    if (typeof callback !== "function") throw new TypeError("Button.onClick: the callback must be a function (button) => ...");
    this.clickHandlers.push(callback);
  }

  /** Runs the click callbacks, as a press in the frontend does. */
  click(): void | Promise<void> {
    return runCallbacks(this.clickHandlers.map((handler) => () => handler(this)));
  }
}
syncedProperties(Button, [...DOM_KEYS, "description", "disabled", "icon", "button_style", "style"]);
