/**
 * Tracks setInterval timers per execution so an interrupt can stop them (see
 * ExecutionContext.interrupt): a cell's `setInterval(tick, 100)` otherwise keeps running
 * after the user pressed stop.
 */
import { executions } from "./context";

/** Replaces the global setInterval/clearInterval; returns a function restoring them. */
export function trackIntervals(): () => void {
  const originalSet = globalThis.setInterval;
  const originalClear = globalThis.clearInterval;
  const tracked = function setInterval(this: unknown, ...args: Parameters<typeof originalSet>) {
    const timer = originalSet.apply(this, args);
    const ctx = executions.current();
    if (ctx && !ctx.finished) ctx.intervals.add(timer);
    return timer;
  } as typeof originalSet;
  const untrack = function clearInterval(this: unknown, timer: Parameters<typeof originalClear>[0]) {
    const ctx = executions.current();
    if (ctx && timer && typeof timer === "object") ctx.intervals.delete(timer as NodeJS.Timeout);
    return originalClear.call(this, timer);
  } as typeof originalClear;
  globalThis.setInterval = tracked;
  globalThis.clearInterval = untrack;
  return () => {
    if (globalThis.setInterval === tracked) globalThis.setInterval = originalSet;
    if (globalThis.clearInterval === untrack) globalThis.clearInterval = originalClear;
  };
}
