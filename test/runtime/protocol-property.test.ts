import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../runtime/errors.js';
import { BinaryReader, BinaryWriter } from '../../runtime/protocol/binary.js';
import { CompactReader, CompactWriter } from '../../runtime/protocol/compact.js';
import { TType, type Reader, type ValueType, type WireType, type Writer } from '../../runtime/protocol/types.js';
import { decodeUtf8, encodeUtf8Into, SHORT_STRING_BYTES } from '../../runtime/protocol/utf8.js';

interface Protocol {
  readonly name: string;
  writer(): Writer;
  reader(bytes: Uint8Array): Reader;
}

const PROTOCOLS: readonly Protocol[] = [
  { name: 'compact', writer: () => new CompactWriter({ initialBytes: 16 }), reader: (b) => new CompactReader(b) },
  { name: 'binary', writer: () => new BinaryWriter({ initialBytes: 16 }), reader: (b) => new BinaryReader(b) },
];

/** What a string decodes to after a UTF-8 round trip: lone surrogates become U+FFFD. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Any UTF-16 string, including lone surrogates and astral characters. */
const anyUtf16 = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 80 }).map((units) => String.fromCharCode(...units)),
  fc.string({ unit: 'grapheme-ascii', minLength: 30, maxLength: 300 }),
);

// The fast paths switch at 2^52 (compact zigzag), 2^53 (binary) and 2^21 * 2^32 (reading).
const I64_EXTREMES = [
  -(2n ** 63n), 2n ** 63n - 1n, 0n, -1n,
  ...[52n, 53n].flatMap((bits) => [-(2n ** bits), 2n ** bits - 1n, 2n ** bits, -(2n ** bits) - 1n, 2n ** bits + 1n]),
  2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n), -(2n ** 32n) - 1n,
];
const anyI64 = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(...I64_EXTREMES), fc.bigInt({ min: -1000n, max: 1000n }));

/** A typed value tree: what a generic writer writes and a generic reader returns. */
type Value =
  | { readonly type: typeof TType.BOOL; readonly v: boolean }
  | { readonly type: typeof TType.I8 | typeof TType.I16 | typeof TType.I32 | typeof TType.DOUBLE; readonly v: number }
  | { readonly type: typeof TType.I64; readonly v: bigint }
  | { readonly type: typeof TType.STRING; readonly v: string }
  | { readonly type: typeof TType.UUID; readonly v: string }
  | { readonly type: typeof TType.LIST | typeof TType.SET; readonly elementType: ValueType; readonly v: readonly Value[] }
  | { readonly type: typeof TType.MAP; readonly keyType: ValueType; readonly valueType: ValueType; readonly v: readonly (readonly [Value, Value])[] }
  | { readonly type: typeof TType.STRUCT; readonly v: readonly (readonly [number, Value])[] };

const SCALAR_TYPES = [TType.BOOL, TType.I8, TType.I16, TType.I32, TType.I64, TType.DOUBLE, TType.STRING, TType.UUID] as const;

function scalarOf(type: (typeof SCALAR_TYPES)[number]): fc.Arbitrary<Value> {
  switch (type) {
    case TType.BOOL: return fc.boolean().map((v) => ({ type, v }));
    case TType.I8: return fc.integer({ min: -128, max: 127 }).map((v) => ({ type, v }));
    case TType.I16: return fc.integer({ min: -32768, max: 32767 }).map((v) => ({ type, v }));
    case TType.I32: return fc.integer().map((v) => ({ type, v }));
    case TType.I64: return anyI64.map((v) => ({ type, v }));
    case TType.DOUBLE: return fc.double().map((v) => ({ type, v }));
    case TType.STRING: return fc.string({ unit: 'binary', maxLength: 40 }).map((v) => ({ type, v }));
    case TType.UUID: return fc.uuid().map((v) => ({ type, v }));
  }
}

