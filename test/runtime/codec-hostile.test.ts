/**
 * Hostile input to generated decoders: every failure is a `ProtocolError` with an offset, limits
 * from `ReaderOptions` apply through `decode`, and no allocation is sized by an unchecked count.
 */
import { describe, expect, it } from 'vitest';
import { Containers, TreeNode, Value } from '../../generated/kitchen_sink.js';
import {
  BinaryWriter,
  CompactWriter,
  decode,
  encode,
  ProtocolError,
  TType,
  type Codec,
  type Protocol,
  type ProtocolErrorReason,
  type Writer,
} from '../../runtime/index.js';

const PROTOCOLS: readonly Protocol[] = ['compact', 'binary'];

function bytes(protocol: Protocol, write: (w: Writer) => void): Uint8Array {
  const w = protocol === 'binary' ? new BinaryWriter() : new CompactWriter();
  write(w);
  return Uint8Array.from(w.view());
}

function reasonOf(run: () => unknown): ProtocolErrorReason {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).offset).toBeGreaterThanOrEqual(0);
    return (error as ProtocolError).reason;
  }
  throw new Error('expected a ProtocolError');
}

/** A struct with one list field (`ints`, id 1) whose header is written raw after the field header. */
function listField(protocol: Protocol, rawHeader: number[]): Uint8Array {
  const prefix = bytes(protocol, (w) => {
    w.writeStructBegin();
    w.writeFieldBegin(TType.LIST, 1);
  });
  return Uint8Array.from([...prefix, ...rawHeader]);
}

describe('hostile input to generated decoders', () => {
  it('a list count far beyond the input is TRUNCATED before anything is allocated', () => {
    // Compact: 0xf5 = long form, i32 elements; varint 0x7fffffff.
    expect(reasonOf(() => decode(Containers, listField('compact', [0xf5, 0xff, 0xff, 0xff, 0xff, 0x07]), 'compact'))).toBe('TRUNCATED');
    // Binary: element type i32, size 0x7fffffff.
    expect(reasonOf(() => decode(Containers, listField('binary', [8, 0x7f, 0xff, 0xff, 0xff]), 'binary'))).toBe('TRUNCATED');
  });

  it('a negative list count is NEGATIVE_LENGTH', () => {
    expect(reasonOf(() => decode(Containers, listField('binary', [8, 0xff, 0xff, 0xff, 0xff]), 'binary'))).toBe('NEGATIVE_LENGTH');
  });

  it.each(PROTOCOLS)('deep nesting is DEPTH_LIMIT, in known fields and in skipped ones (%s)', (protocol) => {
    let tree: TreeNode = { label: '', children: [] };
    for (let i = 0; i < 1000; i++) tree = { label: '', children: [tree] };
    expect(reasonOf(() => decode(TreeNode, encode(TreeNode, tree, protocol), protocol))).toBe('DEPTH_LIMIT');

    // An unknown field (id 99) holding 1,000 nested lists: the skip path is limited too.
    const nested = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldBegin(TType.LIST, 99);
      for (let i = 0; i < 1000; i++) w.writeListBegin(TType.LIST, 1);
      w.writeListBegin(TType.I32, 0);
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expect(reasonOf(() => decode(Containers, nested, protocol))).toBe('DEPTH_LIMIT');
    let value: Value = { kind: 'boolValue', value: true };
    for (let i = 0; i < 100; i++) value = { kind: 'listValue', value: [value] };
    expect(reasonOf(() => decode(Value, encode(Value, value, protocol), protocol))).toBe('DEPTH_LIMIT');
    expect(decode(Value, encode(Value, value, protocol), protocol, { maxDepth: 250 })).toStrictEqual(value);
  });

  it.each(PROTOCOLS)('string and container limits from ReaderOptions apply (%s)', (protocol) => {
    const value = Containers.create({ ints: [1, 2, 3], names: new Set(['long name']) });
    const encoded = encode(Containers, value, protocol);
    expect(reasonOf(() => decode(Containers, encoded, protocol, { maxContainerSize: 2 }))).toBe('SIZE_LIMIT');
    expect(reasonOf(() => decode(Containers, encoded, protocol, { maxStringBytes: 4 }))).toBe('SIZE_LIMIT');
    expect(decode(Containers, encoded, protocol, { maxContainerSize: 3, maxStringBytes: 9 })).toStrictEqual(value);
  });

  it.each(PROTOCOLS)('every truncation of a valid encoding is a ProtocolError, and trailing bytes too (%s)', (protocol) => {
    const samples: [Codec<unknown>, Uint8Array][] = [
      [
        Containers as Codec<unknown>,
        encode(Containers, Containers.create({ ints: [1], scores: new Map([['a', 1]]), blobs: [new Uint8Array([1])] }), protocol),
      ],
      [
        Value as Codec<unknown>,
        encode(Value, { kind: 'mapValue', value: new Map<string, Value>([['k', { kind: 'intValue', value: -7n }]]) }, protocol),
      ],
    ];
    for (const [codec, encoded] of samples) {
      for (let end = 0; end < encoded.length; end++) reasonOf(() => decode(codec, encoded.subarray(0, end), protocol));
      expect(reasonOf(() => decode(codec, Uint8Array.from([...encoded, 0]), protocol))).toBe('TRAILING_BYTES');
    }
  });

  it('an undefined wire type in a field header is INVALID_TYPE', () => {
    expect(reasonOf(() => decode(Containers, Uint8Array.from([0x1e]), 'compact'))).toBe('INVALID_TYPE');
    expect(reasonOf(() => decode(Containers, Uint8Array.from([1, 0, 1]), 'binary'))).toBe('INVALID_TYPE');
  });
});
