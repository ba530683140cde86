/**
 * Outlier ejection with an injected clock: consecutive failures, failure rate per interval,
 * the shared backoff (doubling in a row, starting over after a quiet interval), probation, the
 * panic threshold, and no clock reads on the per-call path.
 */
import { describe, expect, it } from 'vitest';
import { OutlierDetector, OutlierRecord, type OutlierDetectionOptions } from '../../runtime/client/outlier-detector.js';

function setup(n: number, options: Omit<OutlierDetectionOptions, 'now'> = {}) {
  const clock = { now: 1_000_000, reads: 0 };
  const detector = new OutlierDetector({
    ...options,
    now: () => {
      clock.reads++;
      return clock.now;
    },
  });
  const records = Array.from({ length: n }, () => new OutlierRecord());
  const ejected = () => records.map((r) => detector.isEjected(r, clock.now));
  /** Records `outcomes` on instance `i`: 'x' a failure, '.' a success. */
  const calls = (i: number, outcomes: string) => {
    for (const o of outcomes) detector.record(records[i]!, o === 'x', records);
  };
  return { clock, detector, records, ejected, calls };
}

describe('consecutive failures', () => {
  it('ejects after the configured failures in a row; a success resets the count', () => {
    const { ejected, calls } = setup(3, { consecutiveFailures: 3, failureRate: false });
    calls(0, 'xx.xx');
    expect(ejected()).toEqual([false, false, false]);
    calls(0, 'x');
    expect(ejected()).toEqual([true, false, false]);
  });

  it('ejects for baseEjectionMs, then re-admits on probation: one failure ejects it for twice as long', () => {
    const { clock, ejected, calls, records } = setup(3, { consecutiveFailures: 3, baseEjectionMs: 1000, failureRate: false });
    calls(1, 'xxx');
    clock.now += 999;
    expect(ejected()[1]).toBe(true);
    clock.now += 1;
    expect(ejected()[1]).toBe(false);
    calls(1, 'x');
    expect(records[1]!.ejectedUntil - clock.now).toBe(2000);
    clock.now += 2000;
    calls(1, 'x');
    expect(records[1]!.ejectedUntil - clock.now).toBe(4000);
  });

  it('a success ends probation: then it takes a full run of failures again', () => {
    const { clock, ejected, calls } = setup(3, { consecutiveFailures: 3, baseEjectionMs: 1000, failureRate: false });
    calls(0, 'xxx');
    clock.now += 1000;
    calls(0, '.xx');
    expect(ejected()[0]).toBe(false);
    calls(0, 'x');
    expect(ejected()[0]).toBe(true);
  });

  it('doubles up to maxEjectionMs; after a whole interval back in rotation the backoff starts over', () => {
    const { clock, calls, records } = setup(3, { consecutiveFailures: 1, baseEjectionMs: 1000, maxEjectionMs: 5000, intervalMs: 10_000, failureRate: false });
    const lengths: number[] = [];
    for (let k = 0; k < 5; k++) {
      calls(2, 'x');
      lengths.push(records[2]!.ejectedUntil - clock.now);
      clock.now = records[2]!.ejectedUntil;
    }
    expect(lengths).toEqual([1000, 2000, 4000, 5000, 5000]);
    // 9.999 s back in rotation: still in a row.
    clock.now += 9999;
    calls(2, 'x');
    expect(records[2]!.ejectedUntil - clock.now).toBe(5000);
    clock.now = records[2]!.ejectedUntil + 10_000;
    calls(2, 'x');
    expect(records[2]!.ejectedUntil - clock.now).toBe(1000);
  });
});

describe('failure rate', () => {
  it('ejects an instance failing at least thresholdPercent of at least minimumRequests calls in an interval', () => {
    const { detector, ejected, calls, records } = setup(4, { failureRate: { thresholdPercent: 50, minimumRequests: 20 } });
    // Never two failures in a row: consecutive-failure ejection never fires.
    calls(0, 'x.'.repeat(10)); // 50% of 20: ejected
    calls(1, 'x.'.repeat(9) + 'x'); // 10 of 19 calls: too few to judge
    calls(2, '.x..'.repeat(5)); // 25%: fine
    calls(3, '.'.repeat(40));
    expect(ejected()).toEqual([false, false, false, false]);
    detector.sweep(records);
    expect(ejected()).toEqual([true, false, false, false]);
    expect(records.map((r) => [r.calls, r.failures])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    // Counts start over each interval: another 19 calls are still too few.
    calls(1, 'x.'.repeat(9) + 'x');
    detector.sweep(records);
    expect(ejected()[1]).toBe(false);
  });

  it('shares the backoff: re-admitted and still failing at the next sweep, it is ejected for twice as long', () => {
    const { clock, detector, calls, records } = setup(3, { baseEjectionMs: 1000, intervalMs: 10_000, failureRate: { minimumRequests: 10 } });
    calls(0, 'x.'.repeat(10));
    detector.sweep(records);
    expect(records[0]!.ejectedUntil - clock.now).toBe(1000);
    clock.now += 10_000;
    calls(0, '.x'.repeat(10));
    detector.sweep(records);
    expect(records[0]!.ejectedUntil - clock.now).toBe(2000);
  });

  it('ejects the worst first when the panic threshold allows only some', () => {
    const { detector, ejected, calls, records } = setup(4, { maxEjectedPercent: 25, failureRate: { minimumRequests: 10 } });
    calls(1, 'x.x.x.x.x.'); // 5 of 10
    calls(3, 'x.xx.xx.xx'); // 7 of 10
    detector.sweep(records);
    expect(ejected()).toEqual([false, false, false, true]);
  });

  it('never ejects every instance, however bad they all are', () => {
    const { detector, ejected, calls, records } = setup(2, { maxEjectedPercent: 100, failureRate: { minimumRequests: 4 }, consecutiveFailures: 100 });
    calls(0, 'xxxx');
    calls(1, 'xxxx');
    detector.sweep(records);
    expect(ejected().filter(Boolean)).toHaveLength(1);
  });

  it('is off with failureRate: false', () => {
    const { detector, ejected, calls, records } = setup(3, { failureRate: false, consecutiveFailures: 100 });
    expect(detector.sweeps).toBe(false);
    calls(0, 'x.'.repeat(50));
    detector.sweep(records);
    expect(ejected()).toEqual([false, false, false]);
  });

  it('rejects a threshold outside (0, 100] and a non-positive interval', () => {
    expect(() => new OutlierDetector({ failureRate: { thresholdPercent: 0 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new OutlierDetector({ failureRate: { thresholdPercent: 150 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new OutlierDetector({ intervalMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

it('reads no clock per call: only at an ejection, and once per sweep', () => {
  const { clock, detector, calls, records } = setup(3, { consecutiveFailures: 5 });
  for (let k = 0; k < 1000; k++) calls(k % 3, k % 7 === 0 ? 'x' : '.');
  expect(clock.reads).toBe(0);
  detector.sweep(records);
  expect(clock.reads).toBe(1);
});
