/**
 * Apache Thrift's Binary protocol (doc/specs/thrift-binary-protocol.md): fixed-width big-endian
 * numbers and TType ids on the wire.
 *
 * ```
 * message (strict) : i32 0x80010000 | type | i32 name length | name | i32 seq id
 * message (old)    : i32 name length | name | i8 type | i32 seq id
 * field            : i8 type | i16 id | value          stop: 0x00
 * list, set        : i8 element type | i32 size | elements
 * map              : i8 key type | i8 value type | i32 size | pairs
 * bool, i8: 1 byte   i16: 2   i32: 4   i64, double: 8 (big-endian)   uuid: 16 bytes
 * binary, string   : i32 length | bytes
 * ```
 *
 * Bools are read as false for 0 and true for 1; other bytes are `INVALID_VALUE` (the reference
 * libraries disagree on them, so accepting one would silently mean different things to different
 * peers).
 */

import { ProtocolError } from '../errors.js';
import { ByteReader, checkMessageType, hexByte } from './reader.js';
import type { MessageHeader, MessageType, NonBoolValueType, Reader, ReaderOptions, ValueType, WireType, Writer } from './types.js';
import { TType } from './types.js';
import { ByteWriter, type ByteWriterOptions, checkI64, checkInt, checkMessageTypeArgument, checkSize } from './writer.js';

const VERSION_1 = 0x80010000 | 0;
const VERSION_MASK = 0xffff0000 | 0;

/** Fewest bytes a value of each TType (index) takes; 0 marks ids that are not value types. */
const MIN_BYTES = new Uint8Array(17);
for (const [type, minBytes] of [
  [TType.BOOL, 1],
  [TType.I8, 1],
  [TType.I16, 2],
  [TType.I32, 4],
  [TType.I64, 8],
  [TType.DOUBLE, 8],
  [TType.STRING, 4],
  [TType.STRUCT, 1],
  [TType.MAP, 6],
  [TType.SET, 5],
  [TType.LIST, 5],
  [TType.UUID, 16],
] as const) {
  MIN_BYTES[type] = minBytes;
}

/** Options of a {@link BinaryWriter}. */
export interface BinaryWriterOptions extends ByteWriterOptions {
  /**
   * Write the strict (versioned) message header. Default true; false writes the old
   * unversioned form, for peers that predate it.
   */
  readonly strictWrite?: boolean;
}

/**
 * Encodes Thrift values with the Binary protocol into a growable, reusable buffer.
 * See {@link Writer} for the call pattern.
 */
export class BinaryWriter extends ByteWriter implements Writer {
  private readonly strictWrite: boolean;

  constructor(options: BinaryWriterOptions = {}) {
    super(options);
    this.strictWrite = options.strictWrite ?? true;
  }

  writeMessageBegin(name: string, type: MessageType, seqId: number): void {
    checkMessageTypeArgument(type);
    checkInt(seqId, 32, 'seq id');
    if (this.strictWrite) {
      this.writeI32(VERSION_1 | type);
      this.writeString(name);
    } else {
      this.writeString(name);
      this.writeI8(type);
    }
    this.writeI32(seqId);
  }

  /** A no-op in this protocol; present so generated code is protocol-neutral. */
  writeStructBegin(): void {}

  /** A no-op in this protocol; present so generated code is protocol-neutral. */
  writeStructEnd(): void {}

  writeFieldBegin(type: NonBoolValueType, id: number): void {
    this.writeFieldHeader(type, id);
  }

