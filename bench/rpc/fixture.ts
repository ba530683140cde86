/**
 * The echo workload every peer sends (issue 8): `Item { id: i64, name: string(20),
 * tags: list<string>(3), score: double }`. Clients cycle through {@link ITEMS}, so each call's
 * reply can be checked against the item it sent: a reply matched to the wrong call fails the run.
 */

/** One item, in plain values each peer converts to its own representation. */
export interface FixtureItem {
  /** Distinct per item, above 2^32 so i64 encoding is exercised (and below 2^53). */
  readonly id: number;
  /** Exactly 20 ASCII characters. */
  readonly name: string;
  /** Three short tags. */
  readonly tags: readonly string[];
  readonly score: number;
}

/** How many distinct items the clients cycle through. */
export const ITEM_COUNT = 16;

/** The items; call number `i` sends `ITEMS[i % ITEM_COUNT]`. */
export const ITEMS: readonly FixtureItem[] = Array.from({ length: ITEM_COUNT }, (_, i) => ({
  id: 5_000_000_000 + i,
  name: `bench-item-name-${String(i).padStart(4, '0')}`,
  tags: ['alpha', 'beta', `tag-${i}`],
  score: 0.5 + i * 1.25,
}));

/** The item call number `index` sends. */
export function itemFor(index: number): FixtureItem {
  return ITEMS[index % ITEM_COUNT]!;
}

/**
 * Throws unless an echo reply carries the item that call number `index` sent (id and name, which
 * are distinct per item).
 */
export function checkEcho(peer: string, index: number, id: number, name: string): void {
  const sent = itemFor(index);
  if (id !== sent.id || name !== sent.name) {
    throw new Error(`${peer}: echo of item ${sent.id} <${sent.name}> returned ${id} <${name}>: a reply matched to the wrong call`);
  }
}

/** Throws unless a reply is the whole item that call number `index` sent, field by field. */
export function checkWholeEcho(peer: string, index: number, reply: FixtureItem): void {
  const sent = itemFor(index);
  const same =
    reply.id === sent.id && reply.name === sent.name && reply.score === sent.score && reply.tags.length === sent.tags.length && reply.tags.every((t, i) => t === sent.tags[i]);
  if (!same) throw new Error(`${peer}: echo of ${JSON.stringify(sent)} returned ${JSON.stringify(reply)}`);
}
