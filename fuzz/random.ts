/**
 * Seeded randomness for the fuzzer: the same seed generates the same inputs, so a finding can
 * be reproduced from the seed the run printed.
 */

/** A source of uniform numbers in [0, 1). */
export type RandomSource = () => number;

/** mulberry32: small, fast and good enough to pick mutations. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Convenience draws over a {@link RandomSource}. */
export class Dice {
  constructor(readonly random: RandomSource) {}

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.random() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /**
   * One of `choices`, each drawn with probability proportional to its weight.
   */
  weighted<T>(choices: ReadonlyArray<readonly [weight: number, value: T]>): T {
    let total = 0;
    for (const [weight] of choices) total += weight;
    let roll = this.random() * total;
    for (const [weight, value] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[choices.length - 1]![1];
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** A length that is usually small and now and then large: `max` bounds it. */
  length(max: number): number {
    const roll = this.random();
    if (roll < 0.6) return this.int(Math.min(8, max + 1));
    if (roll < 0.9) return this.int(Math.min(64, max + 1));
    return this.int(max + 1);
  }
}
