/**
 * Apache Thrift's Compact protocol (doc/specs/thrift-compact-protocol.md), byte-compatible with
 * the Java, C++ and Python implementations.
 *
 * ```
 * message   : 0x82 | mmmvvvvv (type<<5 | version 1) | seq id varint | name length varint | name
 * field     : ddddtttt (id delta 1..15, compact type)          short form
 *             0000tttt + zigzag varint field id                long form
 *             bool fields: tttt = 1 (true) / 2 (false), no value bytes
 * stop      : 0x00
 * list, set : sssstttt (size 0..14)  |  1111tttt + varint size (>= 15)
 * map       : 0x00 (empty)  |  varint size + kkkkvvvv
 * i16,i32,i64: zigzag varint        i8: 1 byte      double: 8 bytes little-endian
 * binary, string: varint length + bytes             uuid: 16 bytes
 * ```
 *
 * Two de-facto rules the spec text leaves open, chosen to match the reference libraries:
 * - the element type of `list<bool>`/`set<bool>`/maps is written as 1 (the spec says 2; every
 *   reader accepts both);
 * - a bool element is written as 1 (true) or 2 (false) — what Java, C++, Python and Node write
 *   — and read as true for 1, false for 0 or 2; any other byte is `INVALID_VALUE`.
 */

import { ProtocolError } from '../errors.js';
import { ByteReader, checkMessageType, hexByte, int64FromHalves } from './reader.js';
import type { MessageHeader, MessageType, NonBoolValueType, Reader, ReaderOptions, ValueType, WireType, Writer } from './types.js';
import { TType } from './types.js';
import { ByteWriter, type ByteWriterOptions, checkI64, checkInt, checkMessageTypeArgument, checkSize } from './writer.js';

/** The Compact protocol's 4-bit type ids. */
const CompactType = {
  STOP: 0,
  BOOLEAN_TRUE: 1,
  BOOLEAN_FALSE: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
  UUID: 13,
} as const;

const PROTOCOL_ID = 0x82;
const VERSION = 1;
const NOT_A_TYPE = -1;

/** Compact type id for each TType id (index). */
const TO_COMPACT = new Int8Array(17).fill(NOT_A_TYPE);
/** TType id for each compact type id (index); STOP and 14, 15 are not value types. */
const FROM_COMPACT = new Int8Array(16).fill(NOT_A_TYPE);
/** Fewest bytes a value of each TType (index) takes, for container size checks. */
const MIN_BYTES = new Uint8Array(17);

for (const [ttype, compactType, minBytes] of [
  [TType.BOOL, CompactType.BOOLEAN_TRUE, 1],
  [TType.I8, CompactType.I8, 1],
  [TType.I16, CompactType.I16, 1],
  [TType.I32, CompactType.I32, 1],
  [TType.I64, CompactType.I64, 1],
  [TType.DOUBLE, CompactType.DOUBLE, 8],
  [TType.STRING, CompactType.BINARY, 1],
  [TType.LIST, CompactType.LIST, 1],
  [TType.SET, CompactType.SET, 1],
  [TType.MAP, CompactType.MAP, 1],
  [TType.STRUCT, CompactType.STRUCT, 1],
  [TType.UUID, CompactType.UUID, 16],
] as const) {
  TO_COMPACT[ttype] = compactType;
  FROM_COMPACT[compactType] = ttype;
  MIN_BYTES[ttype] = minBytes;
}
FROM_COMPACT[CompactType.BOOLEAN_FALSE] = TType.BOOL;

/** i64 values in [-2^52, 2^52) zigzag to a safe integer, so they take the number fast path. */
const FAST_I64_LIMIT = 2 ** 52;

/** Strings up to this many UTF-16 units encode to under 128 bytes: a one-byte length prefix. */
const ONE_BYTE_PREFIX_MAX_CHARS = 42;

/** Options of a {@link CompactWriter}. */
export type CompactWriterOptions = ByteWriterOptions;

/**
 * Encodes Thrift values with the Compact protocol into a growable, reusable buffer.
 * See {@link Writer} for the call pattern.
 */
export class CompactWriter extends ByteWriter implements Writer {
  private lastFieldId = 0;
  private readonly fieldIdStack: number[] = [];
  private structDepth = 0;

