/**
 * The slow-start curve: Envoy's formula, the minimum share, the aggression exponent, validation.
 */
import { describe, expect, it } from 'vitest';
import { SlowStart } from '../../runtime/client/slow-start.js';

describe('SlowStart.factor', () => {
  it('ramps linearly from the minimum share to full weight over the window', () => {
    const s = new SlowStart({ windowMs: 10_000 });
    expect(s.factor(0)).toBe(0.1);
    expect(s.factor(500)).toBe(0.1);
    expect(s.factor(2500)).toBeCloseTo(0.25, 10);
    expect(s.factor(5000)).toBeCloseTo(0.5, 10);
    expect(s.factor(9999)).toBeCloseTo(0.9999, 10);
    expect(s.factor(10_000)).toBe(1);
    expect(s.factor(1e9)).toBe(1);
  });

  it('aggression above 1 ramps faster early, below 1 slower', () => {
    const fast = new SlowStart({ windowMs: 10_000, aggression: 2, minWeightPercent: 0 });
    const slow = new SlowStart({ windowMs: 10_000, aggression: 0.5, minWeightPercent: 0 });
    expect(fast.factor(2500)).toBeCloseTo(0.5, 10);
    expect(slow.factor(5000)).toBeCloseTo(0.25, 10);
  });

  it('with no minimum share starts at 1 ms worth of the window, never at zero', () => {
    const s = new SlowStart({ windowMs: 1000, minWeightPercent: 0 });
    expect(s.factor(0)).toBeCloseTo(0.001, 10);
    expect(s.factor(-5)).toBeCloseTo(0.001, 10);
  });

  it('uses the injected clock', () => {
    expect(new SlowStart({ windowMs: 1, now: () => 42 }).now()).toBe(42);
  });

  it.each([
    [{ windowMs: 0 }, 'windowMs'],
    [{ windowMs: Number.POSITIVE_INFINITY }, 'windowMs'],
    [{ windowMs: 1000, aggression: 0 }, 'aggression'],
    [{ windowMs: 1000, minWeightPercent: 101 }, 'minWeightPercent'],
    [{ windowMs: 1000, minWeightPercent: -1 }, 'minWeightPercent'],
  ])('rejects %o', (options, field) => {
    expect(() => new SlowStart(options)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(field) }));
  });
});
