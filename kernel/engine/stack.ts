/**
 * `err.stack` of an error raised through cell code names cell positions, as IPython names
 * cells ("at f (Cell In[3]:2:5)"), and leaves out the kernel's own frames, also when the
 * user catches and prints it. V8 builds `stack` through Error.prepareStackTrace the first
 * time it is read; a stack without any cell frame is formatted as before.
 */
import { INTERNAL_FRAME, cellPosition, rememberFirstCellFrame, type CellFrame, type CellScripts } from "./errors";

type Prepare = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** V8's own header line: Error.prototype.toString, or the class name if that throws. */
function header(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}

function v8Format(error: Error, frames: NodeJS.CallSite[]): string {
  return header(error) + frames.map((frame) => `\n    at ${frame}`).join("");
}

/** Installs the formatting; returns a function restoring the previous one. */
export function installCellStacks(scripts: CellScripts): () => void {
  const previous = Error.prepareStackTrace as Prepare | undefined;
  const prepare: Prepare = (error, frames) => {
    const lines: string[] = [];
    let first: CellFrame | undefined;
    // Frames below the outermost cell frame are whatever ran the cell (engine, server).
    let end = frames.length;
    while (end > 0 && !scripts.get(frames[end - 1].getFileName() ?? "")) end--;
    for (const frame of frames.slice(0, end)) {
      const file = frame.getFileName() ?? "";
      const info = scripts.get(file);
      if (!info) {
        if (!INTERNAL_FRAME.test(file)) lines.push(`\n    at ${frame}`);
        continue;
      }
      const line = frame.getLineNumber() ?? 0;
      const column = frame.getColumnNumber() ?? 0;
      const pos = cellPosition(info, line, column);
      if (!pos) continue; // compiler-made glue around the cell
      first ??= { info, ...pos };
      // Functions from earlier cells are called as `exports.f()` on the namespace proxy.
      const text = String(frame).replace(`${file}:${line}:${column}`, `${info.label}:${pos.line}:${pos.column}`).replace(/^Proxy\./, "");
      lines.push(`\n    at ${text}`);
    }
    if (!first) return previous ? previous(error, frames) : v8Format(error, frames);
    rememberFirstCellFrame(error, first);
    return header(error) + lines.join("");
  };
  Error.prepareStackTrace = prepare;
  return () => {
    if (Error.prepareStackTrace !== prepare) return; // someone replaced it since
    if (previous) Error.prepareStackTrace = previous;
    else delete (Error as { prepareStackTrace?: Prepare }).prepareStackTrace;
  };
}
