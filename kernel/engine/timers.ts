/**
 * Timers started by cell code. setTimeout/setInterval/setImmediate are wrapped while the
 * engine is installed, only for calls made inside an execution:
 * - intervals are recorded so an interrupt can stop them (ExecutionContext.interrupt);
 * - a callback that throws is reported to its cell (with cell line numbers) instead of
 *   becoming an uncaught exception that would end the kernel.
 */
import util from "util";
import { executions, type ExecutionContext } from "./context";

export type ErrorReporter = (owner: ExecutionContext, error: unknown) => void;

type AnyFn = (...args: unknown[]) => unknown;

function guarded(ctx: ExecutionContext, callback: unknown, report: ErrorReporter): unknown {
  if (typeof callback !== "function") return callback;
  return function (this: unknown, ...args: unknown[]) {
    try {
      return (callback as AnyFn).apply(this, args);
    } catch (err) {
      report(ctx, err);
      return undefined;
    }
  };
}

function wrap<F extends AnyFn>(original: F, report: ErrorReporter, record?: (ctx: ExecutionContext, timer: unknown) => void): F {
  const wrapper = function (this: unknown, callback: unknown, ...rest: unknown[]) {
    const ctx = executions.current();
    if (!ctx) return original.call(this, callback, ...rest);
    const timer = original.call(this, guarded(ctx, callback, report), ...rest);
    record?.(ctx, timer);
    return timer;
  } as unknown as F;
  // util.promisify(setTimeout) and friends rely on this.
  const custom = (original as unknown as Record<symbol, unknown>)[util.promisify.custom];
  if (custom) Object.defineProperty(wrapper, util.promisify.custom, { value: custom });
  Object.defineProperty(wrapper, "name", { value: original.name });
  return wrapper;
}

/** Installs the wrappers; returns a function restoring the originals. */
export function trackCellTimers(report: ErrorReporter): () => void {
  const g = globalThis as unknown as Record<string, AnyFn>;
  const originals = { setTimeout: g.setTimeout, setInterval: g.setInterval, setImmediate: g.setImmediate, clearInterval: g.clearInterval };
  const wrapped = {
    setTimeout: wrap(originals.setTimeout, report),
    setImmediate: wrap(originals.setImmediate, report),
    setInterval: wrap(originals.setInterval, report, (ctx, timer) => {
      if (!ctx.finished) ctx.intervals.add(timer as NodeJS.Timeout);
    }),
    clearInterval: function clearInterval(this: unknown, timer: unknown) {
      executions.current()?.intervals.delete(timer as NodeJS.Timeout);
      return originals.clearInterval.call(this, timer);
    } as AnyFn,
  };
  Object.assign(g, wrapped);
  return () => {
    for (const [name, fn] of Object.entries(wrapped)) {
      if (g[name] === fn) g[name] = originals[name as keyof typeof originals];
    }
  };
}
