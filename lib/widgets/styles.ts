/**
 * Layout and style models: every DOM widget references a LayoutModel, and each control a
 * style model of its own kind, with the keys and defaults ipywidgets 8 sends.
 */
import { BASE_MODULE, CONTROLS_MODULE, MODULE_VERSION, Widget, syncedProperties, type ModelIdentity } from "./widget";

const LAYOUT_KEYS = [
  "align_content", "align_items", "align_self", "border_bottom", "border_left", "border_right", "border_top", "bottom", "display",
  "flex", "flex_flow", "grid_area", "grid_auto_columns", "grid_auto_flow", "grid_auto_rows", "grid_column", "grid_gap", "grid_row",
  "grid_template_areas", "grid_template_columns", "grid_template_rows", "height", "justify_content", "justify_items", "left",
  "margin", "max_height", "max_width", "min_height", "min_width", "object_fit", "object_position", "order", "overflow", "padding",
  "right", "top", "visibility", "width",
] as const;

type LayoutProperties = { -readonly [K in (typeof LAYOUT_KEYS)[number]]: string | null };

export interface Layout extends LayoutProperties {}
/** CSS layout of a DOM widget (all unset by default), e.g. new Layout({ width: "300px" }). */
export class Layout extends Widget {
  constructor(options: Partial<LayoutProperties> = {}) {
    const identity: ModelIdentity = {
      _model_name: "LayoutModel",
      _model_module: BASE_MODULE,
      _model_module_version: MODULE_VERSION,
      _view_name: "LayoutView",
      _view_module: BASE_MODULE,
      _view_module_version: MODULE_VERSION,
    };
    super(identity, Object.fromEntries(LAYOUT_KEYS.map((k) => [k, null])), options);
  }
}

export interface Style extends Partial<Record<StyleKey, string | null>> {}
/** A style model (@jupyter-widgets/controls model, @jupyter-widgets/base StyleView) with its keys. */
export class Style extends Widget {
  constructor(model: string, defaults: Partial<Record<StyleKey, string | null>>, options: Partial<Record<StyleKey, string | null>> = {}) {
    const identity: ModelIdentity = {
      _model_name: model,
      _model_module: CONTROLS_MODULE,
      _model_module_version: MODULE_VERSION,
      _view_name: "StyleView",
      _view_module: BASE_MODULE,
      _view_module_version: MODULE_VERSION,
    };
    super(identity, defaults, options);
  }
}

const description = { description_width: "" };
const stringStyle = { ...description, background: null, font_size: null, text_color: null };
const fonts = { font_family: null, font_size: null, font_style: null, font_variant: null, font_weight: null, text_color: null, text_decoration: null };

type StyleKey = "description_width" | "handle_color" | "background" | "button_color" | "button_width" | keyof typeof fonts;

/** The style model each control uses, by model name, with ipywidgets 8's defaults. */
export const STYLES: Record<string, Partial<Record<StyleKey, string | null>>> = {
  DescriptionStyleModel: description,
  SliderStyleModel: { ...description, handle_color: null },
  CheckboxStyleModel: { ...description, background: null },
  ButtonStyleModel: { button_color: null, ...fonts },
  ToggleButtonsStyleModel: { ...description, button_width: "", font_weight: "" },
  TextStyleModel: stringStyle,
  HTMLStyleModel: stringStyle,
  LabelStyleModel: { ...stringStyle, ...fonts },
};

export function newStyle(model: keyof typeof STYLES, options?: Partial<Record<StyleKey, string | null>>): Style {
  return new Style(model, STYLES[model], options);
}

syncedProperties(Layout, [...LAYOUT_KEYS]);
syncedProperties(Style, [...new Set(Object.values(STYLES).flatMap(Object.keys))]);
