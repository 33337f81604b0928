/**
 * Errors nobody catches: a throw in a cell's callback, a promise a cell rejected and nobody
 * awaited. Node would end the process, and with it the notebook's state; so the kernel owns
 * Node's "uncaughtException" and "unhandledRejection" events while the engine is installed:
 * process.emit hands both to the kernel alone, whatever listeners a library registers
 * (tfjs-backend-wasm's start-up code adds `process.on("unhandledRejection", r => { throw r })`,
 * which would end the kernel). Listeners registered later are never called; listeners that
 * were there before the engine (a test runner's) still get the errors no cell owns.
 *
 * Each error is printed with cell line numbers to the stderr of the cell it came from while
 * that cell runs, else to the running cell, else to the next cell that runs (a finished
 * cell's output is no longer shown by frontends). Nothing is dropped, the kernel never ends.
 */
import type { CellHost } from "../contract";
import { executions, type ExecutionContext } from "./context";
import { runtimeError, type CellScripts } from "./errors";

const FROM_CELL = /__seqlab_cell_\d+__\.js|Cell In\[\d+\]/;
type UncaughtEvent = "uncaughtException" | "unhandledRejection";
type Listener = (...args: unknown[]) => void;

const KIND: Record<UncaughtEvent, string> = {
  uncaughtException: "Uncaught",
  unhandledRejection: "Unhandled promise rejection:",
};

export class UncaughtErrors {
  /** Reports waiting for the next cell. */
  private pending: string[] = [];
  private readonly hostListeners: Record<UncaughtEvent, Listener[]>;
  private readonly originalEmit = process.emit;
  private readonly emit: typeof process.emit;

  constructor(private readonly scripts: CellScripts) {
    this.hostListeners = { uncaughtException: listenersOf("uncaughtException"), unhandledRejection: listenersOf("unhandledRejection") };
    const originalEmit = this.originalEmit;
    const handle = (event: UncaughtEvent, args: unknown[]) => this.handle(event, args);
    this.emit = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]): boolean {
      if (event !== "uncaughtException" && event !== "unhandledRejection") return (originalEmit as (...a: unknown[]) => boolean).call(this, event, ...args);
      handle(event, args);
      return true; // handled: Node must not end the process
    } as typeof process.emit;
    process.emit = this.emit;
  }

  /** Prints an error that escaped cell code (see the routing above). */
  report(owner: ExecutionContext | undefined, kind: string, error: unknown): void {
    const text = `${kind} ${runtimeError(error, this.scripts).traceback.join("\n")}\n`;
    const target = owner && !owner.finished ? owner : executions.running();
    if (target) target.host.stderr(text);
    else this.pending.push(text);
  }

  /** Prints what is waiting for the next cell to `host`. */
  flushTo(host: CellHost): void {
    for (const text of this.pending.splice(0)) host.stderr(text);
  }

  private handle(event: UncaughtEvent, args: unknown[]): void {
    const error = args[0];
    const owner = executions.current() ?? (FROM_CELL.test(stackOf(error)) ? executions.latest() : undefined) ?? executions.running();
    if (!owner) {
      if (this.passToHost(event, args)) return;
      // Not from a cell, and no cell to show it: the kernel's log, and the next cell.
      executions.outside(() => process.stderr.write(`[seqlab kernel] ${event}: ${stackOf(error) || String(error)}\n`));
    }
    this.report(owner, KIND[event], error);
  }

  /** Hands an error no cell owns to the listeners that were there before the engine. */
  private passToHost(event: UncaughtEvent, args: unknown[]): boolean {
    const listeners = this.hostListeners[event].filter((l) => listenersOf(event).includes(l));
    try {
      for (const listener of listeners) listener.apply(process, args);
      return listeners.length > 0;
    } catch {
      return false; // a listener rethrew, meaning "fatal": the kernel reports it instead
    }
  }

  dispose(): void {
    if (process.emit === this.emit) process.emit = this.originalEmit;
  }
}

function listenersOf(event: UncaughtEvent): Listener[] {
  return process.listeners(event as "uncaughtException") as unknown as Listener[];
}

function stackOf(error: unknown): string {
  try {
    return error instanceof Error ? error.stack ?? "" : "";
  } catch {
    return "";
  }
}
