/**
 * Balancers with injected randomness: distributions, the two-choices rule, and consistent
 * hashing's stability under membership change.
 */
import { describe, expect, it } from 'vitest';
import { consistentHash, leastPending, roundRobin, weightedRandom, type BalancerCandidate } from '../../runtime/client/balancer.js';

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