  /** Rewinds to empty for the next message (see {@link ByteWriter.reset}). */
  override reset(): void {
    super.reset();
    this.lastFieldId = 0;
    this.structDepth = 0;
  }

  writeMessageBegin(name: string, type: MessageType, seqId: number): void {
    checkMessageTypeArgument(type);
    checkInt(seqId, 32, 'seq id');
    this.ensure(2);
    this.buf[this.pos++] = PROTOCOL_ID;
    this.buf[this.pos++] = (type << 5) | VERSION;
    this.writeVarint32(seqId);
    this.writeString(name);
  }

  writeStructBegin(): void {
    this.fieldIdStack[this.structDepth++] = this.lastFieldId;
    this.lastFieldId = 0;
  }

  writeStructEnd(): void {
    this.lastFieldId = this.fieldIdStack[--this.structDepth]!;
  }

  writeFieldBegin(type: NonBoolValueType, id: number): void {
    this.writeFieldHeader(TO_COMPACT[type]!, id);
  }

  writeBoolField(id: number, value: boolean): void {
    this.writeFieldHeader(value ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE, id);
  }

  writeFieldStop(): void {
    this.ensure(1);
    this.buf[this.pos++] = CompactType.STOP;
  }

  writeListBegin(elementType: ValueType, size: number): void {
    checkSize(size, 'list size');
    this.writeCollectionHeader(TO_COMPACT[elementType]!, size);
  }

  writeSetBegin(elementType: ValueType, size: number): void {
    checkSize(size, 'set size');
    this.writeCollectionHeader(TO_COMPACT[elementType]!, size);
  }

  writeMapBegin(keyType: ValueType, valueType: ValueType, size: number): void {
    checkSize(size, 'map size');
    if (size === 0) {
      this.ensure(1);
      this.buf[this.pos++] = 0;
      return;
    }
    this.writeVarint32(size);
    this.ensure(1);
    this.buf[this.pos++] = (TO_COMPACT[keyType]! << 4) | TO_COMPACT[valueType]!;
  }

  writeBool(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE;
  }

