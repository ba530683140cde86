import { describe, expect, it } from 'vitest';
import { ProtocolError, RpcError } from '../../runtime/errors.js';
import { BinaryReader, BinaryWriter, type BinaryReaderOptions } from '../../runtime/protocol/binary.js';
import { MessageType, TType, type WireType } from '../../runtime/protocol/types.js';
import {
  KITCHEN_SINK_OPS,
  KITCHEN_SINK_VALUES,
  applyOps,
  encodeWithPython,
  fromHex,
  protocolError,
  readKitchenSink,
  toHex,
  type Op,
} from './protocol-test-kit.js';

function encode(write: (w: BinaryWriter) => void, strictWrite = true): string {
  const w = new BinaryWriter({ strictWrite });
  write(w);
  return toHex(w.finish());
}

function reader(hex: string, options: BinaryReaderOptions = {}): BinaryReader {
  return new BinaryReader(fromHex(hex), options);
}

describe('BinaryWriter/BinaryReader primitives (byte vectors from the spec)', () => {
  const cases: { name: string; hex: string; write: (w: BinaryWriter) => void; read: (r: BinaryReader) => unknown; value: unknown }[] = [
    { name: 'bool true', hex: '01', write: (w) => w.writeBool(true), read: (r) => r.readBool(), value: true },
    { name: 'bool false', hex: '00', write: (w) => w.writeBool(false), read: (r) => r.readBool(), value: false },
    { name: 'i8 -128', hex: '80', write: (w) => w.writeI8(-128), read: (r) => r.readI8(), value: -128 },
    { name: 'i16 -2', hex: 'fffe', write: (w) => w.writeI16(-2), read: (r) => r.readI16(), value: -2 },
    { name: 'i16 max', hex: '7fff', write: (w) => w.writeI16(32767), read: (r) => r.readI16(), value: 32767 },
    { name: 'i32 1', hex: '00000001', write: (w) => w.writeI32(1), read: (r) => r.readI32(), value: 1 },
    { name: 'i32 min', hex: '80000000', write: (w) => w.writeI32(-2147483648), read: (r) => r.readI32(), value: -2147483648 },
    { name: 'i64 -2', hex: 'fffffffffffffffe', write: (w) => w.writeI64(-2n), read: (r) => r.readI64(), value: -2n },
    { name: 'i64 max', hex: '7fffffffffffffff', write: (w) => w.writeI64(2n ** 63n - 1n), read: (r) => r.readI64(), value: 2n ** 63n - 1n },
    { name: 'i64 min', hex: '8000000000000000', write: (w) => w.writeI64(-(2n ** 63n)), read: (r) => r.readI64(), value: -(2n ** 63n) },
    { name: 'double 1.0 (big-endian)', hex: '3ff0000000000000', write: (w) => w.writeDouble(1), read: (r) => r.readDouble(), value: 1 },
    { name: 'double -0', hex: '8000000000000000', write: (w) => w.writeDouble(-0), read: (r) => r.readDouble(), value: -0 },
    { name: 'string abc', hex: '00000003616263', write: (w) => w.writeString('abc'), read: (r) => r.readString(), value: 'abc' },
    { name: 'string empty', hex: '00000000', write: (w) => w.writeString(''), read: (r) => r.readString(), value: '' },
    { name: 'string long', hex: '000000c8' + '78'.repeat(200), write: (w) => w.writeString('x'.repeat(200)), read: (r) => r.readString(), value: 'x'.repeat(200) },
    { name: 'binary', hex: '00000002ff00', write: (w) => w.writeBinary(new Uint8Array([255, 0])), read: (r) => r.readBinary(), value: new Uint8Array([255, 0]) },
    {
      name: 'uuid',
      hex: 'f81d4fae7dec11d0a76500a0c91e6bf6',
      write: (w) => w.writeUuid('f81d4fae-7dec-11d0-a765-00a0c91e6bf6'),
      read: (r) => r.readUuid(),
      value: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    },
  ];
  it.each(cases)('$name', ({ hex, write, read, value }) => {
    expect(encode(write)).toBe(hex);
    const r = reader(hex);
    expect(read(r)).toEqual(value);
    r.expectEnd();
  });

  it('writes field headers, bool fields, stop and container headers', () => {
    expect(
      encode((w) => {
        w.writeStructBegin();
        w.writeFieldBegin(TType.I32, 1);
        w.writeI32(5);
        w.writeBoolField(3, true);
        w.writeFieldBegin(TType.STRING, -1);
        w.writeString('');
        w.writeFieldStop();
        w.writeStructEnd();
      }),
    ).toBe('080001' + '00000005' + '020003' + '01' + '0bffff' + '00000000' + '00');
    expect(encode((w) => w.writeListBegin(TType.I32, 2))).toBe('0800000002');
    expect(encode((w) => w.writeSetBegin(TType.UUID, 0))).toBe('1000000000');
    expect(encode((w) => w.writeMapBegin(TType.STRING, TType.I64, 1))).toBe('0b0a00000001');
  });

  it('writes strict and old message headers and reads both', () => {
    expect(encode((w) => w.writeMessageBegin('ping', MessageType.CALL, 1))).toBe('80010001' + '0000000470696e67' + '00000001');
    expect(encode((w) => w.writeMessageBegin('ping', MessageType.REPLY, -1), false)).toBe('0000000470696e67' + '02' + 'ffffffff');
    expect(reader('80010003' + '00000000' + '00000009').readMessageBegin()).toEqual({ name: '', type: 3, seqId: 9 });
    expect(reader('0000000470696e67' + '04' + '00000002').readMessageBegin()).toEqual({ name: 'ping', type: 4, seqId: 2 });
    const strict = protocolError(() => reader('0000000470696e67' + '04' + '00000002', { strictRead: true }).readMessageBegin());
    expect(strict.reason).toBe('BAD_VERSION');
  });

  it('rejects out-of-range values with INVALID_ARGUMENT', () => {
    const w = new BinaryWriter();
    for (const write of [
      () => w.writeI8(-129),
      () => w.writeI16(32768),
      () => w.writeI32(NaN),
      () => w.writeI64(-(2n ** 63n) - 1n),
      () => w.writeFieldBegin(TType.I32, 32768),
      () => w.writeMapBegin(TType.I32, TType.I32, 2 ** 31),
    ]) {
      expect(write).toThrow(RpcError);
    }
  });
});

