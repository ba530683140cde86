/**
 * The calls `/rpcz` shows for one server: the most recent N (a ring) and the slowest N of a recent
 * window (a bounded heap per window slot, merged on read), so that one slow call an hour ago does
 * not hide today's and the list always answers "what is slow now". Keeping a call is O(1) (O(log N)
 * when it is among the slowest); memory is N + slots x N calls. Metadata is kept as received and
 * redacted when read, so the per-call cost stays one pointer store.
 */
import type { CallRecord } from '../server/call-observer.js';
import { SlidingWindow } from './sliding-window.js';
import { SlowestCalls } from './slowest-calls.js';

/** Settings of {@link CallLog}. */
export interface CallLogOptions {
  /** How many recent calls and how many slowest calls to keep. Default 100. */
  readonly size?: number;
  /** The window the slowest calls are taken from, in milliseconds. Default 60,000. */
  readonly slowestWindowMs?: number;
  /** Slots of that window. Default 6. */
  readonly windowSlots?: number;
  /** The clock for reads, epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** Recent and slowest calls of one server (see the module comment). */
export class CallLog {
  /** How many calls each list holds at most. */
  readonly size: number;
  /** The window {@link slowest} looks at, in milliseconds. */
  readonly slowestWindowMs: number;
  private readonly ring: Array<CallRecord | undefined>;
  private next = 0;
  private readonly slow: SlidingWindow<SlowestCalls>;
  private readonly now: () => number;

  constructor(options: CallLogOptions = {}) {
    this.size = options.size ?? 100;
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`the call log size must be an integer >= 1, got ${this.size}`);
    this.slowestWindowMs = options.slowestWindowMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.ring = new Array<CallRecord | undefined>(this.size);
    this.slow = new SlidingWindow(
      this.slowestWindowMs,
      options.windowSlots ?? 6,
      () => new SlowestCalls(this.size),
      (heap) => heap.clear(),
    );
  }

  /** Keeps one call. */
  record(record: CallRecord): void {
    this.ring[this.next] = record;
    this.next = (this.next + 1) % this.size;
    this.slow.at(record.startedAt + record.durationMs)?.offer(record);
  }

  /** The most recent calls, newest first (by the order they ended). */
  recent(): CallRecord[] {
    const out: CallRecord[] = [];
    for (let i = 1; i <= this.size; i++) {
      const record = this.ring[(this.next - i + this.size) % this.size];
      if (record === undefined) break;
      out.push(record);
    }
    return out;
  }

  /** The slowest calls that ended within the window, slowest first. */
  slowest(): CallRecord[] {
    const all: CallRecord[] = [];
    for (const heap of this.slow.within(this.now())) all.push(...heap.list());
    return all.sort((a, b) => b.durationMs - a.durationMs).slice(0, this.size);
  }
}
