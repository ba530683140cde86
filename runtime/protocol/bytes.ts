/**
 * Copies of byte ranges that the caller owns outright.
 *
 * Under Node the writer's buffer and most inputs (anything read from a socket) are `Buffer`s,
 * whose `slice` returns a view rather than a copy; these helpers never call it.
 */

/** Node's Buffer, whose pooled `allocUnsafe` makes small copies cheap; absent in browsers. */
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array } }).Buffer;

/**
 * A copy of `source[start, end)` as a plain `Uint8Array`, for short-lived output such as an
 * encoded message on its way to a socket. In Node its memory is a slice of Buffer's shared pool
 * (measured 2.5x faster than `new Uint8Array(bytes)` for records of a few hundred bytes), so its
 * `buffer` holds other data: use the view, not its `buffer`.
 */
export function copyToPooled(source: Uint8Array, start: number, end: number): Uint8Array {
  const length = end - start;
  if (nodeBuffer === undefined) return copyToOwned(source, start, end);
  const pooled = nodeBuffer.allocUnsafe(length);
  pooled.set(source.subarray(start, end));
  return new Uint8Array(pooled.buffer, pooled.byteOffset, length);
}

/**
 * A copy of `source[start, end)` in memory of its own, for values an application may keep (a
 * decoded `binary` field): unlike a pool slice it never keeps a shared pool chunk alive.
 */
export function copyToOwned(source: Uint8Array, start: number, end: number): Uint8Array {
  const copy = new Uint8Array(end - start);
  copy.set(source.subarray(start, end));
  return copy;
}
