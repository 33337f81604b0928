/**
 * The conventions through which lib/ talks to whatever hosts it (a Jupyter kernel, a
 * script) without importing it. The host installs objects under well-known global symbols;
 * lib/ code looks them up and falls back to plain behaviour when they are absent.
 */
import { AsyncLocalStorage } from "async_hooks";
import type { CommHost } from "./comms";

/** A MIME bundle: MIME type -> data, as in Jupyter's display_data. */
export type MimeBundle = Record<string, unknown>;

/** Objects that want a rich view carry a method under this symbol returning a MIME bundle. */
export const DISPLAY = Symbol.for("Jupyter.display");

export interface Displayable {
  [DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

export function isDisplayable(value: unknown): value is Displayable {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as Record<symbol, unknown>)[DISPLAY] === "function"
  );
}

/** A live output slot: shown once, then replaced in place. */
export interface DisplaySlot {
  update(value: unknown): void;
}

/** What a host offers for showing rich output while code runs (e.g. live training plots). */
export interface DisplayHost {
  /** Show a value (Displayable or plain) in a new output slot that can be updated later. */
  display(value: unknown): DisplaySlot;
  /** Remove what this host shows (an Output widget's clear_output); hosts without it ignore clears. */
  clear?(): void;
}

const DISPLAY_HOST = Symbol.for("seqlab.displayHost");
const ABORT_SIGNAL = Symbol.for("seqlab.abortSignal");
const COMM_HOST = Symbol.for("seqlab.commHost");
const INTERACTIVE = Symbol.for("seqlab.interactive");

type HostGlobals = { [DISPLAY_HOST]?: DisplayHost; [ABORT_SIGNAL]?: AbortSignal; [COMM_HOST]?: CommHost; [INTERACTIVE]?: boolean };

const SCOPED_DISPLAY_HOST = Symbol.for("seqlab.scopedDisplayHost");

/**
 * Where displays go inside withDisplayHost (an Output widget capturing a callback). One
 * store per process, under a global symbol like the hosts: the kernel and the "seqlab" a
 * notebook imports may be two copies of this module.
 */
const scopedDisplayHost: AsyncLocalStorage<DisplayHost> = ((globalThis as Record<symbol, unknown>)[SCOPED_DISPLAY_HOST] ??= new AsyncLocalStorage<DisplayHost>()) as AsyncLocalStorage<DisplayHost>;

/** The display host of the code running now: a scoped one, else the host's, else undefined outside a notebook. */
export function displayHost(): DisplayHost | undefined {
  return scopedDisplayHost.getStore() ?? (globalThis as HostGlobals)[DISPLAY_HOST];
}

/** Runs fn (and the async work it starts) with displays going to `host`. */
export function withDisplayHost<T>(host: DisplayHost, fn: () => T): T {
  return scopedDisplayHost.run(host, fn);
}

/**
 * The display host of a capture in progress (an Output widget's capture), else undefined:
 * a kernel's display() and clearOutput() go there first, as ipywidgets' `with out:` does.
 */
export function capturingDisplayHost(): DisplayHost | undefined {
  return scopedDisplayHost.getStore();
}

export function setDisplayHost(host: DisplayHost | undefined): void {
  (globalThis as HostGlobals)[DISPLAY_HOST] = host;
}

/** The kernel's comm registry (lib/comms.ts is its front), or undefined outside a kernel. */
export function commHost(): CommHost | undefined {
  return (globalThis as HostGlobals)[COMM_HOST];
}

export function setCommHost(host: CommHost | undefined): void {
  (globalThis as HostGlobals)[COMM_HOST] = host;
}

/**
 * Whether a person is at the frontend of the code running now, as the host says: a kernel
 * sets it per cell from the request's allow_stdin (JupyterLab, Notebook and VS Code allow
 * input; nbconvert, papermill and `seqlab run` do not). Undefined outside a kernel.
 */
export function hostIsInteractive(): boolean | undefined {
  return (globalThis as HostGlobals)[INTERACTIVE];
}

export function setHostInteractive(interactive: boolean | undefined): void {
  (globalThis as HostGlobals)[INTERACTIVE] = interactive;
}

/**
 * The abort signal of the execution that is running now (a kernel makes a new one per cell
 * and aborts it on interrupt). Long loops capture it when they start and stop at the next
 * step boundary once it is aborted.
 */
export function currentAbortSignal(): AbortSignal | undefined {
  return (globalThis as HostGlobals)[ABORT_SIGNAL];
}

export function setCurrentAbortSignal(signal: AbortSignal | undefined): void {
  (globalThis as HostGlobals)[ABORT_SIGNAL] = signal;
}

/** Thrown by lib/ loops that stop because their abort signal fired. */
export class InterruptedError extends Error {
  constructor(message = "interrupted") {
    super(message);
    this.name = "InterruptedError";
  }
}

/**
 * Gives the event loop a turn (so that an interrupt arriving during synchronous work is
 * delivered), then throws InterruptedError if `signal` was aborted. Long lib/ work calls it
 * between its units of work.
 */
export async function yieldAndCheck(signal: AbortSignal | null | undefined, what: string): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new InterruptedError(`interrupted ${what}`);
}
