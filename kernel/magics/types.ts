/**
 * The types a magic is written against. A magic is a thin adapter: it declares its
 * arguments, and its `run` resolves notebook values through the context, calls a plain
 * function (usually from lib/), and prints or displays what comes back.
 */
import type { CellHost } from "../contract";

export type MagicKind = "line" | "cell" | "both";

export interface MagicOption {
  type: "string" | "number" | "boolean";
  /** One-letter alias, e.g. "n" for -n. */
  short?: string;
  default?: string | number | boolean;
  /** Allow the option several times (values are collected into an array). */
  multiple?: boolean;
  /** The value's placeholder in the usage line and help, e.g. "$vocab"; default N or the name in capitals. */
  value?: string;
  help: string;
}

/**
 * How the text after the magic's name is read:
 * - "words" (default): shell-like words (quotes as in a shell), options and positionals;
 *   `$name` and `{expr}` take values from the notebook first;
 * - "code": leading options, then the rest verbatim as TypeScript code (%time, %timeit);
 * - "raw": the text verbatim (%env NAME=value).
 */
export type MagicArgMode = "words" | "code" | "raw";

export interface MagicSpec {
  /** Name without % (letters, digits, _ and -; starting with a letter or _). */
  name: string;
  kind: MagicKind;
  /**
   * What follows the options in the usage line, e.g. "$model $x $y": the line itself is
   * then made from the declared options, as IPython makes it from @magic_arguments.
   */
  arguments?: string;
  /** For a magic of kind "both": what follows the options in the cell form (%%name). */
  cellArguments?: string;
  /** A usage line written out in full, for magics that declare no `arguments`. */
  usage?: string;
  /** A paragraph or more, shown by %name?. */
  help: string;
  options?: Record<string, MagicOption>;
  args?: MagicArgMode;
  /** Expand `$name`/`{expr}` in the argument text; default: true in "words" mode, else false. */
  expandVariables?: boolean;
  /** Whether the magic takes positionals beyond its options (words mode); default true. */
  positionals?: boolean;
  /** `ctx.source` of the run is where %name?? points; default: run's own text. */
  run(ctx: MagicContext, args: MagicArgs): unknown;
}

/** A notebook value written in the arguments as one `$name` or `{expr}` word. */
export interface ValueRef {
  /** How it was written, e.g. "$model" or "{xs[0]}". */
  written: string;
  value: unknown;
}

export interface MagicArgs {
  /** "line" for %name, "cell" for %%name. */
  invokedAs: "line" | "cell";
  /** The argument text as written (before any expansion). */
  line: string;
  /** Option values by long name; defaults filled in. */
  options: Record<string, string | number | boolean | Array<string | number> | undefined>;
  /** Positional words (after expansion, as text). */
  positionals: string[];
  /** For each positional written as a single `$name`/`{expr}`, the value itself. */
  refs: Array<ValueRef | undefined>;
  /** For options whose value was a single `$name`/`{expr}`, the value itself. */
  optionRefs: Record<string, ValueRef | undefined>;
  /** "code"/"raw" modes: the text after the options. */
  rest: string;
  /** Cell magics: the cell after the first line. */
  body?: string;
}

/** Something compiled once and run on demand (%time, and the bodies of wrapping cell magics). */
export interface CompiledCode {
  /** Runs the code once; returns its last value (awaited when the code awaits). */
  run(): unknown | Promise<unknown>;
  readonly isAsync: boolean;
}

export interface DisplayHandleLike {
  readonly id: string;
  update(value: unknown): Promise<void>;
}

/** What a magic can reach while it runs. */
export interface MagicContext {
  /** The magic's own name (for messages). */
  readonly name: string;
  readonly host: CellHost;
  /** Fires when the user interrupts; long magics check it. */
  readonly signal: AbortSignal;
  /** The notebook's variables (read and write). */
  readonly namespace: Record<string, unknown>;
  /** Writes a line to the cell's stdout. */
  print(text: string): void;
  /** Writes a line to the cell's stderr. */
  printError(text: string): void;
  display(value: unknown, options?: { displayId?: string; metadata?: Record<string, unknown> }): DisplayHandleLike;
  /** Shows text in the frontend's pager (as IPython's help does). */
  page(text: string): void;
  /** A notebook variable by name; UsageError naming the magic when it does not exist. */
  variable(name: string): unknown;
  /**
   * Checks a value from the arguments: returns it when `test` accepts it, else throws a
   * UsageError such as "%summary: `$model` is a Tensor, expected a model".
   */
  expect<T>(ref: ValueRef | string, expected: string, test: (value: unknown) => value is T): T;
  /** Throws a UsageError naming the magic and its usage line. */
  usageError(message: string): never;
  /** Runs TypeScript in the notebook (declarations persist); returns the last value. */
  runCode(code: string): Promise<unknown>;
  /**
   * Compiles TypeScript once for repeated runs. Its declarations are known to later cells
   * only with `keepDeclarations` (then from its first run on).
   */
  compileCode(code: string, options?: { keepDeclarations?: boolean }): Promise<CompiledCode>;
  /** Forgets all user variables and declarations. */
  resetNamespace(): void;
  /** The registry this magic was found in (for %lsmagic and help). */
  readonly registry: MagicRegistryView;
}

export interface MagicRegistryView {
  get(name: string): MagicSpec | undefined;
  list(): MagicSpec[];
}

/** A describing name for a value in messages: "a Tensor", "a number", "undefined". */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" || typeof value === "function") {
    const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
    if (typeof value === "function") return "a function";
    if (ctor && ctor !== "Object") return `${/^[AEIOU]/.test(ctor) ? "an" : "a"} ${ctor}`;
    return "an object";
  }
  return `a ${typeof value}`;
}
