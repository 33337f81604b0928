/**
 * Seeded random numbers for the whole library: batches, generated data sets, weight
 * initialisation, sampling and training. One generator, seedrandom's Alea (fast, well tested,
 * the same stream on every platform), whose state is four numbers that a checkpoint can store
 * so a resumed run draws exactly the same numbers.
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

/** The Alea generator's whole state (seedrandom's `State.Alea`); plain JSON, so checkpoints keep it. */
export interface RngState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

/** Every draw derived from one uniform source `next()`. */
abstract class DerivedRng implements Rng {
  abstract next(): number;

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`rng.int(n) needs a positive integer n, got ${n}`);
    }
    // min() guards a source that returns exactly 1 by rounding.
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("rng.pick() needs a non-empty array");
    return items[this.int(items.length)];
  }

  normal(): number {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const u = 1 - this.next();
    const v = this.next();
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

  /** Index drawn with probability proportional to weights[i] (weights ≥ 0, not all 0). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    if (!(total > 0) || !Number.isFinite(total)) {
      throw new Error("rng.categorical needs non-negative finite weights with a positive sum");
    }
    let u = this.next() * total;
    let last = -1;
    for (let i = 0; i < weights.length; i++) {
      if (weights[i] <= 0) continue;
      last = i;
      u -= weights[i];
      if (u < 0) return i;
    }
    return last; // rounding left u at ~0: take the last index with weight
  }
}

class FunctionRng extends DerivedRng {
  constructor(private readonly source: () => number) {
    super();
  }

  next(): number {
    return this.source();
  }
}

function checkState(state: unknown): RngState {
  if (Array.isArray(state)) {
    throw new Error(
      "Rng state is an array of four words, the format of seqlab's earlier generator; this version stores " +
        "seedrandom Alea's { c, s0, s1, s2 }. Start the run again from its seed (or a new checkpoint).",
    );
  }
  const s = state as Partial<RngState> | null;
  const ok =
    s !== null &&
    typeof s === "object" &&
    Number.isInteger(s.c) &&
    [s.s0, s.s1, s.s2].every((w) => typeof w === "number" && w >= 0 && w < 1);
  if (!ok) throw new Error("Rng state must be { c, s0, s1, s2 } with c an integer and s0..s2 in [0, 1) (as returned by rng.state)");
  const { c, s0, s1, s2 } = s as RngState;
  // All zeros is Alea's fixed point: it would return 0 forever.
  if (c === 0 && s0 === 0 && s1 === 0 && s2 === 0) throw new Error("Rng state must not be all zeros");
  return { c, s0, s1, s2 };
}

/**
 * A seeded generator whose state can be read and restored (checkpoints, continuing a sample).
 * `new StatefulRng(seed)` draws the same stream as `makeRng(seed)`.
 */
export class StatefulRng extends DerivedRng {
  private prng: seedrandom.StatefulPRNG<RngState>;

  constructor(seed: number | string | RngState = 0) {
    super();
    if (typeof seed === "object") {
      this.prng = seedrandom.alea("", { state: checkState(seed) });
    } else {
      if (typeof seed === "number" && !Number.isFinite(seed)) throw new Error(`Rng seed must be a finite number, got ${seed}`);
      this.prng = seedrandom.alea(String(seed), { state: true });
    }
  }

  /** A copy of the state; pass it to `new StatefulRng(state)` or `setState` to continue the stream. */
  get state(): RngState {
    return this.prng.state();
  }

  setState(state: RngState): void {
    this.prng = seedrandom.alea("", { state: checkState(state) });
  }

  /** The next raw 32-bit word. */
  nextUint32(): number {
    return this.prng.int32() >>> 0;
  }

  /** Uniform in [0, 1) (32 random bits). */
  next(): number {
    return this.prng();
  }
}

/** A seeded generator: the same seed gives the same stream on every platform. */
export function makeRng(seed: number | string = 0): StatefulRng {
  return new StatefulRng(seed);
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
