/**
 * The bounds-checked input cursor under both protocol readers.
 *
 * Rules every reader method follows:
 * - every failure is a `ProtocolError` carrying the byte offset where the bad value starts;
 * - no allocation is sized by an untrusted length before that length is checked against the
 *   remaining bytes (and the configured limits);
 * - nesting is counted (`enter`/`leave`) and limited, so hostile input cannot exhaust the stack.
 */

import { ProtocolError } from '../errors.js';
import type { ReaderOptions, WireType } from './types.js';
import { MessageType, TType } from './types.js';
import { decodeUtf8 } from './utf8.js';

const DEFAULT_MAX_DEPTH = 64;

/**
 * Scratch for reading a double from 8 bytes: measured 2.6x faster than `DataView#getFloat64` on
 * Node 20, and it spares each input a DataView (creating one measured ~250 ns on a loaded
 * machine, several percent of decoding a 500-byte record).
 */
const float64Scratch = new Float64Array(1);
const float64ScratchBytes = new Uint8Array(float64Scratch.buffer);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A cursor over one input with the shared limits, depth tracking and raw reads. Subclasses
 * (`CompactReader`, `BinaryReader`) add the Thrift encodings.
 *
 * Offsets in errors count from the start of `input` (the view passed in, not its underlying
 * `ArrayBuffer`). Fields are public for the subclasses' hot paths; other code should use the
 * methods.
 */
export class ByteReader {
  /** The input. */
  buf: Uint8Array;
  /** Offset of the next byte. */
  pos = 0;
  /** End of the input (`buf.length`). */
  end: number;
  /** Current nesting level (structs and containers). */
  depth = 0;
  /** See {@link ReaderOptions.maxDepth}. */
  readonly maxDepth: number;
  /** See {@link ReaderOptions.maxStringBytes}. */
  readonly maxStringBytes: number;
  /** See {@link ReaderOptions.maxContainerSize}. */
  readonly maxContainerSize: number;
  /** Field id from the last `readFieldBegin()`. */
  fieldId = 0;
  /** Element type from the last list or set header. */
  elementType: WireType = TType.STOP;
  /** Key type from the last map header. */
  keyType: WireType = TType.STOP;
  /** Value type from the last map header. */
  valueType: WireType = TType.STOP;