/** Values of one given type, nesting at most `depth` more levels. */
function valueOf(type: ValueType, depth: number): fc.Arbitrary<Value> {
  if (type === TType.LIST || type === TType.SET) {
    return fc.constantFrom(...typesAt(depth - 1)).chain((elementType) =>
      fc.array(valueOf(elementType, depth - 1), { maxLength: 20 }).map((v) => ({ type, elementType, v })),
    );
  }
  if (type === TType.MAP) {
    return fc.tuple(fc.constantFrom(...typesAt(depth - 1)), fc.constantFrom(...typesAt(depth - 1))).chain(([keyType, valueType]) =>
      fc.array(fc.tuple(valueOf(keyType, depth - 1), valueOf(valueType, depth - 1)), { maxLength: 6 }).map((v) => ({ type, keyType, valueType, v })),
    );
  }
  if (type === TType.STRUCT) {
    return fc
      .uniqueArray(fc.tuple(fc.integer({ min: -32768, max: 32767 }), fc.constantFrom(...typesAt(depth - 1))), { maxLength: 8, selector: ([id]) => id })
      .chain((fields) => fc.tuple(...fields.map(([id, t]) => valueOf(t, depth - 1).map((v) => [id, v] as const))))
      .map((v) => ({ type, v }));
  }
  return scalarOf(type);
}

function typesAt(depth: number): ValueType[] {
  return depth <= 0 ? [...SCALAR_TYPES] : [...SCALAR_TYPES, TType.LIST, TType.SET, TType.MAP, TType.STRUCT];
}

const anyStruct = valueOf(TType.STRUCT, 3);

function writeValue(w: Writer, value: Value): void {
  switch (value.type) {
    case TType.BOOL: w.writeBool(value.v); return;
    case TType.I8: w.writeI8(value.v); return;
    case TType.I16: w.writeI16(value.v); return;
    case TType.I32: w.writeI32(value.v); return;
    case TType.I64: w.writeI64(value.v); return;
    case TType.DOUBLE: w.writeDouble(value.v); return;
    case TType.STRING: w.writeString(value.v); return;
    case TType.UUID: w.writeUuid(value.v); return;
    case TType.LIST:
    case TType.SET:
      if (value.type === TType.LIST) w.writeListBegin(value.elementType, value.v.length);
      else w.writeSetBegin(value.elementType, value.v.length);
      for (const element of value.v) writeValue(w, element);
      return;
    case TType.MAP:
      w.writeMapBegin(value.keyType, value.valueType, value.v.length);
      for (const [k, v] of value.v) {
        writeValue(w, k);
        writeValue(w, v);
      }
      return;
    case TType.STRUCT:
      w.writeStructBegin();
      for (const [id, field] of value.v) {
        if (field.type === TType.BOOL) {
          w.writeBoolField(id, field.v);
        } else {
          w.writeFieldBegin(field.type, id);
          writeValue(w, field);
        }
      }
      w.writeFieldStop();
      w.writeStructEnd();
  }
}

function readValue(r: Reader, type: WireType, like: Value): Value {
  switch (type) {
    case TType.BOOL: return { type, v: r.readBool() };
    case TType.I8: return { type, v: r.readI8() };
    case TType.I16: return { type, v: r.readI16() };
    case TType.I32: return { type, v: r.readI32() };
    case TType.I64: return { type, v: r.readI64() };
    case TType.DOUBLE: return { type, v: r.readDouble() };
    case TType.STRING: return { type, v: r.readString() };
    case TType.UUID: return { type, v: r.readUuid() };
    case TType.LIST:
    case TType.SET: {
      const expected = like as Extract<Value, { elementType: ValueType }>;
      const size = type === TType.LIST ? r.readListBegin() : r.readSetBegin();
      const elementType = r.elementType as ValueType;
      const v = Array.from({ length: size }, (_, i) => readValue(r, elementType, expected.v[i]!));
      if (type === TType.LIST) r.readListEnd();
      else r.readSetEnd();
      // An empty list's element type is still on the wire in both protocols.
      return { type, elementType, v };
    }
    case TType.MAP: {
      const expected = like as Extract<Value, { type: typeof TType.MAP }>;
      const size = r.readMapBegin();
      const keyType = (size === 0 ? expected.keyType : r.keyType) as ValueType;
      const valueType = (size === 0 ? expected.valueType : r.valueType) as ValueType;
      const v = Array.from({ length: size }, (_, i) => [readValue(r, keyType, expected.v[i]![0]), readValue(r, valueType, expected.v[i]![1])] as const);
      r.readMapEnd();
      return { type, keyType, valueType, v };
    }
    case TType.STRUCT: {
      const expected = like as Extract<Value, { type: typeof TType.STRUCT }>;
      r.readStructBegin();
      const v: (readonly [number, Value])[] = [];
      for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
        const id = r.fieldId;
        v.push([id, readValue(r, t, expected.v[v.length]![1])]);
      }
      r.readStructEnd();
      return { type, v };
    }
    default:
      throw new Error(`unexpected type ${type}`);
  }
}

