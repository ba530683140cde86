/**
 * The adaptive limiter as pure logic, driven with a fake clock against a model server: `capacity`
 * calls run in parallel, each for `serviceMs`; beyond that calls queue, so latency grows with
 * concurrency (Little's law: latency = serviceMs * concurrency / capacity).
 */
import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter, type AdaptiveLimitOptions } from 'skiff/runtime';

interface Model {
  /** Latency of a call when `concurrency` calls run at once, at time `nowMs`. */
  latencyMs(concurrency: number, nowMs: number): number;
  /** How many calls the clients want running (Infinity: always more than the limit). */
  demand: number;
}

function queueing(capacity: number, serviceMs: number): (c: number) => number {
  return (c) => serviceMs * Math.max(1, c / capacity);
}

/**
 * Runs the model for `rounds` rounds: in each, min(limit, demand) calls run at once and all
 * complete after their latency. Returns the limit after every round.
 */
function drive(limiter: AdaptiveLimiter, clock: { now: number }, model: Model, rounds: number): number[] {
  const limits: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const concurrency = Math.min(limiter.limit, model.demand);
    const latency = model.latencyMs(concurrency, clock.now);
    clock.now += latency;
    for (let i = 0; i < concurrency; i++) limiter.onSample(latency, concurrency - i);
    limits.push(limiter.limit);
  }
  return limits;
}

function setup(options: AdaptiveLimitOptions = {}): { limiter: AdaptiveLimiter; clock: { now: number } } {
  const clock = { now: 1000 };
  const limiter = new AdaptiveLimiter({ minSamples: 10, windowMs: 100, now: () => clock.now, ...options });
  return { limiter, clock };
}

describe('AdaptiveLimiter', () => {
  it('probes up while latency stays flat and the load presses on the limit, up to maxLimit', () => {
    const { limiter, clock } = setup({ initialLimit: 16, maxLimit: 500 });
    const limits = drive(limiter, clock, { latencyMs: () => 10, demand: Infinity }, 400);
    expect(limits.some((l) => l > 100)).toBe(true);
    expect(Math.max(...limits)).toBe(500);
    expect(limits.at(-1)).toBeGreaterThanOrEqual(250); // 500, or halved while re-measuring
    expect(Math.min(...limits)).toBeGreaterThanOrEqual(4);
  });

  it('does not grow while the load stays below the limit', () => {
    const { limiter, clock } = setup({ initialLimit: 16 });
    const limits = drive(limiter, clock, { latencyMs: () => 10, demand: 5 }, 300);
    expect(limiter.windows).toBeGreaterThan(20);
    expect(Math.max(...limits)).toBe(16);
  });

  it('converges to about the concurrency where calls start to queue, keeping latency near its minimum', () => {
    const { limiter, clock } = setup({ initialLimit: 16 });
    const latency = queueing(50, 10);
    const limits = drive(limiter, clock, { latencyMs: latency, demand: Infinity }, 600);
    expect(limiter.noLoadLatencyMs).toBeCloseTo(10, 5);
    const settled = limits.slice(300);
    // The target latency is 10 ms * (1 + tolerance 0.1) + slack 1 ms = 12 ms, reached at 60
    // calls. Re-measurement halves the limit for two windows now and then; otherwise it stays
    // within one probe step (10%) above that point, so latency stays within ~1.35x its minimum.
    const normal = settled.filter((l) => l >= 40);
    expect(normal.length).toBeGreaterThan(settled.length * 0.8);
    for (const l of normal) {
      expect(l).toBeGreaterThanOrEqual(54);
      expect(l).toBeLessThanOrEqual(67);
      expect(latency(l)).toBeLessThanOrEqual(13.4);
    }
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(20);
  });

  it('converges down when the capacity drops (latency rises with concurrency)', () => {
    const { limiter, clock } = setup({ initialLimit: 16 });
    let capacity = 50;
    const model: Model = { latencyMs: (c) => 10 * Math.max(1, c / capacity), demand: Infinity };
    drive(limiter, clock, model, 300);
    expect(limiter.limit).toBeGreaterThanOrEqual(25);
    capacity = 10;
    const limits = drive(limiter, clock, model, 300);
    // Latency rose fivefold at the old limit: within a few windows the limit is near 10.
    const late = limits.slice(100);
    expect(Math.max(...late)).toBeLessThanOrEqual(14);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(4);
    expect(late.filter((l) => l >= 9).length).toBeGreaterThan(late.length * 0.8);
  });

  it('never goes below minLimit, however high latency climbs', () => {
    const { limiter, clock } = setup({ initialLimit: 64, minLimit: 3, remeasureIntervalMs: 1e9 });
    const start = clock.now;
    // Latency grows with time whatever the concurrency: nothing the limiter does helps.
    const limits = drive(limiter, clock, { latencyMs: (_c, now) => 5 + (now - start) / 10, demand: Infinity }, 300);
    expect(Math.min(...limits)).toBe(3);
    expect(limits.at(-1)).toBe(3);
  });

  it('stays within [minLimit, maxLimit] under random latency', () => {
    const { limiter, clock } = setup({ initialLimit: 8, minLimit: 2, maxLimit: 40 });
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const limits = drive(limiter, clock, { latencyMs: () => 1 + random() * 100, demand: Infinity }, 2000);
    expect(Math.min(...limits)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...limits)).toBeLessThanOrEqual(40);
  });

  it('re-measures the no-load latency, so a server that became slower for good gets a new baseline', () => {
    const { limiter, clock } = setup({ initialLimit: 16, remeasureIntervalMs: 2000 });
    let serviceMs = 10;
    const model: Model = { latencyMs: (c) => serviceMs * Math.max(1, c / 50), demand: Infinity };
    drive(limiter, clock, model, 200);
    expect(limiter.noLoadLatencyMs).toBeCloseTo(10, 5);
    const before = limiter.limit;
    serviceMs = 40;
    drive(limiter, clock, model, 400);
    expect(limiter.noLoadLatencyMs).toBeCloseTo(40, 5);
    // Back near the knee rather than stuck at minLimit.
    expect(limiter.limit).toBeGreaterThanOrEqual(Math.min(40, before / 2));
  });

  it('without re-measurement a slower service would drive the limit to its minimum (why it exists)', () => {
    const { limiter, clock } = setup({ initialLimit: 16, remeasureIntervalMs: 1e12 });
    let serviceMs = 10;
    const model: Model = { latencyMs: (c) => serviceMs * Math.max(1, c / 50), demand: Infinity };
    drive(limiter, clock, model, 200);
    serviceMs = 40;
    drive(limiter, clock, model, 400);
    expect(limiter.limit).toBe(4);
  });
});
