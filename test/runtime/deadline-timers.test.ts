import { afterEach, describe, expect, it } from 'vitest';
import { DeadlineTimers, type DeadlineEntry } from '../../runtime/internal/deadline-timers.js';

interface Entry extends DeadlineEntry {
  readonly name: string;
  startedAt: number;
}

function entry(name: string): Entry {
  return { name, startedAt: 0, deadlineAt: 0, deadlineList: undefined, deadlinePrev: undefined, deadlineNext: undefined };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('DeadlineTimers', () => {
  const owners: Array<DeadlineTimers<Entry>> = [];
  const timers = (onExpire: (e: Entry) => void): DeadlineTimers<Entry> => {
    const t = new DeadlineTimers<Entry>(onExpire);
    owners.push(t);
    return t;
  };
  afterEach(() => {
    for (const t of owners.splice(0)) t.clear();
  });

  it('expires entries in deadline order, none before its deadline', async () => {
    const expired: Array<[string, number]> = [];
    const t = timers((e) => expired.push([e.name, performance.now() - e.startedAt]));
    const add = (e: Entry, ms: number): void => {
      e.startedAt = performance.now();
      t.add(e, ms);
    };
    add(entry('a'), 30);
    add(entry('b'), 10);
    await sleep(5);
    add(entry('c'), 30);
    add(entry('d'), 10);
    await sleep(200);
    expect(expired.map(([name]) => name)).toEqual(['b', 'd', 'a', 'c']);
    // Node's timers may run up to a millisecond early against a fractional clock: at most that.
    for (const [name, waitedMs] of expired) expect(waitedMs, name).toBeGreaterThanOrEqual(name === 'a' || name === 'c' ? 29 : 9);
  });

  it('never expires a removed entry, also when it was the head of its list', async () => {
    const expired: string[] = [];
    const t = timers((e) => expired.push(e.name));
    const a = entry('a');
    const b = entry('b');
    const c = entry('c');
    t.add(a, 20);
    t.add(b, 20);
    t.add(c, 20);
    t.remove(a);
    t.remove(c);
    // Removing twice, or an entry never added, is harmless.
    t.remove(c);
    t.remove(entry('x'));
    expect(a.deadlineList).toBeUndefined();
    await sleep(150);
    expect(expired).toEqual(['b']);
  });

  it('keeps serving a list that was emptied and refilled, and entries added while expiring', async () => {
    const expired: string[] = [];
    let t: DeadlineTimers<Entry> | undefined;
    t = timers((e) => {
      expired.push(e.name);
      if (e.name === 'a') t!.add(entry('a2'), 10);
    });
    const a = entry('a');
    t.add(a, 10);
    t.remove(a);
    t.add(a, 10);
    await sleep(150);
    expect(expired).toEqual(['a', 'a2']);
  });

  it('clear() stops every deadline and unlinks the entries', async () => {
    const expired: string[] = [];
    const t = timers((e) => expired.push(e.name));
    const a = entry('a');
    const b = entry('b');
    t.add(a, 10);
    t.add(b, 15);
    t.clear();
    expect([a.deadlineList, b.deadlineNext, b.deadlinePrev]).toEqual([undefined, undefined, undefined]);
    await sleep(100);
    expect(expired).toEqual([]);
  });
});
