/**
 * The two type checkers behind the cells, each in a thread of its own (checker-thread.ts).
 * Parsing the @types packages (@types/node alone is 2 MB of declarations) is most of a
 * checker's loading, so cells first meet a checker that knows the standard library only: it
 * loads in about a third of the time, right after the converter of the first cells
 * (unchecked-cells.ts), and a cell it accepts runs
 * at once. A cell it rejects waits for the full checker (every @types package, as always),
 * whose verdict and messages are the ones reported, so type errors read as before;
 * completion and inspection use the full checker too. Global declarations only add names
 * and members, so a cell typed without them types the same with them. The full checker
 * loads on first need or once the kernel has been idle a while; the quick one then ends.
 * Checkers nobody has used for long are released (their threads end, see release) and a
 * thread that ends on its own is let go the same way: the next request loads the full one.
 */
import { CellChecker } from "./checker-client";

export class TypeCheckers {
  private quick?: Promise<CellChecker>;
  private quickLoaded?: CellChecker;
  private full?: Promise<CellChecker>;
  private fullLoaded?: CellChecker;
  private idleTimer?: NodeJS.Timeout;
  /** Both checkers were ended to free their memory; the next request loads the full one. */
  private released = false;
  private closed = false;

  /**
   * `fullWarmUp`: a cell the full checker converts once loaded while the kernel is idle, in
   * its thread (the engine gives one importing seqlab and TensorFlow.js, whose declarations
   * are most of what a notebook's first import cell waits for).
   */
  constructor(
    private readonly rootDir: string,
    private readonly fullWarmUp?: { prevDecl: string; source: string },
  ) {}

  /**
   * The checker for a new cell: the full one once loaded, else the quick one (which keeps
   * serving while the full one loads in its thread). After a release, the full one.
   */
  first(): Promise<CellChecker> {
    this.forgetEnded();
    if (this.fullLoaded) return Promise.resolve(this.fullLoaded);
    if (this.released || (this.full && !this.quick)) return this.complete();
    if (!this.quick) {
      const quick = CellChecker.start(this.rootDir, "standard-library");
      this.quick = quick.then((checker) => {
        // Loaded after the full one, or after closing: not needed.
        if (this.closed || this.fullLoaded) void checker.close();
        else this.quickLoaded = checker;
        return checker;
      });
      const pending = this.quick;
      pending.catch(() => {
        if (this.quick === pending) this.quick = undefined; // the cell that needed it reports why; the next tries again
      });
    }
    return this.quick;
  }

  /** The loaded checker cells use now: the full one once loaded, else the quick one. */
  get live(): CellChecker | undefined {
    return this.fullLoaded ?? this.quickLoaded;
  }

  /** A checker whose thread ended on its own is let go as if released: the next request loads the full one. */
  private forgetEnded(): void {
    if (this.fullLoaded?.ended) {
      this.fullLoaded = undefined;
      this.full = undefined;
      this.released = true;
    }
    if (this.quickLoaded?.ended) {
      this.quickLoaded = undefined;
      this.quick = undefined;
      this.released = true;
    }
  }

  /**
   * The checker with every @types package (loading it if needed). Loaded for a request, it
   * skips the warm-up cell: the request is served first.
   */
  complete(loadingWhenIdle = false): Promise<CellChecker> {
    this.forgetEnded();
    if (!this.full) {
      this.cancelIdleLoad();
      const warmUp = loadingWhenIdle && !this.released ? this.fullWarmUp : undefined;
      const full = CellChecker.start(this.rootDir, "all", warmUp).then((checker) => {
        if (this.closed || this.full !== full) {
          void checker.close();
        } else {
          this.fullLoaded = checker;
          this.released = false;
          void this.closeQuick();
        }
        return checker;
      });
      this.full = full;
      full.catch(() => {
        if (this.full === full) this.full = undefined; // the request that needed it reports the failure; the next tries again
      });
    }
    return this.full;
  }

  get hasFull(): boolean {
    return this.fullLoaded !== undefined;
  }

  /** Loads the full checker after `ms` without a new request (restarted by each call). */
  loadWhenIdle(ms: number): void {
    if (this.full || this.closed || this.released) return;
    this.cancelIdleLoad();
    this.idleTimer = setTimeout(() => void this.complete(true).catch(() => undefined), ms);
    this.idleTimer.unref();
  }

  cancelIdleLoad(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /**
   * Ends the loaded checkers, whose threads hold most of an idle kernel's memory (the
   * declarations they parsed); the next request loads the full checker again. Declarations
   * of earlier cells live with the cells, not in a checker, so nothing is lost. A checker
   * still loading is left alone (returns false).
   */
  async release(): Promise<boolean> {
    if (this.closed || (this.full && !this.fullLoaded) || (this.quick && !this.quickLoaded)) return false;
    if (!this.fullLoaded && !this.quickLoaded) return false;
    const full = this.fullLoaded;
    this.full = undefined;
    this.fullLoaded = undefined;
    this.released = true;
    this.cancelIdleLoad();
    await Promise.all([this.closeQuick(), full?.close()]);
    return true;
  }

  private async closeQuick(): Promise<void> {
    const quick = this.quick;
    this.quick = undefined;
    this.quickLoaded = undefined;
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
