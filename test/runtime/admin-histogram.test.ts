/**
 * The admin endpoint's latency histogram (runtime/admin/latency-histogram.ts): bucket bounds,
 * bucket lookup against a linear scan, and percentile estimates against exact percentiles.
 */
import { describe, expect, it } from 'vitest';
import { bucketIndex, LATENCY_BUCKET_BOUNDS_MS, LatencyHistogram } from '../../runtime/admin/latency-histogram.js';
import { DURATION_BUCKETS_SECONDS } from '../../runtime/admin/metrics-exposition.js';
import { seededRandom } from '../rpc/fixtures/harness.js';

const BOUNDS = LATENCY_BUCKET_BOUNDS_MS;

/** The bucket of `v` by definition: the first bound >= v, or the overflow bucket. */
function linearIndex(v: number): number {
  const i = BOUNDS.findIndex((bound) => v <= bound);
  return i === -1 ? BOUNDS.length : i;
}

/** The exact `q` quantile of sorted values (nearest rank). */
function exact(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Largest ratio between neighbouring bounds: the worst relative error of an estimate. */
const WIDEST = Math.max(...BOUNDS.slice(1).map((b, i) => b / BOUNDS[i]!));

describe('bucket bounds', () => {
  it('ten per decade from 10 µs to 100 s, ascending, printed as their decimal values', () => {
    expect(BOUNDS).toHaveLength(71);
    expect(BOUNDS[0]).toBe(0.01);
    expect(BOUNDS.at(-1)).toBe(100_000);
    for (let i = 1; i < BOUNDS.length; i++) expect(BOUNDS[i]).toBeGreaterThan(BOUNDS[i - 1]!);
    expect(BOUNDS.slice(20, 30).map(String)).toEqual(['1', '1.25', '1.6', '2', '2.5', '3.2', '4', '5', '6.3', '8']);
    expect(WIDEST).toBeLessThan(1.3);
  });

  it('contains every Prometheus bucket bound, so exported counts are exact', () => {
    for (const seconds of DURATION_BUCKETS_SECONDS) expect(BOUNDS).toContain(Number(`${seconds}e3`));
  });
});

describe('bucketIndex', () => {
  it('puts each bound in its own bucket and anything just above it in the next', () => {
    BOUNDS.forEach((bound, i) => {
      expect(bucketIndex(bound)).toBe(i);
      expect(bucketIndex(bound * (1 + 1e-9))).toBe(i + 1);
      expect(bucketIndex(bound * (1 - 1e-9))).toBe(i === 0 ? 0 : i);
    });
  });

  it('sends zero, negative and NaN values to the first bucket and huge ones to the overflow', () => {
    expect([0, -5, Number.NaN, 1e-9].map(bucketIndex)).toEqual([0, 0, 0, 0]);
    expect([100_000.001, 1e12, Infinity].map(bucketIndex)).toEqual([71, 71, 71]);
  });

  it('agrees with a linear scan on 20,000 values spread over every decade', () => {
    const random = seededRandom(7);
    const wrong: number[] = [];
    for (let n = 0; n < 20_000; n++) {
      const v = 10 ** (random() * 9 - 3); // 1 µs .. 1,000 s
      if (bucketIndex(v) !== linearIndex(v)) wrong.push(v);
    }
    expect(wrong).toEqual([]);
  });
});

describe('percentiles', () => {
  it('is undefined when empty, and exact for identical values and for one value', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(0.5)).toBeUndefined();
    expect(h.meanMs).toBeUndefined();
    for (let i = 0; i < 100; i++) h.record(7);
    expect([h.percentile(0.5), h.percentile(0.9), h.percentile(0.99)]).toEqual([7, 7, 7]);
    const one = new LatencyHistogram();
    one.record(123.4);
    expect(one.percentile(0.99)).toBe(123.4);
  });

  it('returns the minimum for q = 0 and the maximum for q = 1, and never exceeds the maximum', () => {
    const h = new LatencyHistogram();
    for (const v of [0.3, 2, 2.2, 41, 950]) h.record(v);
    expect(h.percentile(0)).toBe(0.3);
    expect(h.percentile(1)).toBe(950);
    expect(h.percentile(0.999)).toBeLessThanOrEqual(950);
    expect(h.count).toBe(5);
    expect(h.sumMs).toBeCloseTo(995.5, 9);
  });

  it('is exact at bucket bounds for a uniform spread (1..1000 ms)', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    expect(h.percentile(0.5)).toBe(500);
    expect(h.percentile(0.8)).toBe(800);
  });

  it.each([
    ['log-normal around 5 ms', (r: () => number) => 5 * Math.exp(gaussian(r) * 0.8)],
    ['bimodal: 0.2 ms and 40 ms', (r: () => number) => (r() < 0.9 ? 0.2 + r() * 0.05 : 40 + r() * 10)],
    ['long tail (Pareto)', (r: () => number) => 1 / Math.pow(1 - r(), 1 / 1.5)],
  ])('estimates p50, p90 and p99 within one bucket width: %s', (_name, draw) => {
    const random = seededRandom(42);
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let n = 0; n < 50_000; n++) {
      const v = draw(random);
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const ratio = h.percentile(q)! / exact(values, q);
      expect(ratio, `q=${q}`).toBeGreaterThan(1 / WIDEST);
      expect(ratio, `q=${q}`).toBeLessThan(WIDEST);
    }
  });
});

describe('merging and counting', () => {
  it('adding two histograms equals recording everything into one', () => {
    const random = seededRandom(3);
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const both = new LatencyHistogram();
    for (let n = 0; n < 1000; n++) {
      const v = random() * 200;
      (n % 2 === 0 ? a : b).record(v);
      both.record(v);
    }
    a.add(b);
    expect([a.count, a.minMs, a.maxMs, a.percentile(0.9)]).toEqual([both.count, both.minMs, both.maxMs, both.percentile(0.9)]);
    expect(a.sumMs).toBeCloseTo(both.sumMs, 6);
    a.clear();
    expect([a.count, a.sumMs, a.percentile(0.5)]).toEqual([0, 0, undefined]);
  });

  it('counts values at or below each Prometheus bound exactly', () => {
    const random = seededRandom(11);
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let n = 0; n < 5000; n++) {
      const v = 10 ** (random() * 6 - 2);
      values.push(v);
      h.record(v);
    }
    for (const seconds of DURATION_BUCKETS_SECONDS) {
      const ms = Number(`${seconds}e3`);
      expect(h.countAtOrBelow(ms), `le=${seconds}`).toBe(values.filter((v) => v <= ms).length);
    }
  });
});

/** A standard normal draw (Box-Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
