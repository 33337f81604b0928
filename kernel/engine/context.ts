/**
 * One execution (one execute_request) and the async context that follows its code.
 *
 * Cell code runs inside `executions.run(ctx, ...)`; Node's AsyncLocalStorage carries `ctx`
 * through awaits, timers and callbacks started by that code. That tells us, for any output
 * and any resumed `await`, which cell it belongs to.
 *
 * Output routing choice: output from code whose cell is still running goes to that cell.
 * Output from a cell that already finished (a timer left running, a promise not awaited)
 * goes to the most recent cell, as ipykernel does with its current parent, because
 * frontends no longer show output for a finished request.
 */
import { AsyncLocalStorage } from "async_hooks";
import type { CellHost } from "../contract";

export class KeyboardInterrupt extends Error {
  constructor() {
    super("interrupted by the user");
    this.name = "KeyboardInterrupt";
  }
}

export class ExecutionContext {
  readonly abort = new AbortController();
  interrupted = false;
  finished = false;
  /** setInterval timers started by this execution's code; cleared when it is interrupted. */
  readonly intervals = new Set<NodeJS.Timeout>();
  private interruptListeners: Array<() => void> = [];

  constructor(
    readonly executionCount: number,
    readonly host: CellHost,
    readonly allowStdin: boolean,
  ) {}

  /** Marks the execution interrupted: awaits resuming in it throw, its AbortSignal fires. */
  interrupt(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    this.abort.abort(new KeyboardInterrupt());
    // Repeating work of an interrupted cell stops too (one-shot timers are left to fire:
    // the code they resume meets an interrupt check and unwinds through its finally blocks).
    for (const timer of this.intervals) clearInterval(timer);
    this.intervals.clear();
    for (const listener of this.interruptListeners.splice(0)) listener();
  }

  /** Resolves never; rejects with KeyboardInterrupt once interrupted. */
  interruption(): Promise<never> {
    const interruption = new Promise<never>((_, reject) => {
      if (this.interrupted) reject(new KeyboardInterrupt());
      else this.interruptListeners.push(() => reject(new KeyboardInterrupt()));
    });
    // Callers race it; when the other side wins, a later interrupt must not be unhandled.
    interruption.catch(() => undefined);
    return interruption;
  }
}

const storage = new AsyncLocalStorage<ExecutionContext>();
let running: ExecutionContext | undefined;
let latest: ExecutionContext | undefined;

export const executions = {
  run<T>(ctx: ExecutionContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  /** Runs `fn` outside any execution (its output goes to the real streams). */
  outside<T>(fn: () => T): T {
    return storage.exit(fn);
  },
  /** The execution whose code is on the stack (or started the callback that is). */
  current(): ExecutionContext | undefined {
    return storage.getStore();
  },
  /** The execution the server is waiting for now, if any. */
  running(): ExecutionContext | undefined {
    return running;
  },
  begin(ctx: ExecutionContext): void {
    running = ctx;
    latest = ctx;
  },
  end(ctx: ExecutionContext): void {
    ctx.finished = true;
    if (running === ctx) running = undefined;
  },
  /** The most recent execution (running or finished). */
  latest(): ExecutionContext | undefined {
    return latest;
  },
  /** Where output from the current code should go (see the routing choice above). */
  outputTarget(): ExecutionContext | undefined {
    const owner = storage.getStore();
    if (!owner) return undefined;
    if (!owner.finished) return owner;
    return running ?? latest;
  },
};
