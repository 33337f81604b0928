/**
 * Errors nobody catches: a throw inside a cell's timer callback, a rejected promise a cell
 * did not await. Node would end the process (and the kernel with all its state); instead
 * such an error is printed, with cell line numbers, to the cell it came from (or the
 * running / most recent cell). Errors that do not come from cell code keep Node's
 * behaviour unless someone else (a test runner) listens for them.
 */
import { executions, type ExecutionContext } from "./context";
import { runtimeError, type CellScripts } from "./errors";

const CELL_FILE = /__seqlab_cell_\d+__\.js/;

function ownerOf(error: unknown): ExecutionContext | undefined {
  const fromContext = executions.outputTarget();
  if (fromContext) return fromContext;
  const stack = error instanceof Error ? error.stack ?? "" : "";
  if (CELL_FILE.test(stack)) return executions.running() ?? executions.latest();
  return executions.running();
}

/** Prints an error that escaped a cell's code to that cell's stderr. */
export function printToCell(owner: ExecutionContext, kind: string, error: unknown, scripts: CellScripts): void {
  const reply = runtimeError(error, scripts);
  owner.host.stderr(`${kind} ${reply.traceback.join("\n")}\n`);
}

export function reportUncaught(scripts: CellScripts): () => void {
  const report = (kind: string, error: unknown): boolean => {
    const owner = ownerOf(error);
    if (!owner) return false;
    printToCell(owner, kind, error, scripts);
    return true;
  };
  const onException = (error: unknown) => {
    if (report("Uncaught", error)) return;
    if (process.listenerCount("uncaughtException") > 1) return; // someone else decides
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  };
  const onRejection = (reason: unknown) => {
    if (report("Unhandled promise rejection:", reason)) return;
    if (process.listenerCount("unhandledRejection") > 1) return;
    onException(reason);
  };
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}
