/**
 * Balancers with injected randomness: distributions, the two-choices rule, consistent hashing's
 * stability under membership change, and how each follows weights lowered by slow start.
 */
import { describe, expect, it } from 'vitest';
import { consistentHash, leastPending, roundRobin, weightedRandom, type Balancer, type BalancerCandidate } from '../../runtime/client/balancer.js';
import { SlowStart } from '../../runtime/client/slow-start.js';

/** A deterministic random source (a 32-bit LCG). */
function lcg(seed = 1): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const candidates = (n: number, weight = (_: number) => 1, pending = (_: number) => 0): BalancerCandidate[] =>
  Array.from({ length: n }, (_, i) => ({ key: `10.0.0.${i + 1}:9090`, weight: weight(i), pending: pending(i) }));

function shares(picks: readonly BalancerCandidate[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of picks) counts.set(p.key, (counts.get(p.key) ?? 0) + 1);
  return new Map([...counts].map(([k, v]) => [k, v / picks.length]));
}

describe('roundRobin', () => {
  it('takes each instance in turn', () => {
    const all = candidates(3);
    const b = roundRobin();
    expect(Array.from({ length: 7 }, () => b.pick(all, {}).key)).toEqual([0, 1, 2, 0, 1, 2, 0].map((i) => all[i]!.key));
  });

  it('with different weights interleaves in proportion (smooth weighted round robin)', () => {
    const all = candidates(3, (i) => (i === 0 ? 5 : 1));
    const b = roundRobin();
    const names = new Map(all.map((c, i) => [c.key, 'abc'[i]!]));
    expect(Array.from({ length: 14 }, () => names.get(b.pick(all, {}).key)).join('')).toBe('aabacaaaabacaa');
  });

  it('forgets instances that left and goes back to plain turns when the weights are equal again', () => {
    const b = roundRobin();
    const all = candidates(4, (i) => i + 1);
    for (let k = 0; k < 50; k++) b.pick(all, {});
    const rest = candidates(2, (i) => (i === 0 ? 3 : 1));
    const counts = new Map<string, number>();
    for (let k = 0; k < 400; k++) {
      const key = b.pick(rest, {}).key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // Stale scores of the instances that left skew at most the first rounds.
    expect(counts.get(rest[0]!.key)! / 400).toBeCloseTo(0.75, 1);
    const equal = candidates(2);
    const turns = Array.from({ length: 4 }, () => b.pick(equal, {}).key);
    expect(turns[0]).not.toBe(turns[1]);
    expect(turns.slice(2)).toEqual(turns.slice(0, 2));
  });
});

describe('weightedRandom', () => {
  it('spreads calls in proportion to the weights', () => {
    const all = candidates(3, (i) => i + 1);
    const b = weightedRandom(lcg(7));
    const s = shares(Array.from({ length: 60_000 }, () => b.pick(all, {})));
    all.forEach((c, i) => expect(s.get(c.key)!).toBeCloseTo((i + 1) / 6, 1));
  });
});

describe('leastPending (two choices)', () => {
  it('of the two sampled instances, takes the one with fewer calls in flight', () => {
    const all = candidates(3, () => 1, (i) => (i === 1 ? 0 : 10));
    const b = leastPending(lcg(3));
    const s = shares(Array.from({ length: 30_000 }, () => b.pick(all, {})));
    // The idle instance wins whenever it is one of the two sampled: 2 pairs out of 3.
    expect(s.get(all[1]!.key)!).toBeCloseTo(2 / 3, 1);
  });

  it('never takes the busiest instance when there are more than two', () => {
    const all = candidates(4, () => 1, (i) => i);
    const b = leastPending(lcg(11));
    for (let k = 0; k < 5000; k++) expect(b.pick(all, {}).pending).toBeLessThan(3);
  });

  it('samples two distinct instances', () => {
    // With random() always 0 the two samples would collide without the skip; the second is 1.
    const all = candidates(2, () => 1, (i) => (i === 0 ? 5 : 1));
    expect(leastPending(() => 0).pick(all, {}).key).toBe(all[1]!.key);
  });
});

describe('consistentHash', () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
  const route = (n: number, extra: BalancerCandidate[] = []) => {
    const b = consistentHash();
    const all = [...candidates(n), ...extra];
    return new Map(keys.map((k) => [k, b.pick(all, { routingKey: k }).key]));
  };

  it('sends a key to the same instance every time, spread evenly', () => {
    const b = consistentHash();
    const all = candidates(5);
    expect(b.pick(all, { routingKey: 'user-42' }).key).toBe(b.pick(all, { routingKey: 'user-42' }).key);
    const counts = new Map<string, number>();
    for (const owner of route(5).values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    for (const count of counts.values()) expect(count / keys.length).toBeGreaterThan(0.12);
    for (const count of counts.values()) expect(count / keys.length).toBeLessThan(0.28);
  });

  it('moves about 1/N of the keys, all to the new instance, when one joins', () => {
    const before = route(5);
    const joined: BalancerCandidate = { key: '10.0.0.99:9090', weight: 1, pending: 0 };
    const after = route(5, [joined]);
    const moved = keys.filter((k) => before.get(k) !== after.get(k));
    expect(moved.length / keys.length).toBeGreaterThan(0.1);
    expect(moved.length / keys.length).toBeLessThan(0.25);
    for (const k of moved) expect(after.get(k)).toBe(joined.key);
  });

  it('moves only the keys of an instance that leaves', () => {
    const before = route(6);
    const after = route(5);
    for (const k of keys) if (before.get(k) !== '10.0.0.6:9090') expect(after.get(k)).toBe(before.get(k));
  });

  it('without a routing key falls back to another balancer', () => {
    const all = candidates(2, () => 1, (i) => (i === 0 ? 9 : 0));
    expect(consistentHash({ fallback: leastPending(lcg(5)) }).pick(all, {}).key).toBe(all[1]!.key);
  });
});

describe('slow start with each balancer', () => {
  /** Three instances, the third warming up with `factor` of its weight (configured weight 1). */
  const warming = (factor: number): BalancerCandidate[] => [
    ...candidates(2),
    { key: '10.0.0.3:9090', weight: factor, configuredWeight: 1, pending: 0 },
  ];
  const shareOfWarming = (b: Balancer, factor: number, picks = 21_000) => {
    const all = warming(factor);
    let n = 0;
    for (let k = 0; k < picks; k++) if (b.pick(all, {}) === all[2]) n++;
    return n / picks;
  };

  it('weightedRandom gives a warming instance its ramped share', () => {
    expect(shareOfWarming(weightedRandom(lcg(1)), 0.1)).toBeCloseTo(0.1 / 2.1, 2);
    expect(shareOfWarming(weightedRandom(lcg(2)), 0.5)).toBeCloseTo(0.5 / 2.5, 2);
  });

  it('roundRobin gives it exactly its share, spread out', () => {
    expect(shareOfWarming(roundRobin(), 0.1)).toBeCloseTo(0.1 / 2.1, 3);
    expect(shareOfWarming(roundRobin(), 0.5)).toBeCloseTo(0.5 / 2.5, 3);
    // Never two in a row for a 10% instance.
    const b = roundRobin();
    const all = warming(0.1);
    const picks = Array.from({ length: 210 }, () => b.pick(all, {}));
    for (let k = 1; k < picks.length; k++) expect(picks[k] === all[2] && picks[k - 1] === all[2]).toBe(false);
  });

  it('leastPending: with nothing in flight the share follows the weights; under equal load the warming one is drawn less and judged busier', () => {
    expect(shareOfWarming(leastPending(lcg(3)), 0.1)).toBeCloseTo(0.1 / 2.1, 2);
    expect(shareOfWarming(leastPending(lcg(4)), 0.5)).toBeCloseTo(0.5 / 2.5, 2);
    const loaded = warming(0.5).map((c) => ({ ...c, pending: 4 }));
    const b = leastPending(lcg(5));
    let n = 0;
    for (let k = 0; k < 10_000; k++) if (b.pick(loaded, {}).key === '10.0.0.3:9090') n++;
    // Drawn in 1 - P(both draws are the others) = 1 - (1/2.5)(1/1.5) = 73% of pairs, and then it loses (4/0.5 > 4/1).
    expect(n).toBe(0);
  });

  it('consistentHash ignores the ramp: keyed calls route as with full weights', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const full = consistentHash();
    const ramping = consistentHash();
    const allFull = warming(1);
    for (const factor of [0.1, 0.5, 0.9]) {
      const all = warming(factor);
      for (const k of keys) expect(ramping.pick(all, { routingKey: k }).key).toBe(full.pick(allFull, { routingKey: k }).key);
    }
  });

  it('a ramp over the window, step by step: the warming share rises monotonically to an equal share', () => {
    const slowStart = new SlowStart({ windowMs: 10_000, minWeightPercent: 10 });
    const shares = [0, 2500, 5000, 7500, 10_000].map((t) => shareOfWarming(weightedRandom(lcg(t + 1)), slowStart.factor(t), 30_000));
    for (let k = 1; k < shares.length; k++) expect(shares[k]!).toBeGreaterThan(shares[k - 1]!);
    expect(shares[0]!).toBeCloseTo(0.1 / 2.1, 2);
    expect(shares[4]!).toBeCloseTo(1 / 3, 2);
  });
});
