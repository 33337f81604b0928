/**
 * Output: a widget that shows outputs (prints, rich displays, errors) kept in its synced
 * `outputs` state, in nbformat's shape. Keeping them in the state, rather than asking the
 * frontend to capture messages by msg_id, works for callbacks run by comm messages while
 * no cell runs, in every frontend that renders widgets, and in saved widget state.
 */
import util from "util";
import { DISPLAY, isDisplayable, withDisplayHost, type DisplayHost, type DisplaySlot, type MimeBundle } from "../runtime";
import { capturePrints, type StreamName } from "./capture";
import { DOM_KEYS, domDefaults, type DOMOptions } from "./dom";
import type { Layout } from "./styles";
import { Widget, syncedProperties } from "./widget";

export type OutputItem =
  | { output_type: "stream"; name: StreamName; text: string }
  | { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

const plain = (value: unknown): string => (typeof value === "string" ? value : util.inspect(value, { depth: 4, breakLength: 100 }));

/** A value's MIME bundle (a promise where its Jupyter.display method is async), always with text/plain. */
function bundleOf(value: unknown): MimeBundle | Promise<MimeBundle> {
  if (!isDisplayable(value)) return { "text/plain": plain(value) };
  const withText = (bundle: MimeBundle): MimeBundle => {
    if (bundle === null || typeof bundle !== "object") throw new TypeError(`a value's [Symbol.for("Jupyter.display")]() returned ${plain(bundle)}, expected a MIME bundle object`);
    return "text/plain" in bundle ? bundle : { ...bundle, "text/plain": plain(value) };
  };
  const bundle = value[DISPLAY]();
  return bundle instanceof Promise ? bundle.then(withText) : withText(bundle);
}

export class Output extends Widget implements DisplayHost {
  declare readonly outputs: OutputItem[];
  declare readonly msg_id: string;
  declare layout: Layout;

  constructor(options: DOMOptions = {}) {
    const identity = {
      _model_name: "OutputModel",
      _model_module: "@jupyter-widgets/output",
      _model_module_version: "1.0.0",
      _view_name: "OutputView",
      _view_module: "@jupyter-widgets/output",
      _view_module_version: "1.0.0",
    };
    super(identity, { ...domDefaults(options), msg_id: "", outputs: [] }, options);
  }

  appendStdout(text: string): void {
    this.appendStream("stdout", String(text));
  }

  appendStderr(text: string): void {
    this.appendStream("stderr", String(text));
  }

  /** Shows a value (rich where it has a Jupyter.display method); the slot can be updated in place. */
  display(value: unknown): DisplaySlot {
    let item = this.push(this.displayItem({ "text/plain": "" }));
    const show = (v: unknown): void => {
      const settle = (bundle: MimeBundle) => (item = this.replace(item, this.displayItem(bundle)));
      const fail = (err: unknown) => (item = this.replace(item, this.errorItem(err)));
      try {
        const bundle = bundleOf(v);
        if (bundle instanceof Promise) bundle.then(settle, fail);
        else settle(bundle);
      } catch (err) {
        fail(err);
      }
    };
    show(value);
    return { update: show };
  }

  /** Removes every output (ipywidgets' clear_output). */
  clear(): void {
    this.set("outputs", []);
  }

  /**
   * Runs fn (sync or async) with its prints, its lib displays (sl.* plots) and an error it
   * throws going to this output (as ipywidgets' `with out:`); resolves with fn's value, or
   * undefined after an error (shown in the output). Outputs arrive while `accept()` holds.
   */
  async capture<T>(fn: () => T | Promise<T>, accept: () => boolean = () => true): Promise<T | undefined> {
    const host: DisplayHost = {
      display: (value) => (accept() ? this.display(value) : { update: () => undefined }),
      clear: () => accept() && this.clear(),
    };
    try {
      return await capturePrints((name, text) => accept() && this.appendStream(name, text), () => withDisplayHost(host, fn));
    } catch (err) {
      if (accept()) this.push(this.errorItem(err));
      return undefined;
    }
  }

  toString(): string {
    const text = this.outputs.map((o) => (o.output_type === "stream" ? o.text : o.output_type === "error" ? `${o.ename}: ${o.evalue}\n` : `${o.data["text/plain"]}\n`)).join("");
    return text === "" ? "Output()" : text.replace(/\n$/, "");
  }

  private displayItem(data: MimeBundle): OutputItem {
    return { output_type: "display_data", data, metadata: {} };
  }

  private errorItem(err: unknown): OutputItem {
    const error = err instanceof Error ? err : new Error(plain(err));
    return { output_type: "error", ename: error.name, evalue: error.message, traceback: (error.stack ?? `${error.name}: ${error.message}`).split("\n") };
  }

  private appendStream(name: StreamName, text: string): void {
    const last = this.outputs[this.outputs.length - 1];
    // Consecutive writes to one stream are one output, as frontends merge them.
    if (last?.output_type === "stream" && last.name === name) this.replace(last, { ...last, text: last.text + text });
    else this.push({ output_type: "stream", name, text });
  }

  private push(item: OutputItem): OutputItem {
    this.set("outputs", [...this.outputs, item]);
    return item;
  }

  /** Replaces `item` if it is still shown (a clear() drops late results); returns what is shown now. */
  private replace(item: OutputItem, next: OutputItem): OutputItem {
    const at = this.outputs.indexOf(item);
    if (at >= 0) this.set("outputs", this.outputs.map((o, i) => (i === at ? next : o)));
    return next;
  }
}
syncedProperties(Output, [...DOM_KEYS, "outputs", "msg_id"]);
