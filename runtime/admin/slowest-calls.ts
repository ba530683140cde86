/**
 * The N slowest calls seen, kept in a bounded min-heap keyed by duration: a call faster than the
 * fastest one kept costs one comparison, a slower one O(log N), and memory never exceeds N calls.
 */
import type { CallRecord } from '../server/call-observer.js';

/** Keeps the `limit` calls with the largest `durationMs` (see the module comment). */
export class SlowestCalls {
  /** A min-heap on `durationMs`: `heap[0]` is the fastest call kept. */
  private readonly heap: CallRecord[] = [];

  /** @param limit - how many calls to keep (>= 0). */
  constructor(readonly limit: number) {}

  /** Offers a call; kept when fewer than `limit` are kept or it is slower than the fastest kept. */
  offer(record: CallRecord): void {
    const heap = this.heap;
    if (heap.length < this.limit) {
      heap.push(record);
      this.up(heap.length - 1);
    } else if (heap.length > 0 && record.durationMs > heap[0]!.durationMs) {
      heap[0] = record;
      this.down(0);
    }
  }

  /** Forgets every call. */
  clear(): void {
    this.heap.length = 0;
  }

  /** The calls kept, slowest first. */
  list(): CallRecord[] {
    return [...this.heap].sort((a, b) => b.durationMs - a.durationMs);
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.durationMs <= heap[i]!.durationMs) return;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && heap[left]!.durationMs < heap[smallest]!.durationMs) smallest = left;
      if (right < heap.length && heap[right]!.durationMs < heap[smallest]!.durationMs) smallest = right;
      if (smallest === i) return;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
  }
}
