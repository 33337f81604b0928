/**
 * IPython's history variables: `_`, `__`, `___` (the last three results), `Out[n]` (the
 * result of cell n) and `In[n]` (the text of cell n). A result is a value a cell returned
 * as its execute_result; silent runs and runs kept out of the history do not count. They
 * are globals, declared `any` to the type checker (HISTORY_DECLARATIONS, part of the
 * prelude) so that any use type-checks; a cell that declares its own `_` shadows them.
 */

/** Lines for the prelude's `declare global { ... }` block. */
export const HISTORY_DECLARATIONS = `
  /** The last result shown as a cell's Out[n] (IPython's _). */
  var _: any;
  /** The result before \`_\`. */
  var __: any;
  /** The result before \`__\`. */
  var ___: any;
  /** Results by execution count: Out[3] is what cell [3] returned. */
  var Out: Record<number, any>;
  /** Cell texts by execution count: In[3] is the text of cell [3]; In[0] is "". */
  var In: string[];
`;

const NAMES = ["_", "__", "___", "Out", "In"] as const;

export class CellHistory {
  private readonly inputs: string[] = [""];
  private readonly outputs: Record<number, unknown> = {};

  /** Defines the globals (non-enumerable, replaceable by user code). */
  install(): void {
    this.define({ _: undefined, __: undefined, ___: undefined, Out: this.outputs, In: this.inputs });
  }

  recordInput(executionCount: number, code: string): void {
    this.inputs[executionCount] = code;
  }

  recordOutput(executionCount: number, value: unknown): void {
    this.outputs[executionCount] = value;
    const g = globalThis as Record<string, unknown>;
    this.define({ ___: g.__, __: g._, _: value });
  }

  remove(): void {
    const g = globalThis as Record<string, unknown>;
    for (const name of NAMES) delete g[name];
  }

  private define(values: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(values)) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
  }
}
