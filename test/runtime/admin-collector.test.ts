/**
 * What the admin endpoint keeps per server, fed with hand-made call records and a fake clock:
 * per-method counts and windowed numbers (call-metrics.ts), recent and slowest calls
 * (call-log.ts, slowest-calls.ts) and the sliding window they share (sliding-window.ts).
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, type CallRecord } from 'skiff/runtime';
import { CallLog } from '../../runtime/admin/call-log.js';
import { CallMetrics, UNREGISTERED_METHOD } from '../../runtime/admin/call-metrics.js';
import { SlidingWindow } from '../../runtime/admin/sliding-window.js';
import { SlowestCalls } from '../../runtime/admin/slowest-calls.js';
import { seededRandom } from '../rpc/fixtures/harness.js';

const T0 = 1_700_000_000_000; // a round epoch time: slot boundaries fall on multiples of 10 s

function call(overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    service: 'UserService',
    method: 'getUser',
    code: 'OK',
    exception: undefined,
    answered: true,
    durationMs: 1,
    startedAt: T0,
    peer: '127.0.0.1:40000',
    metadata: {},
    oneway: false,
    ...overrides,
  };
}

/** A clock the test moves by hand. */
function fakeClock(start = T0): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (next) => (t = next) };
}

describe('CallMetrics', () => {
  it('counts calls by code, errors and declared exceptions per method', () => {
    const clock = fakeClock();
    const metrics = new CallMetrics({ now: clock.now });
    metrics.record(call({ durationMs: 2 }));
    metrics.record(call({ durationMs: 4, exception: 'NotFound' }));
    metrics.record(call({ durationMs: 8, code: ErrorCode.INTERNAL }));
    metrics.record(call({ durationMs: 1, code: ErrorCode.DEADLINE_EXCEEDED, answered: false }));
    metrics.record(call({ method: 'ping' }));
    const getUser = metrics.summary('UserService', 'getUser');
    expect(getUser).toMatchObject({
      calls: 4,
      errors: 2,
      codes: { OK: 2, INTERNAL: 1, DEADLINE_EXCEEDED: 1 },
      exceptions: { NotFound: 1 },
    });
    expect(getUser.latency.count).toBe(4);
    expect(getUser.latency.sumMs).toBe(15);
    expect(getUser.window.calls).toBe(4);
    expect(getUser.window.errors).toBe(2);
    expect(getUser.window.latencyMs?.max).toBe(8);
    expect(metrics.summary('UserService', 'ping').calls).toBe(1);
    expect(metrics.seen()).toEqual([
      ['UserService', 'getUser'],
      ['UserService', 'ping'],
    ]);
  });

  it('gives zeros for a method without calls', () => {
    const metrics = new CallMetrics();
    expect(metrics.summary('UserService', 'health')).toMatchObject({ calls: 0, errors: 0, codes: {}, window: { calls: 0, perSecond: 0, latencyMs: undefined } });
  });

  it('counts every unregistered method name under one entry, so clients cannot grow memory', () => {
    const metrics = new CallMetrics();
    for (let i = 0; i < 1000; i++) metrics.record(call({ service: undefined, method: `made-up-${i}`, code: ErrorCode.UNIMPLEMENTED }));
    expect(metrics.seen()).toEqual([['', UNREGISTERED_METHOD]]);
    expect(metrics.summary('', UNREGISTERED_METHOD)).toMatchObject({ calls: 1000, errors: 1000, codes: { UNIMPLEMENTED: 1000 } });
  });

  it('rates and percentiles cover the last window only; totals keep everything', () => {
    const clock = fakeClock();
    const metrics = new CallMetrics({ now: clock.now, windowMs: 60_000, windowSlots: 6 });
    // 60 slow calls in the first 10 s ...
    for (let i = 0; i < 60; i++) metrics.record(call({ startedAt: T0 + i * 150, durationMs: 100 }));
    clock.set(T0 + 10_000);
    let s = metrics.summary('UserService', 'getUser');
    expect(s.window.calls).toBe(60);
    expect(s.window.perSecond).toBeCloseTo(6, 9); // 60 calls over the 10 s since recording began
    expect(s.window.latencyMs?.p50).toBe(100);
    // ... then 30 fast ones 65 s later: the slow ones have left the window.
    clock.set(T0 + 75_000);
    for (let i = 0; i < 30; i++) metrics.record(call({ startedAt: T0 + 74_000, durationMs: 1 }));
    s = metrics.summary('UserService', 'getUser');
    expect(s.calls).toBe(90);
    expect(s.latency.count).toBe(90);
    expect(s.window.calls).toBe(30);
    expect(s.window.latencyMs?.p99).toBe(1);
    expect(s.window.perSecond).toBeCloseTo(30 / 55, 9); // five full 10 s slots + 5 s of the current one
    // Nothing for longer than the window: no recent numbers.
    clock.set(T0 + 200_000);
    expect(metrics.summary('UserService', 'getUser').window).toMatchObject({ calls: 0, errors: 0, latencyMs: undefined });
  });

  it('ignores, for the window only, a record whose slot has moved on (the wall clock stepped back)', () => {
    const clock = fakeClock(T0 + 60_000);
    const metrics = new CallMetrics({ now: clock.now });
    metrics.record(call({ startedAt: T0 + 60_000 }));
    metrics.record(call({ startedAt: T0 })); // same slot of the ring, an older time
    const s = metrics.summary('UserService', 'getUser');
    expect(s.calls).toBe(2);
    expect(s.window.calls).toBe(1);
  });

  it('rejects a window it cannot build', () => {
    expect(() => new CallMetrics({ windowMs: 0 })).toThrow(RangeError);
    expect(() => new CallMetrics({ windowSlots: 0 })).toThrow(RangeError);
  });
});