describe('Binary protocol against Apache Thrift (python3-thrift)', () => {
  it('encodes the kitchen-sink message byte for byte like TBinaryProtocol (strict and old), and reads it back', () => {
    const scripts: { ops: Op[]; strict: boolean }[] = [
      { ops: [...KITCHEN_SINK_OPS], strict: true },
      { ops: [...KITCHEN_SINK_OPS], strict: false },
      { ops: [['i64', -(2n ** 63n)], ['double', -1.5e300], ['string', '日本語'.repeat(50)]], strict: true },
    ];
    const python = encodeWithPython(scripts.map(({ ops, strict }) => ({ protocol: 'binary', strict, ops })));
    scripts.forEach(({ ops, strict }, i) => {
      const w = new BinaryWriter({ strictWrite: strict });
      applyOps(w, ops);
      expect(toHex(w.finish())).toBe(python[i]);
    });
    expect(readKitchenSink(new BinaryReader(fromHex(python[0]!)))).toEqual(KITCHEN_SINK_VALUES);
    expect(readKitchenSink(new BinaryReader(fromHex(python[1]!)))).toEqual(KITCHEN_SINK_VALUES);
  });
});

describe('BinaryReader on malformed input', () => {
  it('throws ProtocolError for every truncation of a valid message, reading or skipping', () => {
    const w = new BinaryWriter();
    applyOps(w, KITCHEN_SINK_OPS);
    const bytes = w.finish();
    for (let length = 0; length < bytes.length; length++) {
      const prefix = bytes.subarray(0, length);
      expect(protocolError(() => readKitchenSink(new BinaryReader(prefix))).reason).toBe('TRUNCATED');
      const skip = protocolError(() => {
        const r = new BinaryReader(prefix);
        r.readMessageBegin();
        r.skip(TType.STRUCT);
      });
      expect(skip.reason).toBe('TRUNCATED');
    }
    const r = new BinaryReader(bytes);
    r.readMessageBegin();
    r.skip(TType.STRUCT);
    r.expectEnd();
  });

  const hostile: { name: string; hex: string; read: (r: BinaryReader) => unknown; reason: string; offset: number }[] = [
    { name: 'string length beyond input', hex: '00000005' + '6162', read: (r) => r.readString(), reason: 'TRUNCATED', offset: 0 },
    { name: 'huge string length', hex: '7fffffff' + '61', read: (r) => r.readBinary(), reason: 'TRUNCATED', offset: 0 },
    { name: 'negative string length', hex: 'ffffffff', read: (r) => r.readString(), reason: 'NEGATIVE_LENGTH', offset: 0 },
    { name: 'negative skipped string', hex: '80000000', read: (r) => r.skip(TType.STRING), reason: 'NEGATIVE_LENGTH', offset: 0 },
    { name: 'list count beyond input', hex: '08' + '7fffffff' + '00000000', read: (r) => r.readListBegin(), reason: 'TRUNCATED', offset: 0 },
    { name: 'list of i64 beyond input', hex: '0a' + '00000002' + '0000000000000000', read: (r) => r.readListBegin(), reason: 'TRUNCATED', offset: 0 },
    { name: 'negative set count', hex: '08' + 'ffffffff', read: (r) => r.readSetBegin(), reason: 'NEGATIVE_LENGTH', offset: 0 },
    { name: 'map count beyond input', hex: '0b0b' + '00000001' + '0000000000', read: (r) => r.readMapBegin(), reason: 'TRUNCATED', offset: 0 },
    { name: 'negative map count', hex: '0808' + '80000000', read: (r) => r.readMapBegin(), reason: 'NEGATIVE_LENGTH', offset: 0 },
    { name: 'field type 1 (void)', hex: '01' + '0001', read: (r) => r.readFieldBegin(), reason: 'INVALID_TYPE', offset: 0 },
    { name: 'field type 17', hex: '11' + '0001', read: (r) => r.readFieldBegin(), reason: 'INVALID_TYPE', offset: 0 },
    { name: 'list element type 0', hex: '00' + '00000000', read: (r) => r.readListBegin(), reason: 'INVALID_TYPE', offset: 0 },
    { name: 'map value type 9', hex: '0809' + '00000000', read: (r) => r.readMapBegin(), reason: 'INVALID_TYPE', offset: 1 },
    { name: 'bool byte 2', hex: '02', read: (r) => r.readBool(), reason: 'INVALID_VALUE', offset: 0 },
    { name: 'invalid UTF-8', hex: '00000001' + '80', read: (r) => r.readString(), reason: 'INVALID_UTF8', offset: 0 },
    { name: 'overlong UTF-8', hex: '00000002' + 'c0af', read: (r) => r.readString(), reason: 'INVALID_UTF8', offset: 0 },
    { name: 'bad version', hex: '80020001' + '00000000' + '00000000', read: (r) => r.readMessageBegin(), reason: 'BAD_VERSION', offset: 0 },
    { name: 'message type 0', hex: '80010000' + '00000000' + '00000000', read: (r) => r.readMessageBegin(), reason: 'INVALID_VALUE', offset: 3 },
    { name: 'old-form message type 9', hex: '00000000' + '09' + '00000000', read: (r) => r.readMessageBegin(), reason: 'INVALID_VALUE', offset: 4 },
    { name: 'skip of STOP', hex: '00', read: (r) => r.skip(TType.STOP), reason: 'INVALID_TYPE', offset: 0 },
    { name: 'skip of unknown type', hex: '00', read: (r) => r.skip(5 as WireType), reason: 'INVALID_TYPE', offset: 0 },
  ];
  it.each(hostile)('$name -> $reason at offset $offset', ({ hex, read, reason, offset }) => {
    const error = protocolError(() => read(reader(hex)));
    expect(error.reason).toBe(reason);
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(`at offset ${offset}`);
  });

  it('enforces maxStringBytes and maxContainerSize', () => {
    expect(protocolError(() => reader('00000003616263', { maxStringBytes: 2 }).readString()).reason).toBe('SIZE_LIMIT');
    expect(protocolError(() => reader('0800000003' + '00'.repeat(12), { maxContainerSize: 2 }).readListBegin()).reason).toBe('SIZE_LIMIT');
  });

  it('limits nesting depth when reading and skipping', () => {
    const nested = '0f00000001'.repeat(64) + '0800000000';
    expect(protocolError(() => reader(nested).skip(TType.LIST)).reason).toBe('DEPTH_LIMIT');
    const structs = '0c0001'.repeat(10) + '00'.repeat(11);
    expect(protocolError(() => reader(structs, { maxDepth: 5 }).skip(TType.STRUCT)).reason).toBe('DEPTH_LIMIT');
    const ok = reader(structs, { maxDepth: 11 });
    ok.skip(TType.STRUCT);
    ok.expectEnd();
  });

  it('skips a value of every type and lands on the next field', () => {
    const w = new BinaryWriter();
    w.writeStructBegin();
    w.writeFieldBegin(TType.I8, 1); w.writeI8(1);
    w.writeFieldBegin(TType.I16, 2); w.writeI16(1);
    w.writeFieldBegin(TType.I32, 3); w.writeI32(1);
    w.writeFieldBegin(TType.I64, 4); w.writeI64(1n);
    w.writeFieldBegin(TType.DOUBLE, 5); w.writeDouble(1);
    w.writeFieldBegin(TType.STRING, 6); w.writeString('x');
    w.writeFieldBegin(TType.UUID, 7); w.writeUuid('00000000-0000-0000-0000-000000000000');
    w.writeBoolField(8, true);
    w.writeFieldBegin(TType.STRUCT, 9); w.writeStructBegin(); w.writeBoolField(1, false); w.writeFieldStop(); w.writeStructEnd();
    w.writeFieldBegin(TType.LIST, 10); w.writeListBegin(TType.STRING, 2); w.writeString('a'); w.writeString('b');
    w.writeFieldBegin(TType.SET, 11); w.writeSetBegin(TType.BOOL, 1); w.writeBool(true);
    w.writeFieldBegin(TType.MAP, 12); w.writeMapBegin(TType.I16, TType.LIST, 1); w.writeI16(3); w.writeListBegin(TType.I8, 0);
    w.writeFieldBegin(TType.I32, 100); w.writeI32(77);
    w.writeFieldStop();
    w.writeStructEnd();
    const r = new BinaryReader(w.finish());
    r.readStructBegin();
    let seen = 0;
    for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
      if (r.fieldId === 100) expect(r.readI32()).toBe(77);
      else r.skip(t);
      seen++;
    }
    r.readStructEnd();
    r.expectEnd();
    expect(seen).toBe(13);
  });
});
