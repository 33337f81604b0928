/**
 * Cells type-checked by TypeScript 7 (cell-project.ts, a native process) and compiled
 * without TypeScript on the kernel's main thread (light-compiler.ts): the default path
 * (unless SEQLAB_TYPESCRIPT=5, see typescript-choice.ts) that the engine takes instead of its two
 * TypeScript 5 checkers (checkers.ts). Both start with the kernel. Type errors, completion
 * and inspection come from TypeScript 7. After a long idle TypeScript 7's process ends, and
 * starts again on the next request, with every cell kept.
 */
import type { CellCompiler } from "./checker-client";
import { CellProject } from "./cell-project";
import { PRELUDE } from "./globals";
import type { LightCompiler } from "./light-compiler";

/** Both halves started ahead of the engine (see startTypeScript7). */
let early: { rootDir: string; checking: NativeChecking } | undefined;

/** Starts both halves first thing, while the kernel loads its modules and binds its sockets. */
export function startTypeScript7(rootDir: string): void {
  early ??= { rootDir, checking: new NativeChecking(rootDir) };
}

export class NativeChecking {
  private project?: Promise<CellProject>;
  private projectLoaded?: CellProject;
  private light?: LightCompiler;
  private closed = false;

  /** The halves started for `rootDir` ahead of the engine, else new ones. */
  static forRoot(rootDir: string): NativeChecking {
    const started = early?.rootDir === rootDir ? early.checking : undefined;
    early = undefined;
    return started ?? new NativeChecking(rootDir);
  }

  /** Settles once TypeScript 7 has loaded (or failed to), whenever something started it. */
  readonly started: Promise<void>;
  private opened!: () => void;

  /**
   * Loads the compiler once this thread is free: the first cells need it alone (they run
   * before TypeScript 7 has loaded, see unchecked-cells.ts). TypeScript 7 starts when
   * something needs it (checker()): opening its project blocks this thread for some 0.1 s,
   * which the kernel's first replies should not wait for (the engine opens it once the kernel
   * is idle, or after the first cell).
   */
  constructor(private readonly rootDir: string) {
    this.started = new Promise((resolve) => (this.opened = resolve));
    setImmediate(() => void this.compiler().catch(() => undefined)); // the cell that needs it reports a failure
  }

  /** TypeScript 7's project of the notebook's cells, loaded. */
  checker(): Promise<CellProject> {
    if (!this.project) {
      const project = CellProject.open(this.rootDir, { prelude: PRELUDE }).then((loaded) => {
        if (this.closed) void loaded.close();
        else this.projectLoaded = loaded;
        return loaded;
      });
      project.then(this.opened, () => {
        this.opened();
        if (this.project === project) this.project = undefined; // the next cell tries again
      });
      this.project = project;
    }
    return this.project;
  }

  /** The compiler of the cells TypeScript 7 accepted (and of those that run before it has loaded). */
  async compiler(): Promise<CellCompiler> {
    return this.liveCompiler;
  }

  /** TypeScript 7's project, once loaded (also while suspended: it starts again on use). */
  get liveChecker(): CellProject | undefined {
    return this.projectLoaded;
  }

  /** The compiler, loaded on first use (its modules take some 50 ms). */
  get liveCompiler(): CellCompiler {
    if (!this.light) {
      const { LightCompiler } = require("./light-compiler") as typeof import("./light-compiler");
      this.light = new LightCompiler();
    }
    return this.light;
  }

  /** Ends TypeScript 7's process, to free its memory; the next request starts it again. */
  async release(): Promise<boolean> {
    if (this.closed || !this.projectLoaded) return false; // still loading: later
    this.projectLoaded.suspend();
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
    await this.projectLoaded?.close();
  }
}
