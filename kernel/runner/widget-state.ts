/**
 * The widgets' last state, kept from the comm messages a run sees, for the notebook's
 * metadata under "application/vnd.jupyter.widget-state+json" (the convention JupyterLab's
 * "save widget state", nbclient and nbconvert share): model name and module per model id,
 * with its state as the kernel last sent it. Models closed during the run are dropped.
 */
import type { IopubMessage } from "./outputs";

export const WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json";
const WIDGET_TARGET = "jupyter.widget";

export interface WidgetModelState {
  model_name: string;
  model_module: string;
  model_module_version: string;
  state: Record<string, unknown>;
}

export interface WidgetStateMetadata {
  version_major: 2;
  version_minor: 0;
  state: Record<string, WidgetModelState>;
}

type Content = Record<string, unknown>;
const record = (value: unknown): Content => (value && typeof value === "object" && !Array.isArray(value) ? (value as Content) : {});

export class WidgetStateCollector {
  private readonly models = new Map<string, WidgetModelState>();

  handle(msg: IopubMessage): void {
    const c = msg.content;
    const id = typeof c.comm_id === "string" ? c.comm_id : undefined;
    if (id === undefined) return;
    const data = record(c.data);
    if (msg.msg_type === "comm_open" && c.target_name === WIDGET_TARGET) {
      const state = { ...record(data.state) };
      this.models.set(id, {
        model_name: String(state._model_name ?? ""),
        model_module: String(state._model_module ?? ""),
        model_module_version: String(state._model_module_version ?? ""),
        state,
      });
    } else if (msg.msg_type === "comm_msg" && data.method === "update") {
      const model = this.models.get(id);
      if (model) Object.assign(model.state, record(data.state));
    } else if (msg.msg_type === "comm_close") {
      this.models.delete(id);
    }
  }

  get size(): number {
    return this.models.size;
  }

  /** The metadata entry, or undefined when no widget is open. */
  metadata(): WidgetStateMetadata | undefined {
    if (this.models.size === 0) return undefined;
    return { version_major: 2, version_minor: 0, state: Object.fromEntries(this.models) };
  }
}
