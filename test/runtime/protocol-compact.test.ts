import { describe, expect, it } from 'vitest';
import { ProtocolError, RpcError } from '../../runtime/errors.js';
import { CompactReader, CompactWriter } from '../../runtime/protocol/compact.js';
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

function encode(write: (w: CompactWriter) => void): string {
  const w = new CompactWriter();
  write(w);
  return toHex(w.finish());
}

function reader(hex: string, options = {}): CompactReader {
  return new CompactReader(fromHex(hex), options);
}

describe('CompactWriter/CompactReader primitives (byte vectors from the spec)', () => {
  const cases: { name: string; hex: string; write: (w: CompactWriter) => void; read: (r: CompactReader) => unknown; value: unknown }[] = [
    { name: 'i8 -1', hex: 'ff', write: (w) => w.writeI8(-1), read: (r) => r.readI8(), value: -1 },
    { name: 'i8 127', hex: '7f', write: (w) => w.writeI8(127), read: (r) => r.readI8(), value: 127 },
    { name: 'i16 0', hex: '00', write: (w) => w.writeI16(0), read: (r) => r.readI16(), value: 0 },
    { name: 'i16 -1', hex: '01', write: (w) => w.writeI16(-1), read: (r) => r.readI16(), value: -1 },
    { name: 'i16 32767', hex: 'feff03', write: (w) => w.writeI16(32767), read: (r) => r.readI16(), value: 32767 },
    { name: 'i16 -32768', hex: 'ffff03', write: (w) => w.writeI16(-32768), read: (r) => r.readI16(), value: -32768 },
    { name: 'i32 1', hex: '02', write: (w) => w.writeI32(1), read: (r) => r.readI32(), value: 1 },
    { name: 'i32 -2', hex: '03', write: (w) => w.writeI32(-2), read: (r) => r.readI32(), value: -2 },
    // The spec's varint example: 50399 = DF 89 03 is the zigzag of -25200.
    { name: 'i32 -25200', hex: 'df8903', write: (w) => w.writeI32(-25200), read: (r) => r.readI32(), value: -25200 },
    { name: 'i32 max', hex: 'feffffff0f', write: (w) => w.writeI32(2147483647), read: (r) => r.readI32(), value: 2147483647 },
    { name: 'i32 min', hex: 'ffffffff0f', write: (w) => w.writeI32(-2147483648), read: (r) => r.readI32(), value: -2147483648 },
    { name: 'i64 0', hex: '00', write: (w) => w.writeI64(0n), read: (r) => r.readI64(), value: 0n },
    { name: 'i64 -1', hex: '01', write: (w) => w.writeI64(-1n), read: (r) => r.readI64(), value: -1n },
    { name: 'i64 64', hex: '8001', write: (w) => w.writeI64(64n), read: (r) => r.readI64(), value: 64n },
    { name: 'i64 2^52-1', hex: 'feffffffffffff0f', write: (w) => w.writeI64(2n ** 52n - 1n), read: (r) => r.readI64(), value: 2n ** 52n - 1n },
    { name: 'i64 2^52', hex: '8080808080808010', write: (w) => w.writeI64(2n ** 52n), read: (r) => r.readI64(), value: 2n ** 52n },
    { name: 'i64 -2^53-1', hex: '8180808080808020', write: (w) => w.writeI64(-(2n ** 53n) - 1n), read: (r) => r.readI64(), value: -(2n ** 53n) - 1n },
    { name: 'i64 max', hex: 'feffffffffffffffff01', write: (w) => w.writeI64(2n ** 63n - 1n), read: (r) => r.readI64(), value: 2n ** 63n - 1n },
    { name: 'i64 min', hex: 'ffffffffffffffffff01', write: (w) => w.writeI64(-(2n ** 63n)), read: (r) => r.readI64(), value: -(2n ** 63n) },
    { name: 'double 1.0 (little-endian)', hex: '000000000000f03f', write: (w) => w.writeDouble(1), read: (r) => r.readDouble(), value: 1 },
    { name: 'double -0', hex: '0000000000000080', write: (w) => w.writeDouble(-0), read: (r) => r.readDouble(), value: -0 },
    { name: 'bool element true', hex: '01', write: (w) => w.writeBool(true), read: (r) => r.readBool(), value: true },
    { name: 'bool element false', hex: '02', write: (w) => w.writeBool(false), read: (r) => r.readBool(), value: false },
    { name: 'string empty', hex: '00', write: (w) => w.writeString(''), read: (r) => r.readString(), value: '' },
    { name: 'string abc', hex: '03616263', write: (w) => w.writeString('abc'), read: (r) => r.readString(), value: 'abc' },
    { name: 'string é', hex: '02c3a9', write: (w) => w.writeString('é'), read: (r) => r.readString(), value: 'é' },
    { name: 'string astral', hex: '04f09f9880', write: (w) => w.writeString('😀'), read: (r) => r.readString(), value: '😀' },
    { name: 'binary', hex: '030102ff', write: (w) => w.writeBinary(new Uint8Array([1, 2, 255])), read: (r) => r.readBinary(), value: new Uint8Array([1, 2, 255]) },
    {
      name: 'uuid',
      hex: '00112233445566778899aabbccddeeff',
      write: (w) => w.writeUuid('00112233-4455-6677-8899-AABBCCDDEEFF'),
      read: (r) => r.readUuid(),
      value: '00112233-4455-6677-8899-aabbccddeeff',
    },
  ];
  it.each(cases)('$name', ({ hex, write, read, value }) => {
    expect(encode(write)).toBe(hex);
    const r = reader(hex);
    expect(read(r)).toEqual(value);
    r.expectEnd();
  });

  it('reads bool element 0 as false (the spec form) and rejects other bytes', () => {
    expect(reader('00').readBool()).toBe(false);
    expect(protocolError(() => reader('03').readBool()).reason).toBe('INVALID_VALUE');
  });

  it('writes a string whose varint prefix is narrower than the worst-case guess', () => {
    const s = 'x'.repeat(100);
    expect(encode((w) => w.writeString(s))).toBe('64' + '78'.repeat(100));
    const long = 'x'.repeat(6000);
    expect(encode((w) => w.writeString(long))).toBe('f02e' + '78'.repeat(6000));
    const wide = 'é'.repeat(5000);
    const hex = encode((w) => w.writeString(wide));
    expect(hex.slice(0, 4)).toBe('904e');
    expect(reader(hex).readString()).toBe(wide);
  });
});