/** Object.is-based comparison so NaN and -0 must survive exactly. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** Runs `read` and fails unless it returns normally or throws a ProtocolError. */
function onlyProtocolErrors(read: () => void): void {
  try {
    read();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
}

const ALL_WIRE_TYPES: WireType[] = [...Object.values(TType)];

describe.each(PROTOCOLS)('$name protocol properties', (protocol) => {
  function roundTrip<T>(write: (w: Writer, v: T) => void, read: (r: Reader) => T, value: T): T {
    const w = protocol.writer();
    write(w, value);
    const r = protocol.reader(w.finish());
    const out = read(r);
    r.expectEnd();
    return out;
  }

  it('round-trips integers of every width', () => {
    fc.assert(fc.property(fc.integer({ min: -128, max: 127 }), (v) => roundTrip((w, x) => w.writeI8(x), (r) => r.readI8(), v) === v));
    fc.assert(fc.property(fc.integer({ min: -32768, max: 32767 }), (v) => roundTrip((w, x) => w.writeI16(x), (r) => r.readI16(), v) === v));
    fc.assert(fc.property(fc.integer(), (v) => roundTrip((w, x) => w.writeI32(x), (r) => r.readI32(), v) === v));
    fc.assert(fc.property(anyI64, (v) => roundTrip((w, x) => w.writeI64(x), (r) => r.readI64(), v) === v), { numRuns: 500 });
    for (const v of I64_EXTREMES) expect(roundTrip((w, x) => w.writeI64(x), (r) => r.readI64(), v)).toBe(v);
  });

  it('round-trips doubles bit for bit, including NaN, -0 and infinities', () => {
    fc.assert(fc.property(fc.double(), (v) => Object.is(roundTrip((w, x) => w.writeDouble(x), (r) => r.readDouble(), v), v)), { numRuns: 500 });
  });

  it('round-trips strings (lone surrogates become U+FFFD), binary and uuids', () => {
    fc.assert(fc.property(anyUtf16, (s) => roundTrip((w, x) => w.writeString(x), (r) => r.readString(), s) === wellFormed(s)), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => sameValue([...roundTrip<Uint8Array>((w, x) => w.writeBinary(x), (r) => r.readBinary(), b)], [...b])));
    fc.assert(fc.property(fc.uuid(), (u) => roundTrip((w, x) => w.writeUuid(x.toUpperCase()), (r) => r.readUuid(), u) === u));
  });

  it('round-trips nested structs and containers; skip consumes exactly one value', () => {
    fc.assert(
      fc.property(anyStruct, (value) => {
        const w = protocol.writer();
        writeValue(w, value);
        const bytes = w.finish();
        const r = protocol.reader(bytes);
        const back = readValue(r, TType.STRUCT, value);
        r.expectEnd();
        const skipper = protocol.reader(bytes);
        skipper.skip(TType.STRUCT);
        skipper.expectEnd();
        return sameValue(back, value);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips large containers', () => {
    const numbers = Array.from({ length: 100_000 }, (_, i) => (i * 7919) | 0);
    const w = protocol.writer();
    w.writeListBegin(TType.I32, numbers.length);
    for (const n of numbers) w.writeI32(n);
    w.writeMapBegin(TType.STRING, TType.BOOL, 0);
    const r = protocol.reader(w.finish());
    const size = r.readListBegin();
    const back = Array.from({ length: size }, () => r.readI32());
    r.readListEnd();
    expect(back).toEqual(numbers);
    expect(r.readMapBegin()).toBe(0);
    r.readMapEnd();
    r.expectEnd();
  });

  it('random bytes make readers and skip throw only ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...ALL_WIRE_TYPES), (bytes, type) => {
        onlyProtocolErrors(() => protocol.reader(bytes).skip(type));
        onlyProtocolErrors(() => protocol.reader(bytes).readMessageBegin());
        onlyProtocolErrors(() => {
          const r = protocol.reader(bytes);
          r.readStructBegin();
          for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) r.skip(t);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('corrupted valid encodings make skip throw only ProtocolError', () => {
    fc.assert(
      fc.property(anyStruct, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (value, edits) => {
        const w = protocol.writer();
        writeValue(w, value);
        const bytes = w.finish();
        if (bytes.length === 0) return;
        for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
        onlyProtocolErrors(() => protocol.reader(bytes).skip(TType.STRUCT));
      }),
      { numRuns: 500 },
    );
  });
});

describe('UTF-8 codec', () => {
  it('encodes exactly like Buffer.from(s, "utf8") for short and long strings', () => {
    const target = new Uint8Array(4000);
    fc.assert(
      fc.property(fc.oneof(anyUtf16, fc.string({ unit: 'binary', minLength: 33, maxLength: 500 })), (s) => {
        const written = encodeUtf8Into(s, target, 3);
        return Buffer.from(s, 'utf8').equals(target.subarray(3, 3 + written));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes exactly like a fatal TextDecoder, accepting and rejecting the same bytes', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const utf8ish = fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0x9f, 0xa0, 0x8f, 0x90),
      ),
      { maxLength: 40 },
    );
    // Mostly ASCII with a few suspicious bytes, longer than the short-string path: the native
    // decoder's replacement characters must be caught.
    const longMostlyAscii = fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
        { weight: 1, arbitrary: fc.constantFrom(0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xbd, 0xf0, 0xf4, 0xf5, 0xff) },
      ),
      { minLength: SHORT_STRING_BYTES + 1, maxLength: 80 },
    );
    const arbitraryBytes = fc.oneof(
      utf8ish.map((a) => new Uint8Array(a)),
      longMostlyAscii.map((a) => new Uint8Array(a)),
      fc.string({ unit: 'binary' }).map((s) => new Uint8Array(Buffer.from(s))),
    );
    fc.assert(
      fc.property(arbitraryBytes, (bytes) => {
        let expected: string | undefined;
        try {
          expected = fatal.decode(bytes);
        } catch {
          expected = undefined;
        }
        return decodeUtf8(bytes, 0, bytes.length) === expected;
      }),
      { numRuns: 5000 },
    );
  });

  /** Ill-formed sequences of every kind, each placed in a short and a long (native path) string. */
  const illFormed: [string, number[]][] = [
    ['stray continuation byte', [0x80]],
    ['lead byte without continuation', [0xc3, 0x28]],
    ['overlong 2-byte form', [0xc0, 0xaf]],
    ['overlong 3-byte form', [0xe0, 0x80, 0xaf]],
    ['overlong 4-byte form', [0xf0, 0x80, 0x80, 0xaf]],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['byte 0xFF', [0xff]],
    ['truncated at the end', [0xe2, 0x82]],
  ];
  const pad = (bytes: number[], before: number): Uint8Array =>
    new Uint8Array([...Array<number>(before).fill(0x61), ...bytes, 0x62]);

  it.each(illFormed)('rejects %s in short and long strings', (_, bytes) => {
    for (const before of [0, 3, SHORT_STRING_BYTES, 100]) {
      const input = pad(bytes, before);
      expect(decodeUtf8(input, 0, input.length)).toBeUndefined();
    }
  });

  it('accepts a genuine U+FFFD, a byte order mark and astral characters in short and long strings', () => {
    for (const text of ['\uFFFD', '\uFEFFx', 'a\u{1F600}b', '\uFFFD'.repeat(12), 'x'.repeat(40) + '\uFFFD\u{10FFFF}']) {
      const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
      expect(decodeUtf8(bytes, 0, bytes.length)).toBe(text);
    }
  });

  it('without Node\'s Buffer (a browser), decodes and rejects the same way through TextDecoder', async () => {
    vi.stubGlobal('Buffer', undefined);
    vi.resetModules();
    try {
      const browser = await import('../../runtime/protocol/utf8.js');
      for (const [, bytes] of illFormed) {
        const input = pad(bytes, 100);
        expect(browser.decodeUtf8(input, 0, input.length)).toBeUndefined();
      }
      const text = 'x'.repeat(40) + '\uFFFD\u00e9\u{1F600}';
      const bytes = new TextEncoder().encode(text);
      expect(browser.decodeUtf8(bytes, 0, bytes.length)).toBe(text);
      const target = new Uint8Array(200);
      expect(browser.encodeUtf8Into(text, target, 0)).toBe(bytes.length);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
