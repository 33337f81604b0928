/**
 * The two type checkers behind the cells. Parsing the @types packages (@types/node alone is
 * 2 MB of declarations) is most of a kernel's start-up, so cells first meet a checker that
 * knows the standard library only: it loads in about a third of the time, and a cell it
 * accepts runs at once. A cell it rejects waits for the full checker (every @types package,
 * as always), whose verdict and messages are the ones reported, so type errors read as
 * before; completion and inspection use the full checker too. Global declarations only add
 * names and members, so a cell typed without them types the same with them. The full checker
 * loads on first need or once the kernel has been idle a while; the quick one is then closed.
 */
import { loadToolchain, type GlobalTypes, type Toolchain } from "./toolchain";

/** Loads a toolchain after the current turn of the event loop (it blocks while loading). */
function loadSoon(rootDir: string, globalTypes: GlobalTypes): Promise<Toolchain> {
  return new Promise<Toolchain>((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(loadToolchain(rootDir, globalTypes));
      } catch (err) {
        reject(err);
      }
    });
  });
}

export class TypeCheckers {
  private quick?: Promise<Toolchain>;
  private full?: Promise<Toolchain>;
  private fullLoaded?: Toolchain;
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  /** `onFull` runs once the full checker has loaded (before anyone awaiting it resumes). */
  constructor(
    private readonly rootDir: string,
    private readonly onFull: (full: Toolchain) => void,
  ) {}

  /** The checker for a new cell: the full one once loaded, else the quick one. */
  first(): Promise<Toolchain> {
    if (this.fullLoaded) return Promise.resolve(this.fullLoaded);
    if (this.full) return this.full;
    this.quick ??= loadSoon(this.rootDir, "standard-library");
    return this.quick;
  }

  /** The checker with every @types package (loading it if needed). */
  complete(): Promise<Toolchain> {
    if (!this.full) {
      this.cancelIdleLoad();
      this.full = loadSoon(this.rootDir, "all").then((full) => {
        this.fullLoaded = full;
        if (this.closed) {
          full.converter.close();
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
    this.idleTimer = setTimeout(() => void this.complete().catch(() => undefined), ms);
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
      (await quick)?.converter.close();
    } catch {
      // it failed to load; nothing to close
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelIdleLoad();
    await this.closeQuick();
    if (this.fullLoaded) this.fullLoaded.converter.close();
  }
}
