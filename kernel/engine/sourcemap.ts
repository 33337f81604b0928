/**
 * Traces a position in the JavaScript that actually ran back to the cell's TypeScript,
 * through two source maps: those of tslab's two emits (see toolchain.ts), or of stripping
 * the types and rewriting the cell (light-compiler.ts).
 */
import { TraceMap, originalPositionFor, GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND } from "@jridgewell/trace-mapping";
import type { EmitMaps } from "./toolchain";

/** 1-based line, 1-based column, as people read them. */
export interface CellPosition {
  line: number;
  column: number;
}

/** tslab prefixes the cell with one line (`export {};`) before compiling it. */
const TSLAB_PREFIX_LINES = 1;

function trace(map: TraceMap, line: number, column: number): { line: number; column: number } | undefined {
  for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
    const pos = originalPositionFor(map, { line, column, bias });
    if (pos.line !== null && pos.line !== undefined) return { line: pos.line, column: pos.column ?? 0 };
  }
  return undefined;
}

export class CellSourceMap {
  private readonly second?: TraceMap;
  private readonly first?: TraceMap;
  private readonly cellLineOffset: number;

  constructor(maps: EmitMaps | undefined, private readonly cellLineCount: number) {
    if (maps?.second) this.second = new TraceMap(maps.second);
    if (maps?.first) this.first = new TraceMap(maps.first);
    this.cellLineOffset = maps?.cellLineOffset ?? TSLAB_PREFIX_LINES;
  }

  /**
   * `line` 1-based and `column` 0-based in the emitted CommonJS text; undefined when the
   * position belongs to code the compiler added (no cell line behind it).
   */
  toCell(line: number, column: number): CellPosition | undefined {
    if (!this.second || !this.first) return undefined;
    const esm = trace(this.second, line, column);
    if (!esm) return undefined;
    const ts = trace(this.first, esm.line, esm.column);
    if (!ts) return undefined;
    const cellLine = ts.line - this.cellLineOffset;
    if (cellLine < 1 || cellLine > this.cellLineCount) return undefined;
    return { line: cellLine, column: ts.column + 1 };
  }
}
