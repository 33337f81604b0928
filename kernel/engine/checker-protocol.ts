/** What the kernel's main thread and a type checker thread (checker-thread.ts) exchange. */
import type { Diagnostic, SideOutput } from "tslab/dist/converter";
import type { EmitMaps } from "./toolchain";

/** A cell converted by tslab: JavaScript to run, or the reasons it cannot run. */
export interface CheckedCell {
  output?: string;
  declOutput?: string;
  /** Type errors; when there are any, nothing else is set. */
  diagnostics: Diagnostic[];
  /** Local modules the cell imports, compiled with it. */
  sideOutputs: SideOutput[];
  /** The variable the cell's last expression is stored in. */
  lastExpressionVar?: string;
  /** Whether the output awaits outside any function (it must run in an async wrapper). */
  hasToplevelAwait: boolean;
  /** The source maps from the output back to the cell. */
  maps?: EmitMaps;
}

export interface CheckerRequest {
  id: number;
  method: string;
  args: unknown[];
}

export type CheckerAnswer = { id: number; value: unknown } | { id: number; error: { message: string; stack?: string } };

/**
 * The shared flag a waiting caller sleeps on: slot ANSWERS counts the answers the thread
 * has posted (the caller sleeps while it still reads what it read before asking, so a wake-up
 * cannot be missed), slot ENDED is 1 once the thread is ending.
 */
export const ANSWERS = 0;
export const ENDED = 1;
export const FLAG_SLOTS = 2;