  writeBoolField(id: number, value: boolean): void {
    this.writeFieldHeader(TType.BOOL, id);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  writeFieldStop(): void {
    this.ensure(1);
    this.buf[this.pos++] = TType.STOP;
  }

  writeListBegin(elementType: ValueType, size: number): void {
    checkSize(size, 'list size');
    this.writeCollectionHeader(elementType, size);
  }

  writeSetBegin(elementType: ValueType, size: number): void {
    checkSize(size, 'set size');
    this.writeCollectionHeader(elementType, size);
  }

  writeMapBegin(keyType: ValueType, valueType: ValueType, size: number): void {
    checkSize(size, 'map size');
    this.ensure(6);
    this.buf[this.pos] = keyType;
    this.buf[this.pos + 1] = valueType;
    this.setInt32At(this.pos + 2, size);
    this.pos += 6;
  }

  writeBool(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  writeI8(value: number): void {
    checkInt(value, 8, 'i8');
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  writeI16(value: number): void {
    checkInt(value, 16, 'i16');
    this.ensure(2);
    this.setInt16At(this.pos, value);
    this.pos += 2;
  }

  writeI32(value: number): void {
    checkInt(value, 32, 'i32');
    this.ensure(4);
    this.setInt32At(this.pos, value);
    this.pos += 4;
  }

  writeI64(value: bigint): void {
    checkI64(value);
    this.ensure(8);
    this.setBigInt64At(this.pos, value);
    this.pos += 8;
  }

  writeDouble(value: number): void {
    this.ensure(8);
    this.setFloat64At(this.pos, value, false);
    this.pos += 8;
  }

  writeString(value: string): void {
    this.ensure(4 + value.length * 3);
    const byteLength = this.encodeUtf8At(value, this.pos + 4);
    this.setInt32At(this.pos, byteLength);
    this.pos += 4 + byteLength;
  }

  writeBinary(value: Uint8Array): void {
    this.ensure(4 + value.length);
    this.setInt32At(this.pos, value.length);
    this.buf.set(value, this.pos + 4);
    this.pos += 4 + value.length;
  }

  writeUuid(value: string): void {
    this.writeUuidBytes(value);
  }

  private writeFieldHeader(type: ValueType, id: number): void {
    checkInt(id, 16, 'field id');
    this.ensure(4);
    this.buf[this.pos] = type;
    this.setInt16At(this.pos + 1, id);
    this.pos += 3;
  }

  private writeCollectionHeader(elementType: ValueType, size: number): void {
    this.ensure(5);
    this.buf[this.pos] = elementType;
    this.setInt32At(this.pos + 1, size);
    this.pos += 5;
  }
}

/** Options of a {@link BinaryReader}. */
export interface BinaryReaderOptions extends ReaderOptions {
  /**
   * Reject the old unversioned message header (`BAD_VERSION`). Default false: both forms are
   * accepted, as the reference libraries do by default.
   */
  readonly strictRead?: boolean;
}

/**
 * Decodes Binary-protocol bytes, bounds-checked and depth-limited; every failure is a
 * `ProtocolError` with the byte offset. See {@link Reader} for the call pattern.
 */
export class BinaryReader extends ByteReader implements Reader {
  private readonly strictRead: boolean;

  /**
   * @param input - the bytes to decode; not copied, so keep them unchanged while reading.
   * @param options - limits and header strictness.
   */
  constructor(input: Uint8Array, options: BinaryReaderOptions = {}) {
    super(input, options);
    this.strictRead = options.strictRead ?? false;
  }

  readMessageBegin(): MessageHeader {
    const start = this.pos;
    const first = this.readI32();
    if (first < 0) {
      if ((first & VERSION_MASK) !== VERSION_1) {
        throw new ProtocolError('BAD_VERSION', `unsupported binary protocol version 0x${(first >>> 16).toString(16)}`, start);
      }
      const type = checkMessageType(first & 0xff, start + 3);
      const name = this.readString();
      const seqId = this.readI32();
      return { name, type, seqId };
    }
    if (this.strictRead) {
      throw new ProtocolError('BAD_VERSION', 'message header has no version (old binary format) but strictRead is set', start);
    }
    const name = this.decodeString(this.checkByteLength(first, start), start);
    const typeOffset = this.pos;
    const type = checkMessageType(this.readUint8(), typeOffset);
    const seqId = this.readI32();
    return { name, type, seqId };
  }

  readStructBegin(): void {
    this.enter(this.pos);
  }

  readStructEnd(): void {
    this.leave();
  }

  readFieldBegin(): WireType {
    const start = this.pos;
    const type = this.readUint8();
    if (type === TType.STOP) return TType.STOP;
    this.checkValueType(type, start);
    if (this.pos + 2 > this.end) throw this.truncated(2);
    this.fieldId = this.int16At(this.pos);
    this.pos += 2;
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
    this.need(6);
    const keyType = this.checkValueType(this.buf[start]!, start);
    const valueType = this.checkValueType(this.buf[start + 1]!, start + 1);
    const size = this.int32At(start + 2);
    this.pos = start + 6;
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
    const start = this.pos;
    const byte = this.readUint8();
    if (byte === 1) return true;
    if (byte === 0) return false;
    throw new ProtocolError('INVALID_VALUE', `invalid bool byte 0x${hexByte(byte)}`, start);
  }

  readI8(): number {
    return (this.readUint8() << 24) >> 24;
  }

  readI16(): number {
    if (this.pos + 2 > this.end) throw this.truncated(2);
    const value = this.int16At(this.pos);
    this.pos += 2;
    return value;
  }

  readI32(): number {
    if (this.pos + 4 > this.end) throw this.truncated(4);
    const value = this.int32At(this.pos);
    this.pos += 4;
    return value;
  }

  readI64(): bigint {
    if (this.pos + 8 > this.end) throw this.truncated(8);
    const value = this.bigInt64At(this.pos);
    this.pos += 8;
    return value;
  }

  readDouble(): number {
    if (this.pos + 8 > this.end) throw this.truncated(8);
    const value = this.float64At(this.pos, false);
    this.pos += 8;
    return value;
  }

  readString(): string {
    const start = this.pos;
    const length = this.checkByteLength(this.readI32(), start);
    return this.decodeString(length, start);
  }

  readBinary(): Uint8Array {
    const start = this.pos;
    return this.copyBytes(this.checkByteLength(this.readI32(), start));
  }

  skip(type: WireType): void {
    switch (type) {
      case TType.BOOL:
        this.readBool();
        return;
      case TType.I8:
      case TType.I16:
      case TType.I32:
      case TType.I64:
      case TType.DOUBLE:
      case TType.UUID:
        this.need(MIN_BYTES[type]!);
        this.pos += MIN_BYTES[type]!;
        return;
      case TType.STRING: {
        const start = this.pos;
        const length = this.checkByteLength(this.readI32(), start);
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

  private readCollectionHeader(): number {
    const start = this.pos;
    this.need(5);
    const elementType = this.checkValueType(this.buf[start]!, start);
    const size = this.int32At(start + 1);
    this.pos = start + 5;
    this.checkContainerSize(size, MIN_BYTES[elementType]!, start);
    this.enter(start);
    this.elementType = elementType;
    return size;
  }

  private checkValueType(type: number, offset: number): ValueType {
    if (type > TType.UUID || MIN_BYTES[type] === 0) {
      throw new ProtocolError('INVALID_TYPE', `invalid binary type id ${type}`, offset);
    }
    return type as ValueType;
  }
}
