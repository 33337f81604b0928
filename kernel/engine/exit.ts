/**
 * `process.exit()` called by cell code. Ending the process from inside a cell kills it
 * midway (the native ZeroMQ sockets are torn down while in use: SIGABRT, "terminate ...
 * Napi::Error") and loses every variable of the notebook. Someone who pastes script code
 * expects the script to stop, not the notebook to die, and IPython's kernel answers
 * sys.exit() in a cell the same way: the cell fails with SystemExit and the kernel lives on.
 * So the choice here is to refuse: cell code gets a SystemExit error; the frontend's Kernel
 * menu restarts or shuts down the kernel. Calls from outside cells (the kernel's own
 * shutdown) exit as usual.
 */
import { executions } from "./context";

export class SystemExit extends Error {
  constructor(readonly code: unknown) {
    super(
      `process.exit(${code === undefined ? "" : JSON.stringify(code)}) does not end the kernel: the cell stops here ` +
        "and the notebook keeps its variables. To end or restart the kernel, use the Kernel menu (Restart / Shut Down).",
    );
    this.name = "SystemExit";
  }
}

/** Installs the refusal; returns a function restoring process.exit. */
export function refuseExitFromCells(): () => void {
  const original = process.exit;
  const guarded = function exit(code?: number | string | null) {
    if (executions.current()) throw new SystemExit(code);
    return original.call(process, code);
  } as typeof process.exit;
  process.exit = guarded;
  return () => {
    if (process.exit === guarded) process.exit = original;
  };
}
