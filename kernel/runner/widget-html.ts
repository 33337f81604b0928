/**
 * Widgets in the exported page, drawn from their saved last state: the page loads no
 * widget manager (nothing comes from the network), so each control is shown as a disabled
 * HTML control at its last value, boxes lay out their children, and an Output shows the
 * outputs it held. The state itself is embedded too, in the convention's script tags, for
 * tools that do load a widget manager.
 */
import type { Output } from "./notebook";
import type { WidgetModelState, WidgetStateMetadata } from "./widget-state";
import { WIDGET_STATE_MIME } from "./widget-state";

export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";

export type WidgetStates = Record<string, WidgetModelState>;

const escape = (text: unknown): string => String(text ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** JSON inside a script element: "</" cannot end it early. */
export const scriptJson = (type: string, value: unknown): string => `<script type="${type}">${JSON.stringify(value).replace(/<\//g, "<\\/")}</script>`;

/** The widget states a notebook's metadata holds, or undefined. */
export function widgetStatesOf(metadata: Record<string, unknown> | undefined): WidgetStateMetadata | undefined {
  const entry = (metadata?.widgets as Record<string, unknown> | undefined)?.[WIDGET_STATE_MIME] as WidgetStateMetadata | undefined;
  return entry && typeof entry.state === "object" ? entry : undefined;
}

const labelled = (description: unknown, control: string) => `<label class="widget">${description ? `${escape(description)} ` : ""}${control}</label>`;

function controlHtml(model: WidgetModelState, states: WidgetStates, renderOutput: (out: Output) => string, depth: number): string {
  const s = model.state;
  switch (model.model_name) {
    case "VBoxModel":
    case "HBoxModel": {
      const children = (Array.isArray(s.children) ? s.children : []).map((ref) => widgetHtml(String(ref).replace(/^IPY_MODEL_/, ""), states, renderOutput, depth + 1));
      const direction = model.model_name === "VBoxModel" ? "column" : "row";
      return `<div class="widget-box" style="display:flex;flex-direction:${direction};gap:.4em">${children.join("")}</div>`;
    }
    case "OutputModel":
      return `<div class="widget-output">${(Array.isArray(s.outputs) ? (s.outputs as Output[]) : []).map(renderOutput).join("\n")}</div>`;
    case "IntSliderModel":
    case "FloatSliderModel":
      return labelled(s.description, `<input type="range" disabled min="${escape(s.min)}" max="${escape(s.max)}" step="${escape(s.step)}" value="${escape(s.value)}"> <output>${escape(s.value)}</output>`);
    case "DropdownModel":
    case "ToggleButtonsModel": {
      const labels = Array.isArray(s._options_labels) ? s._options_labels : [];
      const options = labels.map((l, i) => `<option${i === s.index ? " selected" : ""}>${escape(l)}</option>`).join("");
      return labelled(s.description, `<select disabled>${options}</select>`);
    }
    case "CheckboxModel":
      return labelled(s.description, `<input type="checkbox" disabled${s.value ? " checked" : ""}>`);
    case "TextModel":
      return labelled(s.description, `<input type="text" disabled value="${escape(s.value)}">`);
    case "ButtonModel":
      return `<button disabled>${escape(s.description)}</button>`;
    case "PlayModel":
      return labelled(s.description, `<span>▶ ${escape(s.value)}</span>`);
    case "LabelModel":
      return `<span class="widget">${escape(s.value)}</span>`;
    case "HTMLModel":
      return `<div class="widget">${String(s.value ?? "")}</div>`;
    default:
      return `<span class="widget">[${escape(model.model_name)}]</span>`;
  }
}

/** One widget (and what it contains) at its last state; a note where the state is missing. */
export function widgetHtml(modelId: string, states: WidgetStates, renderOutput: (out: Output) => string, depth = 0): string {
  const model = states[modelId];
  // A box that (wrongly) contains itself must not recurse forever.
  if (!model || depth > 20) return `<pre class="out-text">[a widget whose state was not saved]</pre>`;
  return controlHtml(model, states, renderOutput, depth);
}
