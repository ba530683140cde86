/**
 * Deadlines of many calls on few Node timers. Calls on one connection mostly share a timeout
 * (a method's, or the channel's default), and calls with equal timeouts expire in the order they
 * started: each distinct timeout keeps its calls in a list ordered by deadline, under one timer
 * armed for the list's head. Adding and removing a call is O(1) and allocates nothing (the links
 * live in the caller's own object), where a `setTimeout` plus `clearTimeout` per call cost a
 * `Timeout` object, a closure and Node's timer-list bookkeeping: about 3% of a client's CPU at 256
 * calls in flight.
 *
 * ```
 *   lists: 60000 ms -> [call 7] <-> [call 9] <-> [call 12]     one timer, for call 7's deadline
 *            250 ms -> [call 8]                                 one timer, for call 8's deadline
 * ```
 */

/**
 * The links and deadline a {@link DeadlineTimers} keeps in each entry. An entry starts with
 * `deadlineAt: 0` and the rest `undefined`, written out in its object literal (a spread of
 * shared defaults would make every entry's construction slower).
 */
export interface DeadlineEntry {
  /** When the entry expires (`performance.now()`, ms: monotonic, unlike the wall clock); meaningful while it is in a list. */
  deadlineAt: number;
  /** The list holding it, `undefined` when not waiting. */
  deadlineList: DeadlineList | undefined;
  deadlinePrev: DeadlineEntry | undefined;
  deadlineNext: DeadlineEntry | undefined;
}

/** The entries sharing one timeout, oldest (soonest deadline) first. */
export interface DeadlineList {
  readonly timeoutMs: number;
  head: DeadlineEntry | undefined;
  tail: DeadlineEntry | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** Deadlines of a set of entries; `onExpire` is called once for each that reaches its deadline. */
export class DeadlineTimers<T extends DeadlineEntry> {
  private readonly lists = new Map<number, DeadlineList>();

  constructor(private readonly onExpire: (entry: T) => void) {}

  /** Starts `entry`'s deadline, `timeoutMs` (> 0) from now. */
  add(entry: T, timeoutMs: number): void {
    let list = this.lists.get(timeoutMs);
    if (list === undefined) {
      list = { timeoutMs, head: undefined, tail: undefined, timer: undefined };
      this.lists.set(timeoutMs, list);
    }
    entry.deadlineAt = performance.now() + timeoutMs;
    entry.deadlineList = list;
    entry.deadlinePrev = list.tail;
    entry.deadlineNext = undefined;
    if (list.tail === undefined) {
      list.head = entry;
      this.arm(list, timeoutMs);
    } else {
      list.tail.deadlineNext = entry;
    }
    list.tail = entry;
  }

  /** Stops `entry`'s deadline (nothing happens if it has none). */
  remove(entry: T): void {
    const list = entry.deadlineList;
    if (list === undefined) return;
    const { deadlinePrev: prev, deadlineNext: next } = entry;
    if (prev === undefined) list.head = next;
    else prev.deadlineNext = next;
    if (next === undefined) list.tail = prev;
    else next.deadlinePrev = prev;
    entry.deadlineList = undefined;
    entry.deadlinePrev = undefined;
    entry.deadlineNext = undefined;
    // The timer stays armed for the old head; when it fires it re-arms for the new one. An empty
    // list goes at once, so an idle connection holds no timer.
    if (list.head === undefined) this.drop(list);
  }

  /** Stops every deadline (the owner is closing). */
  clear(): void {
    for (const list of this.lists.values()) {
      clearTimeout(list.timer);
      for (let entry = list.head; entry !== undefined; ) {
        const next = entry.deadlineNext;
        entry.deadlineList = undefined;
        entry.deadlinePrev = undefined;
        entry.deadlineNext = undefined;
        entry = next;
      }
    }
    this.lists.clear();
  }

  private arm(list: DeadlineList, delayMs: number): void {
    list.timer = setTimeout(() => this.expire(list), delayMs);
  }

  private expire(list: DeadlineList): void {
    list.timer = undefined;
    const now = performance.now();
    let entry = list.head;
    while (entry !== undefined && entry.deadlineAt <= now) {
      this.remove(entry as T);
      this.onExpire(entry as T);
      entry = list.head;
    }
    // remove() dropped the list if it emptied; onExpire may have added to it again meanwhile.
    if (this.lists.get(list.timeoutMs) === list && list.head !== undefined && list.timer === undefined) {
      this.arm(list, list.head.deadlineAt - now);
    }
  }

  private drop(list: DeadlineList): void {
    clearTimeout(list.timer);
    list.timer = undefined;
    this.lists.delete(list.timeoutMs);
  }
}
