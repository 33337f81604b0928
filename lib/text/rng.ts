/**
 * A small seedable random source. Batches and generated data sets take one so that a seed
 * reproduces them exactly; seedrandom's Alea generator is fast and well tested.
 */
import seedrandom from "seedrandom";

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A standard normal sample (Box-Muller). */
  normal(): number;
  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

/**
 * Anything that can stand for a random source: a seed, a function returning [0,1), an Rng,
 * or any object with a next() returning [0,1) (the missing methods are derived from it).
 */
export type RngLike = number | string | (() => number) | Rng | { next(): number };

class FunctionRng implements Rng {
  constructor(private readonly source: () => number) {}

  next(): number {
    return this.source();
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`rng.int(n) needs a positive integer n, got ${n}`);
    }
    return Math.min(n - 1, Math.floor(this.source() * n));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("rng.pick() needs a non-empty array");
    return items[this.int(items.length)];
  }

  normal(): number {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const u = 1 - this.source();
    const v = this.source();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** A seeded generator: the same seed gives the same stream on every platform. */
export function makeRng(seed: number | string = 0): Rng {
  return new FunctionRng(seedrandom.alea(String(seed)));
}

/** Turn a seed, a plain function or an Rng into an Rng. */
export function toRng(rng: RngLike | undefined, fallbackSeed: number | string = 0): Rng {
  if (rng === undefined) return makeRng(fallbackSeed);
  if (typeof rng === "number" || typeof rng === "string") return makeRng(rng);
  if (typeof rng === "function") return new FunctionRng(rng);
  if (rng !== null && typeof rng === "object" && typeof rng.next === "function") {
    const full = rng as Partial<Rng>;
    if (["int", "pick", "normal", "shuffle"].every((m) => typeof full[m as keyof Rng] === "function")) return rng as Rng;
    const source = rng as { next(): number };
    const derived = new FunctionRng(() => source.next());
    // Keep the source's own integer draw when it has one, so its stream is used as designed.
    if (typeof full.int === "function") derived.int = full.int.bind(rng);
    return derived;
  }
  throw new TypeError(`Expected a seed, a () => number function or an object with next(), got ${rng === null ? "null" : typeof rng}`);
}
