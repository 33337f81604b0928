/**
 * The widget model base: synced state speaking the Jupyter widget message protocol 2.1
 * (what @jupyter-widgets/base 6 / ipywidgets 8 frontends expect) over a comm on target
 * "jupyter.widget". Outside a kernel (plain Node) a widget keeps its state locally, shows
 * itself as text, and its observers and callbacks still run.
 */
import { randomUUID } from "crypto";
import { comms, type Comm, type CommMessage } from "../comms";
import { DISPLAY, type MimeBundle } from "../runtime";
import { REF_PREFIX, isModelRef, joinBuffers, sameValue, splitBuffers, toWire } from "./serialize";

export const PROTOCOL_VERSION = "2.1.0";
export const WIDGET_TARGET = "jupyter.widget";
export const VIEW_MIME = "application/vnd.jupyter.widget-view+json";
export const CONTROLS_MODULE = "@jupyter-widgets/controls";
export const BASE_MODULE = "@jupyter-widgets/base";
export const MODULE_VERSION = "2.0.0";

/** The `_model_*` / `_view_*` keys that tell the frontend which model and view to build. */
export interface ModelIdentity {
  _model_name: string;
  _model_module: string;
  _model_module_version: string;
  _view_name: string | null;
  _view_module: string | null;
  _view_module_version: string;
}

/** A model of @jupyter-widgets/controls 2.0.0 (ipywidgets' CoreWidget). */
export const controlsModel = (model: string, view: string | null): ModelIdentity => ({
  _model_name: model,
  _model_module: CONTROLS_MODULE,
  _model_module_version: MODULE_VERSION,
  _view_name: view,
  _view_module: CONTROLS_MODULE,
  _view_module_version: MODULE_VERSION,
});

/** What observers receive, as ipywidgets/traitlets hand it. */
export interface Change<T = unknown> {
  name: string;
  old: T;
  new: T;
  owner: Widget;
  type: "change";
}

export type Observer = (change: Change) => unknown;
export type MessageHandler = (content: Record<string, unknown>, buffers: Uint8Array[]) => unknown;

/** Every open widget by model id, so "IPY_MODEL_<id>" references from the frontend resolve. */
const liveWidgets = new Map<string, Widget>();

const describe = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? "an array" : v === null ? "null" : typeof v === "object" ? "an object" : String(v));

/** A property value in a widget's text form. */
export function textOf(value: unknown): string {
  if (isModelRef(value)) return String(value);
  if (Array.isArray(value)) return `[${value.map(textOf).join(", ")}]`;
  return typeof value === "string" ? `'${value}'` : JSON.stringify(value) ?? String(value);
}

