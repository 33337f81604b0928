/**
 * Cells type-checked by TypeScript 7 (cell-project.ts, a native process) and compiled by a
 * TypeScript 5 converter that only emits (emit-only.ts, in a thread): the default path
 * (unless SEQLAB_TYPESCRIPT=5, see typescript-choice.ts) that the engine takes instead of its two
 * TypeScript 5 checkers (checkers.ts). Both halves start with the kernel, and no cell waits
 * for a second checker to load. Type errors, completion and inspection come from TypeScript
 * 7; the JavaScript that runs, from TypeScript 5's emit.
 * After a long idle both are released (TypeScript 7's process ends, the converter's thread
 * too) and start again on the next request, with every cell kept.
 */
import type { Diagnostic } from "tslab/dist/converter";
import { CellChecker } from "./checker-client";
import { CellProject, type CellDiagnostic } from "./cell-project";
import { PRELUDE } from "./globals";

/** One cell's diagnostics in the shape of tslab's converter (what compileError formats). */
export function asConverterDiagnostics(source: string, diagnostics: CellDiagnostic[]): Diagnostic[] {
  const lineStarts = [0];
  for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const position = (offset: number) => {
    let line = lineStarts.length - 1;
    while (lineStarts[line] > offset) line--;
    return { offset, line, character: offset - lineStarts[line] };
  };
  return diagnostics
    .filter((d) => d.category === "error")
    .map((d) => ({ start: position(d.start), end: position(d.start + d.length), messageText: d.message, category: 1, code: d.code }));
}

/** Both halves started ahead of the engine (see startTypeScript7). */
let early: { rootDir: string; checking: NativeChecking } | undefined;

/** Starts both halves first thing, while the kernel loads its modules and binds its sockets. */
export function startTypeScript7(rootDir: string): void {
  early ??= { rootDir, checking: new NativeChecking(rootDir) };
}

export class NativeChecking {
  private project?: Promise<CellProject>;
  private projectLoaded?: CellProject;
  private compiler?: Promise<CellChecker>;
  private compilerLoaded?: CellChecker;
  private closed = false;

  /** The halves started for `rootDir` ahead of the engine, else new ones. */
  static forRoot(rootDir: string): NativeChecking {
    const started = early?.rootDir === rootDir ? early.checking : undefined;
    early = undefined;
    return started ?? new NativeChecking(rootDir);
  }

  /** Settles once TypeScript 7, started after the converter, has loaded (or failed to). */
  readonly started: Promise<unknown>;

  /**
   * Starts the converter, then TypeScript 7: the first cells need the converter alone (they
   * run before TypeScript 7 has loaded, see unchecked-cells.ts), and two loads at once would
   * slow it down. TypeScript 7 waits a turn of the event loop more, so that a cell waiting
   * for the converter compiles first (opening the project blocks this thread while TypeScript
   * 7 reads it). A cell that needs TypeScript 7 sooner starts it (checker()).
   */
  constructor(private readonly rootDir: string) {
    this.started = this.emitter()
      .catch(() => undefined)
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => this.checker())
      .catch(() => undefined); // the cell that needs it reports a failure
  }

  /** TypeScript 7's project of the notebook's cells, loaded. */
  checker(): Promise<CellProject> {
    if (!this.project) {
      const project = CellProject.open(this.rootDir, { prelude: PRELUDE }).then((loaded) => {
        if (this.closed) loaded.close();
        else this.projectLoaded = loaded;
        return loaded;
      });
      project.catch(() => {
        if (this.project === project) this.project = undefined; // the next cell tries again
      });
      this.project = project;
    }
    return this.project;
  }

  /** The converter that compiles the cells TypeScript 7 accepted, loaded. */
  emitter(): Promise<CellChecker> {
    if (!this.compiler || this.compilerLoaded?.ended) {
      this.compilerLoaded = undefined;
      const compiler = CellChecker.start(this.rootDir, "none").then((loaded) => {
        if (this.closed) void loaded.close();
        else this.compilerLoaded = loaded;
        return loaded;
      });
      compiler.catch(() => {
        if (this.compiler === compiler) this.compiler = undefined;
      });
      this.compiler = compiler;
    }
    return this.compiler;
  }

  /** TypeScript 7's project, once loaded (also while suspended: it starts again on use). */
  get liveChecker(): CellProject | undefined {
    return this.projectLoaded;
  }

  get liveEmitter(): CellChecker | undefined {
    return this.compilerLoaded;
  }

  /** Ends TypeScript 7's process and the converter's thread, to free their memory; the next request starts them again. */
  async release(): Promise<boolean> {
    if (this.closed || !this.projectLoaded || !this.compilerLoaded) return false; // still loading: later
    this.projectLoaded.suspend();
    const compiler = this.compilerLoaded;
    this.compiler = undefined;
    this.compilerLoaded = undefined;
    await compiler.close();
    return true;
  }

  /** Later cells see the names of the cell checked last (it has run, or its declarations are kept). */
  keep(): void {
    if (this.projectLoaded?.hasPending) this.projectLoaded.keep(); // a body run many times (%timeit) keeps once
  }

  /** The notebook's namespace was reset: TypeScript 7 forgets every cell too. */
  reset(): void {
    this.projectLoaded?.reset();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.projectLoaded?.close();
    await this.compilerLoaded?.close();
  }
}
