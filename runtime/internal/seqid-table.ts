/**
 * Entries keyed by a sequence id that is handed out in order (a connection's calls awaiting
 * their replies). A `Map` churned by one insert and one delete per call costs about 100 ns a call
 * and reallocates its hash table every few hundred calls; here the id's low bits index an array
 * directly. The caller picks ids with {@link SeqIdTable.isFree}, skipping one whose slot is still
 * held by an older entry (a call that has outlived `capacity` newer ones), so slots never collide.
 * The table doubles when half full, which keeps such skips rare.
 */
export class SeqIdTable<T extends { readonly seqId: number }> {
  private slots: Array<T | undefined>;
  private mask: number;
  private count = 0;

  /** `initialCapacity` is rounded up to a power of two. */
  constructor(initialCapacity = 64) {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(2, initialCapacity)));
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /** The entry for `seqId`, if there is one. */
  get(seqId: number): T | undefined {
    const entry = this.slots[seqId & this.mask];
    return entry !== undefined && entry.seqId === seqId ? entry : undefined;
  }

  /** Whether an entry for `seqId` could be added now (its slot is free). Grows a half-full table first. */
  isFree(seqId: number): boolean {
    if (this.count * 2 >= this.slots.length) this.grow();
    return this.slots[seqId & this.mask] === undefined;
  }

  /** Adds `entry`; its slot must be free (see {@link isFree}). */
  add(entry: T): void {
    const index = entry.seqId & this.mask;
    if (this.slots[index] !== undefined) throw new Error(`seqid ${entry.seqId}: its slot is taken by seqid ${this.slots[index]!.seqId}`);
    this.slots[index] = entry;
    this.count++;
  }

  /** Removes the entry for `seqId`; whether there was one. */
  delete(seqId: number): boolean {
    const index = seqId & this.mask;
    const entry = this.slots[index];
    if (entry === undefined || entry.seqId !== seqId) return false;
    this.slots[index] = undefined;
    this.count--;
    return true;
  }

  /** The entries, in slot order (a snapshot: the table may change while it is used). */
  values(): T[] {
    const entries: T[] = [];
    for (const entry of this.slots) if (entry !== undefined) entries.push(entry);
    return entries;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.count = 0;
  }

  /** Doubles the table. Ids distinct modulo the old size are distinct modulo the new one: no collisions. */
  private grow(): void {
    const old = this.slots;
    this.slots = new Array<T | undefined>(old.length * 2).fill(undefined);
    this.mask = this.slots.length - 1;
    for (const entry of old) if (entry !== undefined) this.slots[entry.seqId & this.mask] = entry;
  }
}
