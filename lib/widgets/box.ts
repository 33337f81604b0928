/** HBox and VBox: lay out child widgets, sent as "IPY_MODEL_<id>" references. */
import { DOM_KEYS, domDefaults, type DOMOptions } from "./dom";
import type { Layout } from "./styles";
import { Widget, controlsModel, syncedProperties } from "./widget";

export interface BoxOptions extends DOMOptions {
  children?: Widget[];
  box_style?: "success" | "info" | "warning" | "danger" | "";
}

abstract class Box extends Widget {
  declare children: Widget[];
  declare box_style: string;
  declare layout: Layout;

  protected constructor(model: string, view: string, children: Widget[] | BoxOptions | undefined, options: BoxOptions) {
    const given = Array.isArray(children) ? { ...options, children } : { ...(children ?? {}), ...options };
    super(controlsModel(model, view), { ...domDefaults(given), box_style: "", children: [] }, given);
  }

  protected coerce(name: string, value: unknown): Record<string, unknown> {
    if (name === "children" && (!Array.isArray(value) || !value.every((c) => c instanceof Widget))) {
      throw new TypeError(`${this.constructor.name}.children must be an array of widgets, got ${Array.isArray(value) ? "an array with other values" : typeof value}`);
    }
    return super.coerce(name, value);
  }

  toString(): string {
    const inner = this.children.map((child) => String(child).replace(/^/gm, "  ")).join("\n");
    return `${this.constructor.name}(\n${inner}\n)`;
  }
}

/** Children side by side: new HBox([slider, label]). */
export class HBox extends Box {
  constructor(children?: Widget[] | BoxOptions, options: BoxOptions = {}) {
    super("HBoxModel", "HBoxView", children, options);
  }
}

/** Children one above another: new VBox([controls, output]). */
export class VBox extends Box {
  constructor(children?: Widget[] | BoxOptions, options: BoxOptions = {}) {
    super("VBoxModel", "VBoxView", children, options);
  }
}

syncedProperties(HBox, [...DOM_KEYS, "children", "box_style"]);
syncedProperties(VBox, [...DOM_KEYS, "children", "box_style"]);