/** Runs callbacks in order; a throw or a rejected promise is rethrown/rejected after all ran. */
export function runCallbacks(calls: (() => unknown)[]): void | Promise<void> {
  const pending: Promise<unknown>[] = [];
  let failure: { error: unknown } | undefined;
  for (const call of calls) {
    try {
      const result = call();
      if (result && typeof (result as Promise<unknown>).then === "function") pending.push(result as Promise<unknown>);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) {
    pending.forEach((p) => p.catch(() => undefined));
    throw failure.error;
  }
  if (pending.length > 0) return Promise.all(pending).then(() => undefined);
}

export abstract class Widget {
  readonly modelId: string;
  private readonly state: Record<string, unknown>;
  private readonly defaults: Record<string, unknown>;
  private readonly comm: Comm | undefined;
  private isClosed = false;
  private readonly observers = new Map<string, Set<Observer>>();
  private readonly messageHandlers: MessageHandler[] = [];
  /** The layout/style models this widget made for itself, closed with it. */
  private readonly owned: Widget[];

  protected constructor(identity: ModelIdentity, defaults: Record<string, unknown>, options: object = {}) {
    this.defaults = { ...identity, _view_count: null, ...defaults };
    this.state = { ...this.defaults };
    const given = Object.entries(options ?? {}).filter(([, v]) => v !== undefined);
    for (const [key] of given) {
      if (!(key in defaults) || key.startsWith("_")) {
        const known = Object.keys(defaults).filter((k) => !k.startsWith("_"));
        throw new TypeError(`${this.constructor.name}: unknown option "${key}"; it takes ${known.join(", ")}`);
      }
    }
    this.owned = Object.values(defaults).filter((v): v is Widget => isModelRef(v) && !Object.values(options ?? {}).includes(v));
    // Bounds before the value they bound.
    given.sort(([a], [b]) => Number(a === "value" || a === "index") - Number(b === "value" || b === "index"));
    try {
      for (const [key, value] of given) Object.assign(this.state, this.coerce(key, value));
    } catch (err) {
      this.owned.forEach((w) => w.close());
      throw err;
    }
    if (comms.available()) {
      const { state, buffer_paths, buffers } = splitBuffers(this.wireState());
      this.comm = comms.open(WIDGET_TARGET, { state, buffer_paths }, { version: PROTOCOL_VERSION }, buffers);
      this.modelId = this.comm.commId;
      this.comm.onMessage((msg) => this.received(msg));
      this.comm.onClose(() => this.forget());
    } else {
      this.modelId = randomUUID();
    }
    liveWidgets.set(this.modelId, this);
  }

  /** Whether a frontend holds this model (false in plain Node and once closed). */
  get connected(): boolean {
    return this.comm !== undefined && !this.comm.closed;
  }

  /** True after close() or once the frontend closed the model. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Calls `observer` with {name, old, new, owner} whenever one of `names` changes, from either side; returns a function that stops it. */
  observe(names: string | string[], observer: Observer): () => void {
    if (typeof observer !== "function") throw new TypeError(`${this.constructor.name}.observe: the callback must be a function (change) => ...`);
    const list = Array.isArray(names) ? names : [names];
    for (const name of list) {
      if (!(name in this.state) && !this.derivedNames().includes(name)) {
        throw new TypeError(`${this.constructor.name}.observe: no property "${name}"; observable: ${this.publicNames().join(", ")}`);
      }
    }
    for (const name of list) {
      if (!this.observers.has(name)) this.observers.set(name, new Set());
      this.observers.get(name)!.add(observer);
    }
    return () => list.forEach((name) => this.observers.get(name)?.delete(observer));
  }

  /** Sends a custom message to the frontend's model (ipywidgets' Widget.send); without a kernel there is no view to receive it. */
  send(content: Record<string, unknown>, buffers: (ArrayBuffer | ArrayBufferView)[] = []): void {
    this.checkOpen("send a message");
    this.comm?.send({ method: "custom", content }, buffers);
  }

  /** Handles custom messages from the frontend (ipywidgets' on_msg). */
  onMessage(handler: MessageHandler): void {
    if (typeof handler !== "function") throw new TypeError(`${this.constructor.name}.onMessage: the handler must be a function (content, buffers) => ...`);
    this.messageHandlers.push(handler);
  }

  /** Closes the model (its views disappear), and the layout/style models it made. */
  close(): void {
    if (this.isClosed) return;
    this.forget();
    if (this.comm && !this.comm.closed) this.comm.close();
    this.owned.forEach((w) => w.close());
  }

  /** The full state as the frontend receives it. */
  wireState(keys: string[] = Object.keys(this.state)): Record<string, unknown> {
    // Sorted, as ipywidgets sends its traits.
    return Object.fromEntries([...keys].sort().map((k) => [k, toWire(this.state[k])]));
  }

  /** Like ipywidgets' repr: the class and the properties that differ from their defaults. */
  toString(): string {
    return `${this.constructor.name}(${this.reprFields().join(", ")})`;
  }

  [DISPLAY](): MimeBundle {
    const text = this.toString();
    if (!this.connected) return { "text/plain": text };
    return { [VIEW_MIME]: { model_id: this.modelId, version_major: 2, version_minor: 1 }, "text/plain": text };
  }

  // ---- for subclasses -------------------------------------------------------------------

  protected get<T>(name: string): T {
    return this.state[name] as T;
  }

  /** Sets a property from kernel code: checked, synced to the frontend, observers called. */
  protected set(name: string, value: unknown): void {
    if (!(name in this.state)) throw new TypeError(`${this.constructor.name} has no property "${name}"`);
    this.checkOpen(`set .${name}`);
    const result = this.apply(this.coerce(name, value), []);
    if (result) result.catch((err: Error) => console.error(`Error in an observer of ${this.constructor.name}.${name}: ${err.stack ?? err}`));
  }

  /**
   * Checks a new value of `name` and returns every property it changes (a bound may move the
   * value too). The default checks the type against the default value's.
   */
  protected coerce(name: string, value: unknown): Record<string, unknown> {
    const fallback = this.defaults[name];
    const ok =
      fallback === null ? value === null || ["string", "number", "boolean"].includes(typeof value)
      : Array.isArray(fallback) ? Array.isArray(value)
      : isModelRef(fallback) ? isModelRef(value)
      : typeof fallback === "number" ? typeof value === "number" && Number.isFinite(value)
      : typeof value === typeof fallback;
    if (!ok) {
      const want = fallback === null ? "a string, number, boolean or null" : Array.isArray(fallback) ? "an array" : isModelRef(fallback) ? `a ${fallback.constructor.name} widget` : `a ${typeof fallback}`;
      throw new TypeError(`${this.constructor.name}.${name} must be ${want}, got ${describe(value)}`);
    }
    return { [name]: value };
  }

  /** Names besides the synced ones that observers may watch (a selection's value and label). */
  protected derivedNames(): string[] {
    return [];
  }

  /** Changes to report besides the synced ones (a selection's value and label follow its index). */
  protected derivedChanges(_changes: Change[]): Change[] {
    return [];
  }

  protected reprFields(): string[] {
    return Object.keys(this.state)
      .filter((k) => !k.startsWith("_") && !sameValue(this.state[k], this.defaults[k]) && !isModelRef(this.state[k]))
      .map((k) => `${k}=${textOf(this.state[k])}`);
  }

  /** Sends the current value of `keys` (all by default) as an update. */
  protected sendState(keys?: string[]): void {
    if (!this.comm || this.comm.closed) return;
    const { state, buffer_paths, buffers } = splitBuffers(this.wireState(keys));
    this.comm.send({ method: "update", state, buffer_paths }, buffers);
  }

  // ---- internals ------------------------------------------------------------------------

  private publicNames(): string[] {
    return [...Object.keys(this.state).filter((k) => !k.startsWith("_")), ...this.derivedNames()];
  }

  private checkOpen(what: string): void {
    if (this.isClosed) throw new Error(`cannot ${what}: this ${this.constructor.name} is closed; create a new one`);
  }

  private forget(): void {
    this.isClosed = true;
    liveWidgets.delete(this.modelId);
  }

  /** Stores changed values, sends those the frontend does not have yet, then calls observers. */
  private apply(values: Record<string, unknown>, frontendHas: string[]): void | Promise<void> {
    const changes: Change[] = [];
    for (const [name, value] of Object.entries(values)) {
      const old = this.state[name];
      if (sameValue(old, value)) continue;
      this.state[name] = value;
      changes.push({ name, old, new: value, owner: this, type: "change" });
    }
    const toSend = changes.map((c) => c.name).filter((n) => !frontendHas.includes(n));
    if (toSend.length > 0) this.sendState(toSend);
    const all = [...changes, ...this.derivedChanges(changes)];
    return runCallbacks(all.flatMap((change) => [...(this.observers.get(change.name) ?? [])].map((observer) => () => observer(change))));
  }

  private received(msg: CommMessage): void | Promise<void> {
    const method = msg.data.method;
    if (method === "update") return this.updateFromFrontend(msg);
    if (method === "request_state") return this.sendState();
    if (method === "custom") {
      const content = (msg.data.content ?? {}) as Record<string, unknown>;
      return runCallbacks(this.messageHandlers.map((handler) => () => handler(content, msg.buffers)));
    }
    throw new Error(`${this.constructor.name} ${this.modelId}: unknown widget message method ${JSON.stringify(method)}; expected "update", "request_state" or "custom"`);
  }

  private updateFromFrontend(msg: CommMessage): void | Promise<void> {
    const sent = msg.data.state;
    if (sent === null || typeof sent !== "object" || Array.isArray(sent)) throw new Error(`${this.constructor.name}: an update's state must be an object, got ${describe(sent)}`);
    const paths = msg.data.buffer_paths ?? [];
    // ipywidgets 8 echoes what a frontend set first, so every other view of the model follows.
    this.comm!.send({ method: "echo_update", state: sent, buffer_paths: paths }, msg.buffers);
    const received = joinBuffers({ ...(sent as Record<string, unknown>) }, paths, msg.buffers);
    const accepted: Record<string, unknown> = {};
    const refused: string[] = [];
    for (const [name, wire] of Object.entries(received)) {
      try {
        if (!(name in this.state) || name.startsWith("_")) throw new TypeError(`${this.constructor.name} has no property "${name}" that a frontend may set`);
        Object.assign(accepted, this.coerce(name, this.fromWire(name, wire)));
      } catch (err) {
        refused.push((err as Error).message);
      }
    }
    // Values the kernel clamped or refused go back, so the views show what the kernel holds.
    const frontendHas = Object.keys(accepted).filter((k) => k in received && sameValue(toWire(accepted[k]), received[k]));
    const resend = Object.keys(received).filter((k) => k in this.state && !k.startsWith("_") && !(k in accepted));
    const result = this.apply(accepted, frontendHas);
    if (resend.length > 0) this.sendState(resend);
    if (refused.length > 0) throw new Error(`the frontend's update was refused in part: ${refused.join("; ")}`);
    return result;
  }

  /** Resolves "IPY_MODEL_<id>" references where the property holds widgets. */
  private fromWire(name: string, value: unknown): unknown {
    const current = this.state[name];
    const holdsWidgets = isModelRef(current) || (Array.isArray(current) && (current.length === 0 ? name === "children" : current.some(isModelRef)));
    if (!holdsWidgets) return value;
    const resolve = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(resolve);
      if (typeof v === "string" && v.startsWith(REF_PREFIX)) {
        const found = liveWidgets.get(v.slice(REF_PREFIX.length));
        if (!found) throw new Error(`${name}: no open widget ${v}`);
        return found;
      }
      return v;
    };
    return resolve(value);
  }
}

/** Defines typed accessors for synced properties on a widget class's prototype. */
export function syncedProperties(cls: { prototype: Widget }, names: string[]): void {
  for (const name of names) {
    Object.defineProperty(cls.prototype, name, {
      get(this: Widget) {
        return (this as unknown as { get(n: string): unknown }).get(name);
      },
      set(this: Widget, value: unknown) {
        (this as unknown as { set(n: string, v: unknown): void }).set(name, value);
      },
      enumerable: true,
      configurable: true,
    });
  }
}
