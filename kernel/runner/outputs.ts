/**
 * Turns iopub messages into stored outputs the way Jupyter frontends and nbclient do:
 * consecutive stream text of one name is merged, update_display_data rewrites every
 * output shown under that display id (in any cell), and clear_output(wait=true) defers
 * the clearing until the next output arrives so live views do not flicker.
 */
import type { CodeCell, Output } from "./notebook";

/** The parts of an iopub message the collector looks at. */
export interface IopubMessage {
  msg_type: string;
  content: Record<string, unknown>;
}

type Bundle = Record<string, unknown>;

export class OutputCollector {
  private cell: CodeCell | undefined;
  private clearPending = false;
  /** display_id -> outputs that show it; they are the very objects stored in the cells. */
  private readonly displays = new Map<string, Output[]>();

  /** Start collecting for a cell: its old outputs go, a new execution count comes later. */
  begin(cell: CodeCell): void {
    this.forget(cell.outputs);
    cell.outputs = [];
    this.cell = cell;
    this.clearPending = false;
  }

  /** Apply one iopub message to the current cell (or, for updates, wherever the id lives). */
  handle(msg: IopubMessage): void {
    const c = msg.content;
    switch (msg.msg_type) {
      case "stream": {
        const name = c.name === "stderr" ? "stderr" : "stdout";
        const text = String(c.text ?? "");
        const last = this.cell?.outputs[this.cell.outputs.length - 1];
        if (!this.clearPending && last && last.output_type === "stream" && last.name === name) {
          last.text += text;
        } else {
          this.add({ output_type: "stream", name, text });
        }
        break;
      }
      case "display_data":
        this.addDisplay(c, { output_type: "display_data", data: bundle(c.data), metadata: bundle(c.metadata) });
        break;
      case "update_display_data": {
        const id = displayId(c);
        for (const out of (id !== undefined && this.displays.get(id)) || []) {
          if (out.output_type === "display_data" || out.output_type === "execute_result") {
            out.data = bundle(c.data);
            out.metadata = bundle(c.metadata);
          }
        }
        break;
      }
      case "execute_result":
        // A result may carry a display id too (nbclient tracks those as well).
        this.addDisplay(c, {
          output_type: "execute_result",
          execution_count: typeof c.execution_count === "number" ? c.execution_count : null,
          data: bundle(c.data),
          metadata: bundle(c.metadata),
        });
        break;
      case "error":
        this.add({
          output_type: "error",
          ename: String(c.ename ?? ""),
          evalue: String(c.evalue ?? ""),
          traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        });
        break;
      case "clear_output":
        if (c.wait) this.clearPending = true;
        else this.clearNow();
        break;
      default:
        // status, execute_input, comm messages: nothing to store.
        break;
    }
  }

  private addDisplay(content: Record<string, unknown>, out: Output): void {
    this.add(out);
    const id = displayId(content);
    if (id !== undefined && this.cell) {
      const list = this.displays.get(id) ?? [];
      list.push(out);
      this.displays.set(id, list);
    }
  }

  private add(out: Output): void {
    if (!this.cell) return;
    if (this.clearPending) this.clearNow();
    this.cell.outputs.push(out);
  }

  private clearNow(): void {
    this.clearPending = false;
    if (!this.cell) return;
    this.forget(this.cell.outputs);
    this.cell.outputs = [];
  }

  /** Cleared outputs no longer receive display updates. */
  private forget(outputs: Output[]): void {
    if (outputs.length === 0) return;
    const gone = new Set(outputs);
    for (const [id, list] of this.displays) {
      const kept = list.filter((o) => !gone.has(o));
      if (kept.length) this.displays.set(id, kept);
      else this.displays.delete(id);
    }
  }
}

function bundle(value: unknown): Bundle {
  return value && typeof value === "object" && !Array.isArray(value) ? { ...(value as Bundle) } : {};
}

function displayId(content: Record<string, unknown>): string | undefined {
  const transient = content.transient as { display_id?: unknown } | undefined;
  return typeof transient?.display_id === "string" ? transient.display_id : undefined;
}