describe('SlidingWindow', () => {
  it('reuses a slot for a later time after clearing it, and reads only slots in the window', () => {
    const cleared: number[] = [];
    const window = new SlidingWindow<{ n: number; id: number }>(
      30,
      3,
      (() => {
        let id = 0;
        return () => ({ n: 0, id: id++ });
      })(),
      (v) => {
        cleared.push(v.id);
        v.n = 0;
      },
    );
    window.at(5)!.n++; // epoch 0 -> slot 0
    window.at(15)!.n++; // epoch 1 -> slot 1
    window.at(25)!.n += 2; // epoch 2 -> slot 2
    expect([...window.within(29)].map((v) => v.n).sort()).toEqual([1, 1, 2]);
    window.at(35)!.n += 5; // epoch 3 reuses slot 0
    expect(cleared).toEqual([0, 1, 2, 0]);
    expect([...window.within(39)].map((v) => v.n).sort()).toEqual([1, 2, 5]);
    expect([...window.within(59)].map((v) => v.n)).toEqual([5]); // epochs 3..5: only epoch 3 was written
    expect(window.at(5)).toBeUndefined(); // epoch 0 is gone
    expect(window.coveredMs(39, 0)).toBe(29); // epochs 1..3 from t=10 to 39
    expect(window.coveredMs(39, 30)).toBe(9);
  });
});

describe('SlowestCalls', () => {
  it('keeps exactly the N slowest of many calls', () => {
    const random = seededRandom(5);
    const heap = new SlowestCalls(10);
    const durations: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const durationMs = Math.floor(random() * 100_000) / 10;
      durations.push(durationMs);
      heap.offer(call({ durationMs }));
    }
    durations.sort((a, b) => b - a);
    expect(heap.list().map((r) => r.durationMs)).toEqual(durations.slice(0, 10));
    heap.clear();
    expect(heap.list()).toEqual([]);
  });
});

describe('CallLog', () => {
  it('lists the most recent calls newest first, at most `size`', () => {
    const log = new CallLog({ size: 3 });
    expect(log.recent()).toEqual([]);
    for (let i = 1; i <= 5; i++) log.record(call({ method: `m${i}` }));
    expect(log.recent().map((r) => r.method)).toEqual(['m5', 'm4', 'm3']);
  });

  it('lists the slowest calls of the window, slowest first; older slow calls drop out', () => {
    const clock = fakeClock();
    const log = new CallLog({ size: 2, slowestWindowMs: 60_000, now: clock.now });
    log.record(call({ method: 'old-slow', durationMs: 5000, startedAt: T0 }));
    clock.set(T0 + 30_000);
    log.record(call({ method: 'fast', durationMs: 1, startedAt: T0 + 30_000 }));
    log.record(call({ method: 'medium', durationMs: 50, startedAt: T0 + 30_000 }));
    log.record(call({ method: 'slow', durationMs: 900, startedAt: T0 + 30_000 }));
    expect(log.slowest().map((r) => r.method)).toEqual(['old-slow', 'slow']);
    clock.set(T0 + 75_000);
    expect(log.slowest().map((r) => r.method)).toEqual(['slow', 'medium']);
    expect(log.recent().map((r) => r.method)).toEqual(['slow', 'medium']);
  });

  it('rejects a size below 1', () => {
    expect(() => new CallLog({ size: 0 })).toThrow(RangeError);
  });
});