describe('CompactWriter structure (spec vectors)', () => {
  it('writes short and long field headers, packed bools and stop', () => {
    const hex = encode((w) => {
      w.writeStructBegin();
      w.writeFieldBegin(TType.I32, 1); // delta 1, type 5
      w.writeI32(0);
      w.writeBoolField(2, true); // delta 1, type 1
      w.writeBoolField(3, false); // delta 1, type 2
      w.writeFieldBegin(TType.STRING, 20); // delta 17: long form, zigzag(20) = 40
      w.writeString('');
      w.writeFieldBegin(TType.I8, 5); // negative delta: long form
      w.writeI8(1);
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expect(hex).toBe('15' + '00' + '11' + '12' + '0828' + '00' + '030a' + '01' + '00');
  });

  it('restores the last field id after a nested struct', () => {
    const hex = encode((w) => {
      w.writeStructBegin();
      w.writeFieldBegin(TType.STRUCT, 3);
      w.writeStructBegin();
      w.writeFieldBegin(TType.I32, 10);
      w.writeI32(1);
      w.writeFieldStop();
      w.writeStructEnd();
      w.writeFieldBegin(TType.I32, 4); // delta 1 from 3, not from 10
      w.writeI32(1);
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expect(hex).toBe('3c' + 'a502' + '00' + '1502' + '00');
  });

  it('writes container headers in short, long and empty-map forms', () => {
    expect(encode((w) => w.writeListBegin(TType.I32, 3))).toBe('35');
    expect(encode((w) => w.writeListBegin(TType.I32, 14))).toBe('e5');
    expect(encode((w) => w.writeListBegin(TType.I32, 15))).toBe('f50f');
    expect(encode((w) => w.writeListBegin(TType.BOOL, 0))).toBe('01');
    expect(encode((w) => w.writeSetBegin(TType.STRING, 300))).toBe('f8ac02');
    expect(encode((w) => w.writeMapBegin(TType.STRING, TType.I32, 0))).toBe('00');
    expect(encode((w) => w.writeMapBegin(TType.STRING, TType.I32, 1))).toBe('0185');
    expect(encode((w) => w.writeListBegin(TType.UUID, 1))).toBe('1d');
  });

  it('reads the spec element type 2 for bool lists as well as the de-facto 1', () => {
    const r = reader('12' + '01');
    expect(r.readListBegin()).toBe(1);
    expect(r.elementType).toBe(TType.BOOL);
    expect(r.readBool()).toBe(true);
  });

  it('writes and reads message envelopes', () => {
    expect(encode((w) => w.writeMessageBegin('ping', MessageType.CALL, 1))).toBe('8221' + '01' + '0470696e67');
    expect(encode((w) => w.writeMessageBegin('', MessageType.ONEWAY, -1))).toBe('8281' + 'ffffffff0f' + '00');
    expect(reader('8281ffffffff0f00').readMessageBegin()).toEqual({ name: '', type: 4, seqId: -1 });
    expect(reader('8241070470696e67').readMessageBegin()).toEqual({ name: 'ping', type: 2, seqId: 7 });
    expect(reader('8241fcffffff0f0470696e67').readMessageBegin()).toEqual({ name: 'ping', type: 2, seqId: -4 });
  });

  it('rejects out-of-range values with INVALID_ARGUMENT', () => {
    const w = new CompactWriter();
    for (const write of [
      () => w.writeI8(128),
      () => w.writeI16(40000),
      () => w.writeI32(2 ** 31),
      () => w.writeI32(1.5),
      () => w.writeI64(2n ** 63n),
      () => w.writeUuid('not-a-uuid'),
      () => w.writeUuid('00112233-4455-6677-8899-aabbccddeefg'),
      () => w.writeListBegin(TType.I32, -1),
      () => w.writeMessageBegin('x', 7 as MessageType, 0),
      () => w.writeFieldBegin(TType.I32, 40000),
    ]) {
      expect(write).toThrow(RpcError);
      try {
        write();
      } catch (error) {
        expect((error as RpcError).code).toBe('INVALID_ARGUMENT');
      }
    }
  });

  it('reuses its buffer across reset() and grows by doubling', () => {
    const w = new CompactWriter({ initialBytes: 16 });
    w.writeBinary(new Uint8Array(100));
    expect(w.length).toBe(101);
    const first = w.finish();
    w.reset();
    expect(w.length).toBe(0);
    w.writeI32(1);
    expect(toHex(w.view())).toBe('02');
    expect(first.length).toBe(101);
    const big = new CompactWriter({ initialBytes: 16, maxRetainedBytes: 64 });
    big.writeBinary(new Uint8Array(1000));
    big.reset();
    expect(big.buf.length).toBe(16);
  });
});

describe('Compact protocol against Apache Thrift (python3-thrift)', () => {
  it('encodes the kitchen-sink message byte for byte like TCompactProtocol, and reads it back', () => {
    const scripts: Op[][] = [
      [...KITCHEN_SINK_OPS],
      [['message', 'x', 4, -2147483648]],
      [['i64', -(2n ** 63n)], ['i64', 2n ** 63n - 1n], ['i64', 123456789012345n], ['i32', -1], ['i16', -32768]],
      [['string', 'x'.repeat(200)], ['string', '日本語'.repeat(50)], ['double', -1.5e300]],
      [['list', 8, 20], ...Array.from({ length: 20 }, (_, i): Op => ['i32', i * 1000 - 5000]), ['containerEnd']],
    ];
    const python = encodeWithPython(scripts.map((ops) => ({ protocol: 'compact', ops })));
    scripts.forEach((ops, i) => {
      const w = new CompactWriter();
      applyOps(w, ops);
      expect(toHex(w.finish())).toBe(python[i]);
    });
    expect(readKitchenSink(new CompactReader(fromHex(python[0]!)))).toEqual(KITCHEN_SINK_VALUES);
  });
});

function kitchenSinkBytes(): Uint8Array {
  const w = new CompactWriter();
  applyOps(w, KITCHEN_SINK_OPS);
  return w.finish();
}

describe('CompactReader on malformed input', () => {
  it('throws ProtocolError for every truncation of a valid message, reading or skipping', () => {
    const bytes = kitchenSinkBytes();
    for (let length = 0; length < bytes.length; length++) {
      const prefix = bytes.subarray(0, length);
      const read = protocolError(() => readKitchenSink(new CompactReader(prefix)));
      expect(read.reason).toBe('TRUNCATED');
      expect(read.offset).toBeLessThanOrEqual(length);
      const skip = protocolError(() => {
        const r = new CompactReader(prefix);
        r.readMessageBegin();
        r.skip(TType.STRUCT);
      });
      expect(skip.reason).toBe('TRUNCATED');
    }
    const r = new CompactReader(bytes);
    r.readMessageBegin();
    r.skip(TType.STRUCT);
    r.expectEnd();
  });

  const hostile: { name: string; hex: string; read: (r: CompactReader) => unknown; reason: string; offset: number }[] = [
    { name: 'string length beyond input', hex: '05' + '6162', read: (r) => r.readString(), reason: 'TRUNCATED', offset: 0 },
    { name: 'huge string length', hex: 'ffffffff07' + '61', read: (r) => r.readString(), reason: 'TRUNCATED', offset: 0 },
    { name: 'negative string length', hex: 'ffffffff0f', read: (r) => r.readBinary(), reason: 'NEGATIVE_LENGTH', offset: 0 },
    { name: 'negative skipped string length', hex: 'ffffffff0f', read: (r) => r.skip(TType.STRING), reason: 'NEGATIVE_LENGTH', offset: 0 },
    { name: 'list count beyond input', hex: 'f5ffffffff07' + '00', read: (r) => r.readListBegin(), reason: 'TRUNCATED', offset: 0 },
    { name: 'list of doubles beyond input', hex: '27' + '0000000000000000', read: (r) => r.readListBegin(), reason: 'TRUNCATED', offset: 0 },
    { name: 'negative list count', hex: 'f5ffffffff0f', read: (r) => r.readListBegin(), reason: 'NEGATIVE_LENGTH', offset: 0 },
    { name: 'map count beyond input', hex: 'ffffffff07' + '55', read: (r) => r.readMapBegin(), reason: 'TRUNCATED', offset: 0 },
    { name: 'negative map count', hex: 'ffffffff0f' + '55', read: (r) => r.readMapBegin(), reason: 'NEGATIVE_LENGTH', offset: 0 },
    { name: 'six-byte varint32', hex: '808080808001', read: (r) => r.readI32(), reason: 'INVALID_VARINT', offset: 0 },
    { name: 'varint32 with bits past 32', hex: '8080808010', read: (r) => r.readI32(), reason: 'INVALID_VARINT', offset: 0 },
    { name: 'eleven-byte varint64', hex: '8080808080808080808001', read: (r) => r.readI64(), reason: 'INVALID_VARINT', offset: 0 },
    { name: 'varint64 with bits past 64', hex: '80808080808080808002', read: (r) => r.readI64(), reason: 'INVALID_VARINT', offset: 0 },
    { name: 'i16 out of range', hex: '808004', read: (r) => r.readI16(), reason: 'INVALID_VALUE', offset: 0 },
    { name: 'field type 14', hex: '1e', read: (r) => r.readFieldBegin(), reason: 'INVALID_TYPE', offset: 0 },
    { name: 'stop nibble with a delta', hex: '10', read: (r) => r.readFieldBegin(), reason: 'INVALID_TYPE', offset: 0 },
    { name: 'list element type 0', hex: '10', read: (r) => r.readListBegin(), reason: 'INVALID_TYPE', offset: 0 },
    { name: 'map value type 15', hex: '01' + '5f', read: (r) => r.readMapBegin(), reason: 'INVALID_TYPE', offset: 1 },
    { name: 'invalid UTF-8', hex: '02' + 'c328', read: (r) => r.readString(), reason: 'INVALID_UTF8', offset: 0 },
    { name: 'UTF-8 surrogate', hex: '03' + 'eda080', read: (r) => r.readString(), reason: 'INVALID_UTF8', offset: 0 },
    { name: 'long invalid UTF-8', hex: '28' + '61'.repeat(39) + 'ff', read: (r) => r.readString(), reason: 'INVALID_UTF8', offset: 0 },
    { name: 'protocol id', hex: '8021', read: (r) => r.readMessageBegin(), reason: 'BAD_VERSION', offset: 0 },
    { name: 'version', hex: '8222', read: (r) => r.readMessageBegin(), reason: 'BAD_VERSION', offset: 1 },
    { name: 'message type 0', hex: '8201', read: (r) => r.readMessageBegin(), reason: 'INVALID_VALUE', offset: 1 },
    { name: 'message type 5', hex: '82a1', read: (r) => r.readMessageBegin(), reason: 'INVALID_VALUE', offset: 1 },
    { name: 'skip of STOP', hex: '00', read: (r) => r.skip(TType.STOP), reason: 'INVALID_TYPE', offset: 0 },
    { name: 'skip of unknown type', hex: '00', read: (r) => r.skip(7 as WireType), reason: 'INVALID_TYPE', offset: 0 },
    { name: 'trailing bytes', hex: '0000', read: (r) => { r.readI32(); r.expectEnd(); }, reason: 'TRAILING_BYTES', offset: 1 },
    { name: 'field id past i16 by delta', hex: '0c' + 'fcff03' + 'f5', read: (r) => { r.readStructBegin(); r.readFieldBegin(); r.readStructBegin(); r.readStructEnd(); r.readFieldBegin(); r.readFieldBegin(); }, reason: 'INVALID_VALUE', offset: 4 },
  ];
  it.each(hostile)('$name -> $reason at offset $offset', ({ hex, read, reason, offset }) => {
    const error = protocolError(() => read(reader(hex)));
    expect(error.reason).toBe(reason);
    expect(error.offset).toBe(offset);
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toContain(`at offset ${offset}`);
  });

  it('enforces maxStringBytes and maxContainerSize', () => {
    expect(protocolError(() => reader('03616263', { maxStringBytes: 2 }).readString()).reason).toBe('SIZE_LIMIT');
    expect(reader('03616263', { maxStringBytes: 3 }).readString()).toBe('abc');
    expect(protocolError(() => reader('3500', { maxContainerSize: 2 }).readListBegin()).reason).toBe('SIZE_LIMIT');
    expect(protocolError(() => reader('03' + '55', { maxContainerSize: 2 }).readMapBegin()).reason).toBe('SIZE_LIMIT');
  });

  it('limits nesting depth when reading and skipping', () => {
    // 65 nested list<list<...>> headers of one element each.
    const nested = '19'.repeat(64) + '09';
    const deep = protocolError(() => {
      const r = reader(nested);
      for (let i = 0; i < 65; i++) r.readListBegin();
    });
    expect(deep.reason).toBe('DEPTH_LIMIT');
    expect(deep.offset).toBe(64);
    expect(protocolError(() => reader(nested).skip(TType.LIST)).reason).toBe('DEPTH_LIMIT');
    expect(protocolError(() => reader('1c'.repeat(10), { maxDepth: 3 }).skip(TType.STRUCT)).reason).toBe('DEPTH_LIMIT');
    const fine = reader('19'.repeat(63) + '09');
    fine.skip(TType.LIST);
    fine.expectEnd();
  });

  it('skips a value of every type and lands on the next field', () => {
    const w = new CompactWriter();
    const values: [number, (w: CompactWriter) => void][] = [
      [TType.I8, (x) => x.writeI8(-1)],
      [TType.I16, (x) => x.writeI16(-1000)],
      [TType.I32, (x) => x.writeI32(1 << 30)],
      [TType.I64, (x) => x.writeI64(-(2n ** 62n))],
      [TType.DOUBLE, (x) => x.writeDouble(Math.PI)],
      [TType.STRING, (x) => x.writeString('skip me')],
      [TType.UUID, (x) => x.writeUuid('00112233-4455-6677-8899-aabbccddeeff')],
      [TType.STRUCT, (x) => { x.writeStructBegin(); x.writeBoolField(1, true); x.writeFieldStop(); x.writeStructEnd(); }],
      [TType.LIST, (x) => { x.writeListBegin(TType.BOOL, 2); x.writeBool(true); x.writeBool(false); }],
      [TType.SET, (x) => { x.writeSetBegin(TType.STRING, 1); x.writeString('a'); }],
      [TType.MAP, (x) => { x.writeMapBegin(TType.I32, TType.DOUBLE, 1); x.writeI32(1); x.writeDouble(2); }],
    ];
    w.writeStructBegin();
    let id = 1;
    for (const [type, write] of values) {
      w.writeFieldBegin(type as never, id++);
      write(w);
    }
    w.writeBoolField(id, false);
    w.writeFieldBegin(TType.I32, 100);
    w.writeI32(77);
    w.writeFieldStop();
    w.writeStructEnd();
    const r = new CompactReader(w.finish());
    r.readStructBegin();
    for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
      if (r.fieldId === 100) expect(r.readI32()).toBe(77);
      else r.skip(t);
    }
    r.readStructEnd();
    r.expectEnd();
  });
});
