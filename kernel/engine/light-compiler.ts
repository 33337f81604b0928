/**
 * Compiles cells on the kernel's main thread without TypeScript, on the default path, where
 * TypeScript 7 checks them (native-checking.ts): sucrase strips the types (strip-types.ts)
 * and cell-rewrite.ts turns the JavaScript into a body over the notebook's namespace. It
 * takes the place of a thread running TypeScript 5 only to emit (an idle kernel held 30 MB more
 * with it: 157 against 127 MB in bench:kernel).
 */
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import type { Diagnostic, IsCompleteResult } from "tslab/dist/converter";
import type { CellCompiler } from "./checker-client";
import type { CheckedCell } from "./checker-protocol";
import { asConverterDiagnostics } from "./errors";
import { StripError, stripTypes, type StrippedCode } from "./strip-types";
import { UnsupportedCellSyntax, parseCellJavaScript, rewriteCell } from "./cell-rewrite";

/**
 * The names earlier cells declared, as they travel in the declarations the runner carries
 * from cell to cell (cells.ts `prevDecl`, which TypeScript 5's converters fill with declarations).
 */
const NAMES_LINE = /^\/\/ seqlab cell names:(.*)$/m;

function namesIn(prevDecl: string): Set<string> {
  const line = NAMES_LINE.exec(prevDecl);
  return new Set(line ? line[1].split(" ").filter((name) => name !== "") : []);
}

/** The offset in `source` that a 0-based `offset` in its stripped JavaScript came from. */
function sourceOffset(source: string, stripped: StrippedCode, offset: number): number {
  const before = stripped.js.slice(0, offset).split("\n");
  const found = originalPositionFor(new TraceMap(stripped.map), { line: before.length, column: before[before.length - 1].length });
  const line = found.line ?? before.length;
  const lineStart = source.split("\n").slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
  return Math.min(source.length, lineStart + (found.column ?? 0));
}

/** Indentation for the line after `source`'s last: one step in after an opening bracket. */
function indentAfter(source: string): string {
  const last = source.slice(source.lastIndexOf("\n") + 1);
  const indent = /^\s*/.exec(last)?.[0] ?? "";
  return /[{([]\s*$/.test(last) ? indent + "  " : indent;
}

export class LightCompiler implements CellCompiler {
  convert(prevDecl: string, source: string): CheckedCell {
    const earlier = namesIn(prevDecl);
    let stripped: StrippedCode | undefined;
    try {
      stripped = stripTypes(source);
      const cell = rewriteCell(stripped.js, earlier);
      const names = new Set([...earlier, ...cell.declared]);
      return {
        output: cell.code,
        declOutput: `// seqlab cell names: ${[...names].join(" ")}\n`,
        diagnostics: [],
        sideOutputs: [],
        lastExpressionVar: cell.lastExpressionVar,
        hasToplevelAwait: cell.hasToplevelAwait,
        maps: { first: stripped.map, second: cell.map, cellLineOffset: 0 },
      };
    } catch (err) {
      return { diagnostics: this.diagnose(err, source, stripped), sideOutputs: [], hasToplevelAwait: false };
    }
  }

  /** A syntax error (from sucrase, acorn or the rewrite) as the converter's diagnostic. */
  private diagnose(err: unknown, source: string, stripped: StrippedCode | undefined): Diagnostic[] {
    let start: number;
    let message = (err as Error)?.message ?? String(err);
    if (err instanceof StripError) start = err.start;
    else if (stripped && err instanceof UnsupportedCellSyntax) start = sourceOffset(source, stripped, err.start);
    else if (stripped && err instanceof SyntaxError && typeof (err as { pos?: unknown }).pos === "number") {
      start = sourceOffset(source, stripped, (err as SyntaxError & { pos: number }).pos);
      message = message.replace(/ \(\d+:\d+\)$/, "");
    } else throw err;
    return asConverterDiagnostics(source, [{ start, length: 0, message, code: 0, category: "error" }]);
  }

  isCompleteCode(source: string): IsCompleteResult {
    // A blank line at the end runs the cell as it is (console frontends).
    if (/(^|\n)\s*\n\s*$/.test(source)) return { completed: true };
    try {
      stripTypes(source);
    } catch (err) {
      if (err instanceof StripError && err.start >= source.trimEnd().length) return { completed: false, indent: indentAfter(source) };
    }
    return { completed: true };
  }

  hasSyntaxErrors(source: string): boolean {
    try {
      parseCellJavaScript(stripTypes(source).js);
      return false;
    } catch {
      return true;
    }
  }

  transpileExpression(expr: string): string {
    return stripTypes(`(${expr})`).js.trim().replace(/;$/, "");
  }
}
