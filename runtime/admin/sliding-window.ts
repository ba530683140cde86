/**
 * A time window made of a fixed ring of slots ("the last minute" as six 10-second slots), so that
 * statistics of recent calls cost a bounded amount of memory and no timer: a slot is cleared
 * lazily when a record lands in it after its time has passed, and reads skip stale slots.
 *
 * ```
 * slot = floor(t / slotMs) mod slotCount          windowMs = slotMs * slotCount
 * a read at `now` sees slots of epochs (nowEpoch - slotCount, nowEpoch]: the last
 * (slotCount - 1) full slots plus the part of the current one, so between
 * windowMs - slotMs and windowMs of history
 * ```
 */

interface Slot<T> {
  /** `floor(t / slotMs)` of the times the slot holds now; -1 while unused. */
  epoch: number;
  readonly value: T;
}

/** A ring of `slotCount` values covering the last `windowMs` (see the module comment). */
export class SlidingWindow<T> {
  /** Length of one slot, in milliseconds. */
  readonly slotMs: number;
  private readonly slots: Array<Slot<T>>;

  /**
   * @param windowMs - how much history a read covers at most, in milliseconds (> 0).
   * @param slotCount - slots in the ring (>= 1); more slots make the window's edge sharper.
   * @param create - makes one slot's value.
   * @param reset - empties a slot's value before it is reused for a later time.
   */
  constructor(
    readonly windowMs: number,
    readonly slotCount: number,
    create: () => T,
    private readonly reset: (value: T) => void,
  ) {
    if (!(windowMs > 0) || !Number.isInteger(slotCount) || slotCount < 1) {
      throw new RangeError(`a sliding window needs windowMs > 0 and an integer slotCount >= 1, got ${windowMs} and ${slotCount}`);
    }
    this.slotMs = windowMs / slotCount;
    this.slots = Array.from({ length: slotCount }, () => ({ epoch: -1, value: create() }));
  }

  /**
   * The value of the slot for time `atMs` (epoch milliseconds), cleared first if it held an older
   * time; `undefined` when `atMs` is older than what the slot holds now (a record that arrives
   * after its slot was reused, e.g. after the wall clock stepped back): it falls outside the window.
   */
  at(atMs: number): T | undefined {
    const epoch = Math.floor(atMs / this.slotMs);
    const slot = this.slots[((epoch % this.slotCount) + this.slotCount) % this.slotCount]!;
    if (slot.epoch === epoch) return slot.value;
    if (epoch < slot.epoch) return undefined;
    this.reset(slot.value);
    slot.epoch = epoch;
    return slot.value;
  }

  /** The values of the slots inside the window that ends at `nowMs`. */
  *within(nowMs: number): Generator<T> {
    const nowEpoch = Math.floor(nowMs / this.slotMs);
    for (const slot of this.slots) {
      if (slot.epoch > nowEpoch - this.slotCount && slot.epoch <= nowEpoch) yield slot.value;
    }
  }

  /**
   * How many milliseconds of history a read at `nowMs` covers, counting only time after
   * `sinceMs` (when recording began): the divisor for a rate over the window.
   */
  coveredMs(nowMs: number, sinceMs: number): number {
    const windowStart = (Math.floor(nowMs / this.slotMs) - this.slotCount + 1) * this.slotMs;
    return Math.max(0, nowMs - Math.max(windowStart, sinceMs));
  }
}
