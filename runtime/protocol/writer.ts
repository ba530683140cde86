/**
 * The growable, reusable output buffer under both protocol writers.
 *
 * One writer is meant to encode many messages: `reset()` rewinds it without freeing memory, so a
 * steady-state encoder allocates nothing but the bytes it hands out. The buffer starts at
 * {@link ByteWriterOptions.initialBytes} and doubles when a write needs more room.
 */

import { ErrorCode, RpcError } from '../errors.js';
import { copyToPooled } from './bytes.js';
import type { MessageType } from './types.js';
import { allocateBytes, encodeUtf8Into } from './utf8.js';

/** Sizing of a {@link ByteWriter}'s buffer. */
export interface ByteWriterOptions {
  /** Initial buffer size in bytes. Default 4096. */
  readonly initialBytes?: number;
  /**
   * Largest buffer `reset()` keeps, in bytes; a buffer grown beyond it (by one huge message) is
   * replaced by a fresh `initialBytes` one so it does not pin memory. Default 1 MiB.
   */
  readonly maxRetainedBytes?: number;
}

const DEFAULT_INITIAL_BYTES = 4096;
const DEFAULT_MAX_RETAINED_BYTES = 1 << 20;

/**
 * A byte buffer that grows by doubling, with the raw big- and little-endian writes the protocols
 * share. Subclasses (`CompactWriter`, `BinaryWriter`) add the Thrift encodings.
 *
 * Fields are public for the subclasses' hot paths; other code should use the methods.
 */
export class ByteWriter {
  /** The buffer; bytes `[0, pos)` are the output. Replaced when it grows. */
  buf: Uint8Array;
  /** A DataView over {@link buf}, replaced with it. */
  dataView: DataView;
  /** Number of bytes written. */
  pos = 0;
  private readonly initialBytes: number;
  private readonly maxRetainedBytes: number;

  constructor(options: ByteWriterOptions = {}) {
    this.initialBytes = Math.max(16, options.initialBytes ?? DEFAULT_INITIAL_BYTES);
    this.maxRetainedBytes = options.maxRetainedBytes ?? DEFAULT_MAX_RETAINED_BYTES;
    this.buf = allocateBytes(this.initialBytes);
    this.dataView = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Bytes written since construction or the last {@link reset}. */
  get length(): number {
    return this.pos;
  }

  /** Rewinds to empty, keeping the buffer unless it grew beyond `maxRetainedBytes`. */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > this.maxRetainedBytes) this.replaceBuffer(this.initialBytes);
  }

  /**
   * A copy of the bytes written: a plain `Uint8Array` that stays valid after {@link reset} and
   * further writes. Under Node its memory is a slice of Buffer's shared pool (see
   * {@link copyToPooled}): use the view, not its `buffer`.
   */
  finish(): Uint8Array {
    return copyToPooled(this.buf, 0, this.pos);
  }

  /**
   * A view of the bytes written that shares the writer's buffer (no copy). Valid only until the
   * next write or {@link reset}: hand it to a synchronous consumer (e.g. a socket write that
   * copies) and do not keep it.
   */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Makes room for `byteCount` more bytes. */
  ensure(byteCount: number): void {
    if (this.pos + byteCount > this.buf.length) this.grow(this.pos + byteCount);
  }

  /** Appends raw bytes. */
  writeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /**
   * Writes `value` as UTF-8 at `offset`, which must have room for `3 * value.length` bytes
   * (call {@link ensure} first), and returns the number of bytes written. Does not move `pos`.
   */
  encodeUtf8At(value: string, offset: number): number {
    return encodeUtf8Into(value, this.buf, offset);
  }

  /** Writes a 16-byte UUID from its `8-4-4-4-12` hex form. */
  writeUuidBytes(value: string): void {
    if (value.length !== 36) throw invalidUuid(value);
    this.ensure(16);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < 36; ) {
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (value.charCodeAt(i) !== 0x2d) throw invalidUuid(value);
        i++;
        continue;
      }
      const high = hexValue(value.charCodeAt(i));
      const low = hexValue(value.charCodeAt(i + 1));
      if (high < 0 || low < 0) throw invalidUuid(value);
      buf[p++] = (high << 4) | low;
      i += 2;
    }
    this.pos = p;
  }

  private grow(needed: number): void {
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const old = this.buf;
    this.replaceBuffer(size);
    this.buf.set(old.subarray(0, this.pos));
  }

  private replaceBuffer(size: number): void {
    this.buf = allocateBytes(size);
    this.dataView = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function invalidUuid(value: string): RpcError {
  return new RpcError(
    ErrorCode.INVALID_ARGUMENT,
    `uuid must be 36 characters of hex digits in 8-4-4-4-12 groups, got ${JSON.stringify(value.slice(0, 40))}`,
  );
}

/** Throws `INVALID_ARGUMENT` when `value` is not a signed integer of `bits` (8, 16 or 32) bits. */
export function checkInt(value: number, bits: 8 | 16 | 32, typeName: string): void {
  const shift = 32 - bits;
  if (((value << shift) >> shift) !== value) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `${typeName} value out of range: ${String(value)}`);
  }
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** Throws `INVALID_ARGUMENT` when `value` is not a signed 64-bit integer. */
export function checkI64(value: bigint): void {
  if (typeof value !== 'bigint' || value < I64_MIN || value > I64_MAX) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `i64 value out of range: ${String(value)}`);
  }
}

/** Throws `INVALID_ARGUMENT` when `size` is not a valid container or byte length. */
export function checkSize(size: number, what: string): void {
  if ((size | 0) !== size || size < 0) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `${what} must be an integer in [0, 2^31), got ${String(size)}`);
  }
}

/** Throws `INVALID_ARGUMENT` for a message type outside CALL..ONEWAY. */
export function checkMessageTypeArgument(type: MessageType): void {
  if (type !== 1 && type !== 2 && type !== 3 && type !== 4) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `invalid message type ${String(type)}`);
  }
}
