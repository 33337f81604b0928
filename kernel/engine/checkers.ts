/**
 * The two type checkers behind the cells, each in a thread of its own (checker-thread.ts).
 * Parsing the @types packages (@types/node alone is 2 MB of declarations) is most of a
 * checker's loading, so cells first meet a checker that knows the standard library only: it
 * loads in about a third of the time, starting with the kernel, and a cell it accepts runs
 * at once. A cell it rejects waits for the full checker (every @types package, as always),
 * whose verdict and messages are the ones reported, so type errors read as before;
 * completion and inspection use the full checker too. Global declarations only add names
 * and members, so a cell typed without them types the same with them. The full checker
 * loads on first need or once the kernel has been idle a while; the quick one then ends.
 */
import { CellChecker } from "./checker-client";

/** A quick checker started before the engine exists (see startQuickChecker). */
let early: { rootDir: string; checker: Promise<CellChecker> } | undefined;

/**
 * Starts the quick checker's thread ahead of everything else: the kernel calls this first
 * thing, so that it loads while the kernel loads its own modules and binds its sockets. The
 * engine's first checker for the same folder is this one.
 */
export function startQuickChecker(rootDir: string): void {
  early ??= { rootDir, checker: CellChecker.start(rootDir, "standard-library") };
  early.checker.catch(() => undefined); // the engine that takes it reports a failure
}

function takeEarlyChecker(rootDir: string): Promise<CellChecker> | undefined {
  if (early?.rootDir !== rootDir) return undefined;
  const { checker } = early;
  early = undefined;
  return checker;
}

export class TypeCheckers {
  private quick?: Promise<CellChecker>;
  private full?: Promise<CellChecker>;
  private fullLoaded?: CellChecker;
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  /**
   * `onFull` runs once the full checker has loaded (before anyone awaiting it resumes).
   * `fullWarmUp`: a cell the full checker converts once loaded while the kernel is idle, in
   * its thread (the engine gives one importing seqlab and TensorFlow.js, whose declarations
   * are most of what a notebook's first import cell waits for).
   */
  constructor(
    private readonly rootDir: string,
    private readonly onFull: (full: CellChecker) => void,
    private readonly fullWarmUp?: { prevDecl: string; source: string },
  ) {}

  /**
   * The checker for a new cell: the full one once loaded, else the quick one (which keeps
   * serving while the full one loads in its thread).
   */
  first(): Promise<CellChecker> {
    if (this.fullLoaded) return Promise.resolve(this.fullLoaded);
    if (this.full && !this.quick) return this.full;
    this.quick ??= takeEarlyChecker(this.rootDir) ?? CellChecker.start(this.rootDir, "standard-library");
    return this.quick;
  }

  /**
   * The checker with every @types package (loading it if needed). Loaded for a request, it
   * skips the warm-up cell: the request is served first.
   */
  complete(loadingWhenIdle = false): Promise<CellChecker> {
    if (!this.full) {
      this.cancelIdleLoad();
      this.full = CellChecker.start(this.rootDir, "all", loadingWhenIdle ? this.fullWarmUp : undefined).then((full) => {
        this.fullLoaded = full;
        if (this.closed) {
          void full.close();
        } else {
          this.onFull(full);
          void this.closeQuick();
        }
        return full;
      });
      this.full.catch(() => {
        this.full = undefined; // the request that needed it reports the failure; the next tries again
      });
    }
    return this.full;
  }

  get hasFull(): boolean {
    return this.fullLoaded !== undefined;
  }

  /** Loads the full checker after `ms` without a new request (restarted by each call). */
  loadWhenIdle(ms: number): void {
    if (this.full || this.closed) return;
    this.cancelIdleLoad();
    this.idleTimer = setTimeout(() => void this.complete(true).catch(() => undefined), ms);
    this.idleTimer.unref();
  }

  cancelIdleLoad(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private async closeQuick(): Promise<void> {
    const quick = this.quick;
    this.quick = undefined;
    try {
      await (await quick)?.close();
    } catch {
      // it failed to load; nothing to close
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelIdleLoad();
    await this.closeQuick();
    await this.fullLoaded?.close();
  }
}
