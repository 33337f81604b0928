/**
 * A small seedable random number generator whose whole state is four 32-bit words, so a
 * checkpoint can store it and a resumed run draws exactly the same numbers.
 * Algorithm: xoshiro128** (Blackman & Vigna), seeded through a splitmix32 expansion.
 */

export type RngState = [number, number, number, number];

/** Expands one 32-bit seed into a stream of well-mixed words (splitmix32 finaliser). */
function* splitmix32(seed: number): Generator<number> {
  let s = seed >>> 0;
  for (;;) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    yield (z ^ (z >>> 16)) >>> 0;
  }
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/**
 * Implements lib/text's Rng interface, so `ctx.rng` can be handed straight to getBatch.
 */
export class StatefulRng {
  private s: RngState;

  constructor(seed: number | RngState = 0) {
    if (Array.isArray(seed)) {
      this.s = StatefulRng.checkState(seed);
    } else {
      if (!Number.isFinite(seed)) throw new Error(`Rng seed must be a finite number, got ${seed}`);
      const words = splitmix32(Math.floor(seed));
      this.s = [words.next().value, words.next().value, words.next().value, words.next().value];
    }
  }

  private static checkState(state: readonly number[]): RngState {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new Error("Rng state must be four unsigned 32-bit integers (as returned by rng.state)");
    }
    if (state.every((w) => w === 0)) throw new Error("Rng state must not be all zeros");
    return [state[0], state[1], state[2], state[3]];
  }

  /** A copy of the state; pass it to `new StatefulRng(state)` or `setState` to continue the stream. */
  get state(): RngState {
    return [...this.s] as RngState;
  }

  setState(state: readonly number[]): void {
    this.s = StatefulRng.checkState(state);
  }

  /** The next raw 32-bit word. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    s[0] >>>= 0;
    s[1] >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`rng.int(n) needs a positive integer n, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** An element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("rng.pick() needs a non-empty array");
    return items[this.int(items.length)];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** Standard normal draw (Box-Muller). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
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
