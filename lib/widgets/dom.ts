/** The keys every DOM widget and every described control carries (ipywidgets' DOMWidget, DescriptionWidget). */
import { Layout, newStyle, type STYLES } from "./styles";

export interface DOMOptions {
  layout?: Layout;
  tooltip?: string | null;
  tabbable?: boolean | null;
  _dom_classes?: string[];
}

export interface DescriptionOptions extends DOMOptions {
  description?: string;
  description_allow_html?: boolean;
}

/** A fresh Layout unless the caller brought one (made first: the widget's state refers to it). */
export function domDefaults(options: DOMOptions | undefined): Record<string, unknown> {
  return { _dom_classes: [], layout: options?.layout ?? new Layout(), tabbable: null, tooltip: null };
}

export function describedDefaults(options: DescriptionOptions & { style?: unknown } | undefined, style: keyof typeof STYLES): Record<string, unknown> {
  return {
    ...domDefaults(options),
    description: "",
    description_allow_html: false,
    style: options?.style ?? newStyle(style),
  };
}

export const DOM_KEYS = ["layout", "tooltip", "tabbable"];
export const DESCRIPTION_KEYS = [...DOM_KEYS, "description", "description_allow_html", "style"];
