/** Tests that read what code printed: console.log and console.warn captured, then put back. */

export interface Captured<T> {
  value?: T;
  /** What fn threw or rejected with, if it did. */
  error?: unknown;
  log: string;
  warn: string;
}

/** Runs fn (awaited) with console.log/console.warn captured, one line per call; restores them whatever happens. */
export async function captureConsole<T>(fn: () => T | Promise<T>): Promise<Captured<T>> {
  const { log, warn } = console;
  const out = { log: "", warn: "" };
  console.log = (...args: unknown[]) => void (out.log += args.join(" ") + "\n");
  console.warn = (...args: unknown[]) => void (out.warn += args.join(" ") + "\n");
  try {
    return { value: await fn(), ...out };
  } catch (error) {
    return { error, ...out };
  } finally {
    Object.assign(console, { log, warn });
  }
}
