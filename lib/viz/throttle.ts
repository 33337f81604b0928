/** Decides when a live view may redraw: at most once per interval, plus a final redraw. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export class Throttle {
  private last = -Infinity;

  constructor(
    readonly intervalMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(intervalMs >= 0)) throw new RangeError(`intervalMs must be >= 0, got ${intervalMs}`);
  }

  /** True (and the interval restarts) when at least intervalMs passed since the last yes. */
  ready(): boolean {
    const now = this.clock();
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }

  /** Milliseconds until ready() would say yes (0 when it would now). */
  remaining(): number {
    return Math.max(0, this.intervalMs - (this.clock() - this.last));
  }

  /** Count a redraw made outside ready() (a forced or trailing one) as the last. */
  mark(): void {
    this.last = this.clock();
  }

  now(): number {
    return this.clock();
  }
}