  writeI8(value: number): void {
    checkInt(value, 8, 'i8');
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  writeI16(value: number): void {
    checkInt(value, 16, 'i16');
    this.writeVarint32((value << 1) ^ (value >> 31));
  }

  writeI32(value: number): void {
    checkInt(value, 32, 'i32');
    this.writeVarint32((value << 1) ^ (value >> 31));
  }

  writeI64(value: bigint): void {
    if (typeof value === 'bigint') {
      // Exact inside (-2^52, 2^52): a value outside converts to a number outside (rounding is
      // monotonic and 2^52 is representable). Cheaper than two bigint comparisons.
      const n = Number(value);
      if (n >= -FAST_I64_LIMIT && n < FAST_I64_LIMIT) {
        this.writeVarintNumber(n >= 0 ? n * 2 : -n * 2 - 1);
        return;
      }
    }
    checkI64(value);
    const zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    this.writeVarint64(Number(zigzag & 0xffffffffn), Number(zigzag >> 32n));
  }

  writeDouble(value: number): void {
    this.ensure(8);
    this.setFloat64At(this.pos, value, true);
    this.pos += 8;
  }

  writeString(value: string): void {
    if (value.length <= ONE_BYTE_PREFIX_MAX_CHARS) {
      // At most 3 bytes per UTF-16 unit, so the length fits the one-byte prefix written after the text.
      this.ensure(1 + value.length * 3);
      const start = this.pos;
      const byteLength = this.encodeUtf8At(value, start + 1);
      this.buf[start] = byteLength;
      this.pos = start + 1 + byteLength;
      return;
    }
    const maxBytes = value.length * 3;
    this.ensure(5 + maxBytes);
    // Guess the prefix width from the worst case; when the real length needs fewer varint bytes,
    // slide the text back (measured cheaper than counting the bytes first).
    const prefixBytes = varintSize(maxBytes);
    const textStart = this.pos + prefixBytes;
    const byteLength = this.encodeUtf8At(value, textStart);
    const actualPrefixBytes = varintSize(byteLength);
    if (actualPrefixBytes !== prefixBytes) {
      this.buf.copyWithin(this.pos + actualPrefixBytes, textStart, textStart + byteLength);
    }
    this.writeVarint32(byteLength);
    this.pos += byteLength;
  }

  writeBinary(value: Uint8Array): void {
    this.writeVarint32(value.length);
    this.writeBytes(value);
  }

  writeUuid(value: string): void {
    this.writeUuidBytes(value);
  }

  private writeFieldHeader(compactType: number, id: number): void {
    const delta = id - this.lastFieldId;
    if (delta > 0 && delta <= 15) {
      this.ensure(1);
      this.buf[this.pos++] = (delta << 4) | compactType;
    } else {
      checkInt(id, 16, 'field id');
      this.ensure(1);
      this.buf[this.pos++] = compactType;
      this.writeVarint32((id << 1) ^ (id >> 31));
    }
    this.lastFieldId = id;
  }

  private writeCollectionHeader(compactType: number, size: number): void {
    if (size < 15) {
      this.ensure(1);
      this.buf[this.pos++] = (size << 4) | compactType;
    } else {
      this.ensure(1);
      this.buf[this.pos++] = 0xf0 | compactType;
      this.writeVarint32(size);
    }
  }

  /** Writes the low 32 bits of `value` as an unsigned varint (1 to 5 bytes). */
  private writeVarint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let p = this.pos;
    let n = value >>> 0;
    while (n > 0x7f) {
      buf[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[p++] = n;
    this.pos = p;
  }

  /** Writes a non-negative safe integer as an unsigned varint. */
  private writeVarintNumber(value: number): void {
    this.ensure(8);
    const buf = this.buf;
    let p = this.pos;
    let n = value;
    while (n > 0x7fffffff) {
      buf[p++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    while (n > 0x7f) {
      buf[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[p++] = n;
    this.pos = p;
  }

  /** Writes the unsigned 64-bit value `high * 2^32 + low` as a varint (1 to 10 bytes). */
  private writeVarint64(low: number, high: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    let lo = low >>> 0;
    let hi = high >>> 0;
    while (hi !== 0 || lo > 0x7f) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }
}

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** Options of a {@link CompactReader}. */
export type CompactReaderOptions = ReaderOptions;

const NO_PENDING_BOOL = -1;

/**
 * Decodes Compact-protocol bytes, bounds-checked and depth-limited; every failure is a
 * `ProtocolError` with the byte offset. See {@link Reader} for the call pattern.
 *
 * A bool field's value travels in its header: after `readFieldBegin()` returns `TType.BOOL`, the
 * next `readBool()` (or `skip(TType.BOOL)`) consumes that value rather than a byte.
 */
export class CompactReader extends ByteReader implements Reader {
  private lastFieldId = 0;
  private readonly fieldIdStack: number[] = [];
  private structDepth = 0;
  /** 1 or 0 after a bool field header, until `readBool`/`skip` consumes it. */
  private pendingBool = NO_PENDING_BOOL;

  /**
   * @param input - the bytes to decode; not copied, so keep them unchanged while reading.
   * @param options - limits.
   */
  constructor(input: Uint8Array, options: CompactReaderOptions = {}) {
    super(input, options);
  }

  override reset(input: Uint8Array): void {
    super.reset(input);
    this.lastFieldId = 0;
    this.structDepth = 0;
    this.pendingBool = NO_PENDING_BOOL;
  }

  readMessageBegin(): MessageHeader {
    const start = this.pos;
    const protocolId = this.readUint8();
    if (protocolId !== PROTOCOL_ID) {
      throw new ProtocolError('BAD_VERSION', `expected compact protocol id 0x82, got 0x${hexByte(protocolId)}`, start);
    }
    const versionAndType = this.readUint8();
    const version = versionAndType & 0x1f;
    if (version !== VERSION) {
      throw new ProtocolError('BAD_VERSION', `unsupported compact protocol version ${version}`, start + 1);
    }
    const type = checkMessageType(versionAndType >> 5, start + 1);
    const seqId = this.readVarint32() | 0;
    const name = this.readString();
    return { name, type, seqId };
  }

  readStructBegin(): void {
    this.enter(this.pos);
    this.fieldIdStack[this.structDepth++] = this.lastFieldId;
    this.lastFieldId = 0;
  }

  readStructEnd(): void {
    this.lastFieldId = this.fieldIdStack[--this.structDepth]!;
    this.leave();
  }

  readFieldBegin(): WireType {
    const start = this.pos;
    if (start >= this.end) throw this.truncated(1);
    const header = this.buf[start]!;
    this.pos = start + 1;
    if (header === 0) return TType.STOP;
    const compactType = header & 0x0f;
    const type = FROM_COMPACT[compactType]!;
    if (type === NOT_A_TYPE) {
      throw new ProtocolError('INVALID_TYPE', `invalid compact field type ${compactType}`, start);
    }
    const delta = header >> 4;
    let id: number;
    if (delta !== 0) {
      id = this.lastFieldId + delta;
      if (id > 0x7fff) throw new ProtocolError('INVALID_VALUE', `field id ${id} exceeds the i16 range`, start);
    } else {
      id = this.readI16();
    }
    this.fieldId = this.lastFieldId = id;
    // BOOLEAN_TRUE (1) -> 1, BOOLEAN_FALSE (2) -> 0.
    this.pendingBool = type === TType.BOOL ? 2 - compactType : NO_PENDING_BOOL;
    return type as WireType;
  }

  readListBegin(): number {
    return this.readCollectionHeader();
  }

  readListEnd(): void {
    this.leave();
  }

  readSetBegin(): number {
    return this.readCollectionHeader();
  }

  readSetEnd(): void {
    this.leave();
  }

  readMapBegin(): number {
    const start = this.pos;
    const size = this.readVarint32() | 0;
    if (size === 0) {
      this.keyType = TType.STOP;
      this.valueType = TType.STOP;
      this.enter(start);
      return 0;
    }
    if (size < 0) throw new ProtocolError('NEGATIVE_LENGTH', `negative container size ${size}`, start);
    const typesOffset = this.pos;
    const types = this.readUint8();
    const keyType = this.elementTypeOf(types >> 4, typesOffset);
    const valueType = this.elementTypeOf(types & 0x0f, typesOffset);
    this.checkContainerSize(size, MIN_BYTES[keyType]! + MIN_BYTES[valueType]!, start);
    this.enter(start);
    this.keyType = keyType;
    this.valueType = valueType;
    return size;
  }

  readMapEnd(): void {
    this.leave();
  }

  readBool(): boolean {
    const pending = this.pendingBool;
    if (pending !== NO_PENDING_BOOL) {
      this.pendingBool = NO_PENDING_BOOL;
      return pending === 1;
    }
    const start = this.pos;
    const byte = this.readUint8();
    if (byte === CompactType.BOOLEAN_TRUE) return true;
    if (byte === CompactType.BOOLEAN_FALSE || byte === 0) return false;
    throw new ProtocolError('INVALID_VALUE', `invalid bool byte 0x${hexByte(byte)}`, start);
  }

  readI8(): number {
    return (this.readUint8() << 24) >> 24;
  }

  readI16(): number {
    const start = this.pos;
    const zigzag = this.readVarint32();
    const value = (zigzag >>> 1) ^ -(zigzag & 1);
    if (value < -0x8000 || value > 0x7fff) {
      throw new ProtocolError('INVALID_VALUE', `i16 value ${value} out of range`, start);
    }
    return value;
  }

  readI32(): number {
    const zigzag = this.readVarint32();
    return (zigzag >>> 1) ^ -(zigzag & 1);
  }

  readI64(): bigint {
    const buf = this.buf;
    const p = this.pos;
    // One-byte varints (-64..63) are the common case for counters and small ids.
    if (p < this.end && buf[p]! < 0x80) {
      const zigzag = buf[p]!;
      this.pos = p + 1;
      return BigInt((zigzag >>> 1) ^ -(zigzag & 1));
    }
    const start = p;
    let lo = 0;
    let hi = 0;
    let i = 0;
    let q = p;
    for (;;) {
      if (q >= this.end) throw this.truncatedVarint(start);
      const b = buf[q++]!;
      if (i < 4) {
        lo |= (b & 0x7f) << (7 * i);
      } else if (i === 4) {
        lo |= (b & 0x7f) << 28;
        hi = (b & 0x7f) >>> 4;
      } else {
        if (i === 9 && b > 1) throw this.invalidVarint(start, 64);
        hi |= (b & 0x7f) << (7 * i - 32);
      }
      if (b < 0x80) break;
      if (++i === 10) throw this.invalidVarint(start, 64);
    }
    this.pos = q;
    // Zigzag-decode the 64-bit value held as (hi, lo) 32-bit halves.
    const negative = lo & 1;
    let low = ((lo >>> 1) | (hi << 31)) >>> 0;
    let high = hi >>> 1;
    if (negative) {
      low = ~low >>> 0;
      high = ~high;
    }
    return int64FromHalves(high | 0, low);
  }

  readDouble(): number {
    if (this.pos + 8 > this.end) throw this.truncated(8);
    const value = this.float64At(this.pos, true);
    this.pos += 8;
    return value;
  }

  readString(): string {
    const start = this.pos;
    // Most strings are shorter than 128 bytes: a one-byte length.
    let length = start < this.end ? this.buf[start]! : 0x80;
    if (length < 0x80) this.pos = start + 1;
    else length = this.readVarint32() | 0;
    return this.decodeString(this.checkByteLength(length, start), start);
  }

  readBinary(): Uint8Array {
    const start = this.pos;
    return this.copyBytes(this.checkByteLength(this.readVarint32() | 0, start));
  }

  skip(type: WireType): void {
    switch (type) {
      case TType.BOOL:
        this.readBool();
        return;
      case TType.I8:
        this.readUint8();
        return;
      case TType.I16:
        this.readI16();
        return;
      case TType.I32:
        this.readVarint32();
        return;
      case TType.I64:
        this.readI64();
        return;
      case TType.DOUBLE:
        this.skipBytes(8);
        return;
      case TType.UUID:
        this.skipBytes(16);
        return;
      case TType.STRING: {
        const start = this.pos;
        const length = this.checkByteLength(this.readVarint32() | 0, start);
        this.pos += length;
        return;
      }
      case TType.STRUCT:
        this.readStructBegin();
        for (let fieldType = this.readFieldBegin(); fieldType !== TType.STOP; fieldType = this.readFieldBegin()) {
          this.skip(fieldType);
        }
        this.readStructEnd();
        return;
      case TType.LIST:
      case TType.SET: {
        const size = this.readCollectionHeader();
        const elementType = this.elementType;
        for (let i = 0; i < size; i++) this.skip(elementType);
        this.leave();
        return;
      }
      case TType.MAP: {
        const size = this.readMapBegin();
        const keyType = this.keyType;
        const valueType = this.valueType;
        for (let i = 0; i < size; i++) {
          this.skip(keyType);
          this.skip(valueType);
        }
        this.leave();
        return;
      }
      default:
        throw new ProtocolError('INVALID_TYPE', `cannot skip a value of type ${String(type)}`, this.pos);
    }
  }

  /** Reads an unsigned varint of at most 32 bits (1 to 5 bytes) as a number in [0, 2^32). */
  private readVarint32(): number {
    const buf = this.buf;
    const end = this.end;
    const start = this.pos;
    let p = start;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) throw this.truncatedVarint(start);
      const b = buf[p++]!;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return result >>> 0;
      }
    }
    if (p >= end) throw this.truncatedVarint(start);
    const last = buf[p++]!;
    if (last > 0x0f) throw this.invalidVarint(start, 32);
    this.pos = p;
    return (result | (last << 28)) >>> 0;
  }

  private readCollectionHeader(): number {
    const start = this.pos;
    const header = this.readUint8();
    const elementType = this.elementTypeOf(header & 0x0f, start);
    let size = header >> 4;
    if (size === 15) size = this.readVarint32() | 0;
    this.checkContainerSize(size, MIN_BYTES[elementType]!, start);
    this.enter(start);
    this.elementType = elementType;
    return size;
  }

  private elementTypeOf(compactType: number, offset: number): ValueType {
    const type = compactType === CompactType.STOP ? NOT_A_TYPE : FROM_COMPACT[compactType]!;
    if (type === NOT_A_TYPE) {
      throw new ProtocolError('INVALID_TYPE', `invalid compact element type ${compactType}`, offset);
    }
    return type as ValueType;
  }

  private skipBytes(byteCount: number): void {
    this.need(byteCount);
    this.pos += byteCount;
  }

  private truncatedVarint(start: number): ProtocolError {
    return new ProtocolError('TRUNCATED', 'input ends inside a varint', start);
  }

  private invalidVarint(start: number, bits: 32 | 64): ProtocolError {
    return new ProtocolError('INVALID_VARINT', `varint does not fit in ${bits} bits`, start);
  }
}