  constructor(input: Uint8Array, options: ReaderOptions = {}) {
    this.buf = input;
    this.end = input.length;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxStringBytes = options.maxStringBytes ?? Number.POSITIVE_INFINITY;
    this.maxContainerSize = options.maxContainerSize ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Starts over on a new input with the same limits, so one reader can decode many messages
   * (`decode()` reuses one per protocol). Pass an empty array to drop the reference to the last
   * input.
   */
  reset(input: Uint8Array): void {
    this.buf = input;
    this.end = input.length;
    this.pos = 0;
    this.depth = 0;
    this.fieldId = 0;
    this.elementType = TType.STOP;
    this.keyType = TType.STOP;
    this.valueType = TType.STOP;
  }

  /** Offset of the next byte to read. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left in the input. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws `TRAILING_BYTES` unless the whole input was consumed. */
  expectEnd(): void {
    if (this.pos !== this.end) {
      throw new ProtocolError('TRAILING_BYTES', `${this.end - this.pos} bytes remain after the value`, this.pos);
    }
  }

  /** Throws `TRUNCATED` unless `byteCount` more bytes are available. */
  need(byteCount: number): void {
    if (this.pos + byteCount > this.end) throw this.truncated(byteCount);
  }

  /** The error for a value of `byteCount` bytes that does not fit in the rest of the input. */
  truncated(byteCount: number): ProtocolError {
    return new ProtocolError(
      'TRUNCATED',
      `input ends inside a ${byteCount}-byte value (${this.end - this.pos} bytes remain)`,
      this.pos,
    );
  }

  /** Enters a struct or container level; throws `DEPTH_LIMIT` past {@link maxDepth}. */
  enter(offset: number): void {
    if (++this.depth > this.maxDepth) {
      this.depth--;
      throw new ProtocolError('DEPTH_LIMIT', `nesting exceeds the limit of ${this.maxDepth} levels`, offset);
    }
  }

  /** Leaves a struct or container level. */
  leave(): void {
    this.depth--;
  }

  /** Reads one unsigned byte. */
  readUint8(): number {
    if (this.pos >= this.end) throw this.truncated(1);
    return this.buf[this.pos++]!;
  }

  /**
   * Validates a string or binary length read at `offset` and returns it: not negative, within
   * `maxStringBytes`, and not past the end of the input.
   */
  checkByteLength(length: number, offset: number): number {
    if (length < 0) throw new ProtocolError('NEGATIVE_LENGTH', `negative byte length ${length}`, offset);
    if (length > this.maxStringBytes) {
      throw new ProtocolError('SIZE_LIMIT', `byte length ${length} exceeds the limit of ${this.maxStringBytes}`, offset);
    }
    if (length > this.end - this.pos) {
      throw new ProtocolError(
        'TRUNCATED',
        `byte length ${length} exceeds the ${this.end - this.pos} remaining bytes`,
        offset,
      );
    }
    return length;
  }

  /**
   * Validates a container element count read at `offset`: not negative, within
   * `maxContainerSize`, and `size * minElementBytes` must fit in the remaining input, so no
   * allocation is ever sized by a count the input cannot back.
   */
  checkContainerSize(size: number, minElementBytes: number, offset: number): number {
    if (size < 0) throw new ProtocolError('NEGATIVE_LENGTH', `negative container size ${size}`, offset);
    if (size > this.maxContainerSize) {
      throw new ProtocolError(
        'SIZE_LIMIT',
        `container size ${size} exceeds the limit of ${this.maxContainerSize}`,
        offset,
      );
    }
    if (size * minElementBytes > this.end - this.pos) {
      throw new ProtocolError(
        'TRUNCATED',
        `container size ${size} needs at least ${size * minElementBytes} bytes but ${this.end - this.pos} remain`,
        offset,
      );
    }
    return size;
  }

  /** The big-endian signed 16-bit integer at `offset` (already checked). */
  int16At(offset: number): number {
    const buf = this.buf;
    return ((buf[offset]! << 24) | (buf[offset + 1]! << 16)) >> 16;
  }

  /** The big-endian signed 32-bit integer at `offset` (already checked). */
  int32At(offset: number): number {
    const buf = this.buf;
    return (buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!;
  }

  /** The big-endian signed 64-bit integer at `offset` (already checked). */
  bigInt64At(offset: number): bigint {
    return int64FromHalves(this.int32At(offset), this.int32At(offset + 4) >>> 0);
  }

  /** The IEEE 754 double in the 8 bytes at `offset` (already checked). */
  float64At(offset: number, littleEndian: boolean): number {
    const buf = this.buf;
    const bytes = float64ScratchBytes;
    // Unrolled by hand: V8 does not unroll the equivalent loop.
    if (littleEndian === LITTLE_ENDIAN_HOST) {
      bytes[0] = buf[offset]!;
      bytes[1] = buf[offset + 1]!;
      bytes[2] = buf[offset + 2]!;
      bytes[3] = buf[offset + 3]!;
      bytes[4] = buf[offset + 4]!;
      bytes[5] = buf[offset + 5]!;
      bytes[6] = buf[offset + 6]!;
      bytes[7] = buf[offset + 7]!;
    } else {
      bytes[7] = buf[offset]!;
      bytes[6] = buf[offset + 1]!;
      bytes[5] = buf[offset + 2]!;
      bytes[4] = buf[offset + 3]!;
      bytes[3] = buf[offset + 4]!;
      bytes[2] = buf[offset + 5]!;
      bytes[1] = buf[offset + 6]!;
      bytes[0] = buf[offset + 7]!;
    }
    return float64Scratch[0]!;
  }

  /** Reads `length` bytes (already checked) as strict UTF-8; `offset` is the length prefix's. */
  decodeString(length: number, offset: number): string {
    const start = this.pos;
    const value = decodeUtf8(this.buf, start, start + length);
    if (value === undefined) throw new ProtocolError('INVALID_UTF8', 'string is not well-formed UTF-8', offset);
    this.pos = start + length;
    return value;
  }

  /**
   * Copies `length` bytes (already checked) into a plain `Uint8Array` of their own: never a view
   * of the input (`Buffer#slice` would be one), and never a slice of a shared pool, which a
   * decoded value kept for long would pin.
   */
  copyBytes(length: number): Uint8Array {
    const start = this.pos;
    this.pos = start + length;
    const copy = new Uint8Array(length);
    copy.set(this.buf.subarray(start, start + length));
    return copy;
  }

  /** Reads 16 bytes as a canonical lowercase UUID string. */
  readUuid(): string {
    this.need(16);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 16;
    return (
      HEX[b[p]!]! + HEX[b[p + 1]!]! + HEX[b[p + 2]!]! + HEX[b[p + 3]!]! + '-' +
      HEX[b[p + 4]!]! + HEX[b[p + 5]!]! + '-' +
      HEX[b[p + 6]!]! + HEX[b[p + 7]!]! + '-' +
      HEX[b[p + 8]!]! + HEX[b[p + 9]!]! + '-' +
      HEX[b[p + 10]!]! + HEX[b[p + 11]!]! + HEX[b[p + 12]!]! + HEX[b[p + 13]!]! + HEX[b[p + 14]!]! + HEX[b[p + 15]!]!
    );
  }
}

const TWO_POW_32 = 4294967296;

/**
 * The signed 64-bit integer `high * 2^32 + low` (`high` signed, `low` unsigned 32-bit). Values
 * within 2^53 take one `BigInt(number)`, measured several times cheaper than shifting and or-ing
 * bigints.
 */
export function int64FromHalves(high: number, low: number): bigint {
  if (high >= -0x200000 && high < 0x200000) return BigInt(high * TWO_POW_32 + low);
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Validates a message type id read at `offset`. */
export function checkMessageType(type: number, offset: number): MessageType {
  if (type < MessageType.CALL || type > MessageType.ONEWAY) {
    throw new ProtocolError('INVALID_VALUE', `invalid message type ${type}`, offset);
  }
  return type as MessageType;
}

/** A byte as two lowercase hex digits, for error messages. */
export function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
