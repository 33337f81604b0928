/**
 * A kernel's first cells run before its type checker has loaded, when a person runs them
 * (requests that allow stdin; headless runs check every cell first, see the engine's
 * mayRunUnchecked). Even the quick checker (checkers.ts) takes about 0.3 s to load
 * (TypeScript, then the standard library's declarations), most of a kernel's start-up, while
 * TypeScript with no declarations at all loads in a third of that. So until a checker is
 * ready, cells are compiled without types (syntax errors only: with TypeScript 5, by its
 * emit-only converter, emit-only.ts; with TypeScript 7, by the light compiler that compiles
 * every cell, light-compiler.ts) and run at once; this keeps
 * them. Before the next cell is checked they are checked in order, as if they had come then:
 * their declarations replace the unchecked ones, and type errors fail that next cell, naming
 * the cells they are in. From then on every cell is checked before it runs.
 */
import { CellChecker, type CellCompiler } from "./checker-client";
import type { CellError } from "./errors";

let warnedAboutSetting = false;

/**
 * SEQLAB_RUN_BEFORE_CHECKER: 0 has every cell wait for the type checker, so that each type
 * error fails its own cell (a teacher's choice); 1 or unset, a person's first cells run
 * before it has loaded.
 */
export function runBeforeCheckerFromEnvironment(): boolean {
  const text = process.env.SEQLAB_RUN_BEFORE_CHECKER?.trim() ?? "";
  if (text === "0") return false;
  if (text !== "" && text !== "1" && !warnedAboutSetting) {
    warnedAboutSetting = true;
    process.stderr.write(`[seqlab kernel] SEQLAB_RUN_BEFORE_CHECKER must be 0 (every cell waits for the type checker) or 1, got "${text}"; using 1\n`);
  }
  return true;
}

/** A converter started ahead of the engine (see startCellCompiler). */
let early: { rootDir: string; compiler: Promise<CellChecker> } | undefined;

/** Starts the emit-only converter's thread first thing, before the checkers' (cli.ts). */
export function startCellCompiler(rootDir: string): void {
  early ??= { rootDir, compiler: CellChecker.start(rootDir, "none") };
  early.compiler.catch(() => undefined); // the engine that takes it falls back to waiting for a checker
}

/** A cell that ran unchecked. */
export interface RanCell {
  source: string;
  /** Its label in tracebacks (`Cell In[3]`). */
  label: string;
}

export class UncheckedCells {
  private readonly compiler: Promise<CellCompiler | undefined>;
  private loaded?: CellCompiler;
  private cells: RanCell[] = [];
  /** The declarations the first of `cells` was compiled after. */
  private declBefore = "";
  /** A checker has taken over: no more cells run unchecked. */
  private ended = false;

  /** With a converter of its own, started ahead (startCellCompiler) or now. */
  static forRoot(rootDir: string): UncheckedCells {
    const started = early?.rootDir === rootDir ? early.compiler : CellChecker.start(rootDir, "none");
    early = undefined;
    return new UncheckedCells(started, true);
  }

  /** `owned`: the converter's thread ends with the unchecked cells (else it serves on). */
  constructor(
    started: Promise<CellCompiler>,
    private readonly owned: boolean,
  ) {
    this.compiler = started.then(
      (compiler) => {
        if (this.ended && this.owned) void (compiler as CellChecker).close();
        else this.loaded = compiler;
        return this.loaded;
      },
      () => undefined, // cells wait for a checker instead
    );
  }

  /** Resolves once the converter has loaded (undefined: it failed, or a checker came first). */
  whenLoaded(): Promise<CellCompiler | undefined> {
    return this.compiler;
  }

  /** The converter, while cells may still run unchecked. */
  get live(): CellCompiler | undefined {
    return this.ended ? undefined : this.loaded;
  }

  get hasCells(): boolean {
    return this.cells.length > 0;
  }

  /** `cell` ran, compiled after `declBefore`, unchecked. */
  record(cell: RanCell, declBefore: string): void {
    if (this.cells.length === 0) this.declBefore = declBefore;
    this.cells.push(cell);
  }

  /**
   * A checker has loaded: no cell runs unchecked from now on, and the converter's thread
   * ends if it is this one's. Returns the cells to check, in order, and the declarations
   * before the first.
   */
  end(): { cells: RanCell[]; declBefore: string } {
    this.ended = true;
    const loaded = this.loaded;
    this.loaded = undefined;
    if (this.owned) void (loaded as CellChecker | undefined)?.close();
    const taken = { cells: this.cells, declBefore: this.declBefore };
    this.cells = [];
    return taken;
  }

  /** The notebook's namespace was reset: the cells that ran are gone, unchecked. */
  forget(): void {
    this.cells = [];
    this.declBefore = "";
  }
}

/**
 * The error the next cell fails with when cells that ran unchecked had type errors: the
 * checker's own messages, cell by cell, with what happened and what to do.
 */
export function lateTypeErrors(errors: CellError[]): CellError {
  const labels = errors.map((e) => e.traceback[0]?.split(",")[0] ?? "a cell");
  const which = labels.join(", ");
  return {
    status: "error",
    ename: "CompileError",
    evalue: `${which} ran before the type checker had loaded, and has type errors: ${errors[0].evalue}`,
    traceback: [
      `${which} ran while the kernel was starting, before its type checker had loaded; checked now, TypeScript reports:`,
      ...errors.flatMap((e) => e.traceback),
      `Those cells ran anyway, but later cells do not see the names they declare. This cell did not run: fix ${labels.length > 1 ? "them" : labels[0]}, run ${labels.length > 1 ? "them" : "it"} again, then this cell.`,
    ],
  };
}
