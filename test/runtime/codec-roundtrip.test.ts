/**
 * Generated codecs (generated/kitchen_sink.ts, compiled from idl-examples/kitchen_sink.rpc) in
 * both protocols: round trips of every kind of type, defaults, requiredness, unions, exceptions,
 * method argument and result structs, and schema evolution between two versions of a struct
 * (test/fixtures/codec/evolution_v{1,2}.rpc, compiled here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import * as types from '../../generated/common/types.js';
import {
  AllBaseTypes,
  Canvas,
  CodedError,
  Color,
  Containers,
  Defaults,
  Error_,
  KitchenError,
  KitchenSink,
  LegacyNoIds,
  Map_,
  Requiredness,
  Reserved,
  Shape,
  TreeNode,
  Value,
} from '../../generated/kitchen_sink.js';
import {
  BinaryWriter,
  CompactWriter,
  decode,
  encode,
  NoArgs,
  ProtocolError,
  RpcError,
  TType,
  VoidResult,
  type Codec,
  type Protocol,
  type Writer,
} from '../../runtime/index.js';
import { removeGeneratedModules, ROOT, writeGeneratedModules } from '../compiler/generated-modules.js';

const PROTOCOLS: readonly Protocol[] = ['compact', 'binary'];

function roundTrip<T>(codec: Codec<T>, value: T, protocol: Protocol): T {
  return decode(codec, encode(codec, value, protocol), protocol);
}

/** Bytes written by hand through a protocol writer. */
function bytes(protocol: Protocol, write: (w: Writer) => void): Uint8Array {
  const w = protocol === 'binary' ? new BinaryWriter() : new CompactWriter();
  write(w);
  return Uint8Array.from(w.view());
}

function protocolError(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

describe.each(PROTOCOLS)('generated codecs (%s)', (protocol) => {
  it('round-trips every base type, at the extremes', () => {
    const extremes: AllBaseTypes[] = [
      AllBaseTypes.create({}),
      {
        aBool: false,
        aByte: -128,
        anI8: 127,
        anI16: 32767,
        anI32: -2147483648,
        anI64: I64_MIN,
        aDouble: Number.NaN,
        aString: '',
        aBinary: new Uint8Array(),
        aUuid: '00000000-0000-0000-0000-000000000000',
      },
      {
        aBool: true,
        aByte: 0,
        anI8: -1,
        anI16: -32768,
        anI32: 2147483647,
        anI64: I64_MAX,
        aDouble: -0,
        aString: 'grüße, 世界, 𝄞 and 😀 (astral)',
        aBinary: new Uint8Array([0, 255, 128, 1]),
        aUuid: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
      },
      { ...AllBaseTypes.create({}), aDouble: Number.NEGATIVE_INFINITY, anI64: 2n ** 53n + 1n },
    ];
    for (const value of extremes) {
      const decoded = roundTrip(AllBaseTypes, value, protocol);
      expect(decoded).toStrictEqual(value);
      expect(Object.is(decoded.aDouble, value.aDouble)).toBe(true);
    }
  });

  it('reads uuids back in canonical lowercase', () => {
    const value = AllBaseTypes.create({ aUuid: '6BA7B810-9DAD-11D1-80B4-00C04FD430C8' });
    expect(roundTrip(AllBaseTypes, value, protocol).aUuid).toBe('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
  });

  it('round-trips empty and nested containers of every kind', () => {
    const empty = Containers.create({
      ints: [],
      names: new Set(),
      scores: new Map(),
      grid: [],
      colorsById: new Map(),
      deep: new Map(),
      setOfLists: new Set(),
      containerKeys: new Map(),
      blobs: [],
      balances: new Map(),
      shapes: [],
      index: new Map(),
    });
    const full: Containers = {
      ints: [0, -1, 2147483647, -2147483648],
      names: new Set(['a', '', 'ü']),
      scores: new Map([
        ['x', 1.5],
        ['nan', Number.NaN],
      ]),
      grid: [[], ['a'], ['b', 'c']],
      colorsById: new Map([
        [1n, new Set([Color.RED, Color.BLUE])],
        [I64_MIN, new Set<Color>()],
      ]),
      deep: new Map([[Color.GREEN, [new Map([['r', { width: 1, height: 2 }]]), new Map()]]]),
      setOfLists: new Set([[1, 2], [], [3]]),
      containerKeys: new Map([[['k1', 'k2'], new Set([5n, -5n])]]),
      blobs: [new Uint8Array([1, 2, 3]), new Uint8Array()],
      balances: new Map([['f81d4fae-7dec-11d0-a765-00a0c91e6bf6', { amountMinor: -1n, currency: 'EUR' }]]),
      shapes: [
        { kind: 'circle', value: { radius: 1 } },
        { kind: 'rect', value: { width: 2, height: 3 } },
      ],
      index: new Map([['primes', [2n, 3n, 5n]]]),
    };
    expect(roundTrip(Containers, empty, protocol)).toStrictEqual(empty);
    expect(roundTrip(Containers, full, protocol)).toStrictEqual(full);
    // A container of 20 elements takes the long header form in the Compact protocol.
    const long = Containers.create({ ints: Array.from({ length: 20 }, (_, i) => i * 1000) });
    expect(roundTrip(Containers, long, protocol)).toStrictEqual(long);
  });

  it('applies fresh defaults to fields missing on the wire and leaves optional ones absent', () => {
    const emptyStruct = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldStop();
      w.writeStructEnd();
    });
    const first = decode(Defaults, emptyStruct, protocol);
    const second = decode(Defaults, emptyStruct, protocol);
    expect(first).toStrictEqual(Defaults.create({}));
    expect(first.numbers).not.toBe(second.numbers);
    expect(first.rect).not.toBe(second.rect);
    expect(first.index).not.toBe(second.index);

    const minimal = decode(Requiredness, encode(Requiredness, Requiredness.create({ mustHave: 1 }), protocol), protocol);
    expect(minimal).toStrictEqual({ mustHave: 1, mustHaveWithDefault: 'x', mayHaveWithDefault: ['a'], plainWithDefault: 7 });
    expect('mayHave' in minimal).toBe(false);
    expect('plain' in minimal).toBe(false);
  });

  it('refuses to write a required field that is undefined, naming it', () => {
    const value = { mustHaveWithDefault: 'x' } as unknown as Requiredness;
    expect(() => encode(Requiredness, value, protocol)).toThrow(RpcError);
    expect(() => encode(Requiredness, value, protocol)).toThrow(/Requiredness\.mustHave\b/);
    expect(() => encode(Canvas, { shapes: [{}] } as unknown as Canvas, protocol)).toThrow(/union Shape/);
  });

  it('refuses to read a struct without a required field, naming it', () => {
    const onlyField2 = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldBegin(TType.STRING, 2);
      w.writeString('x');
      w.writeFieldStop();
      w.writeStructEnd();
    });
    const error = protocolError(() => decode(Requiredness, onlyField2, protocol));
    expect(error.reason).toBe('MISSING_REQUIRED_FIELD');
    expect(error.message).toMatch(/Requiredness\.mustHave is missing at offset \d+/);
  });

  it('skips fields whose wire type differs from the IDL', () => {
    const mismatched = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldBegin(TType.STRING, 1); // mustHave is an i32
      w.writeString('not a number');
      w.writeFieldBegin(TType.I32, 1);
      w.writeI32(42);
      w.writeFieldBegin(TType.STRING, 2);
      w.writeString('x');
      w.writeBoolField(5, true); // plain is an i32
      w.writeFieldStop();
      w.writeStructEnd();
    });
    const decoded = decode(Requiredness, mismatched, protocol);
    expect(decoded.mustHave).toBe(42);
    expect('plain' in decoded).toBe(false);
  });

  it('rejects a container whose elements have another type', () => {
    const wrongElements = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldBegin(TType.LIST, 1); // ints: list<i32>
      w.writeListBegin(TType.STRING, 1);
      w.writeString('x');
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expect(protocolError(() => decode(Containers, wrongElements, protocol)).reason).toBe('INVALID_TYPE');
  });

  it('keeps enum values that are not members (a newer peer may know them)', () => {
    const value = Canvas.create({ shapes: [], background: 99 as Color });
    expect(roundTrip(Canvas, value, protocol).background).toBe(99);
  });

  it('round-trips recursive structs and unions', () => {
    const tree: TreeNode = {
      label: 'root',
      children: [{ label: 'a', children: [] }, { label: 'b', children: [{ label: 'c', children: [] }] }],
      parent: { label: 'up', children: [] },
    };
    expect(roundTrip(TreeNode, tree, protocol)).toStrictEqual(tree);
    const value: Value = {
      kind: 'mapValue',
      value: new Map<string, Value>([
        ['list', { kind: 'listValue', value: [{ kind: 'boolValue', value: false }, { kind: 'intValue', value: I64_MIN }] }],
        ['bytes', { kind: 'bytesValue', value: new Uint8Array([7]) }],
        ['double', { kind: 'doubleValue', value: -0 }],
        ['string', { kind: 'stringValue', value: '𝄞' }],
      ]),
    };
    expect(roundTrip(Value, value, protocol)).toStrictEqual(value);
    expect(roundTrip(Shape, { kind: 'rect', value: { width: 1, height: 2 } }, protocol)).toStrictEqual({
      kind: 'rect',
      value: { width: 1, height: 2 },
    });
  });

  it('rejects a union with no field or with several fields', () => {
    const none = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldStop();
      w.writeStructEnd();
    });
    const two = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeBoolField(1, true);
      w.writeFieldBegin(TType.STRING, 4);
      w.writeString('s');
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expect(protocolError(() => decode(Value, none, protocol)).reason).toBe('INVALID_VALUE');
    expect(protocolError(() => decode(Value, two, protocol)).reason).toBe('INVALID_VALUE');
  });

  it('round-trips exceptions as instances of their classes', () => {
    const kitchen = roundTrip(KitchenError, new KitchenError({ message: 'boom', details: ['a'] }), protocol);
    expect(kitchen).toBeInstanceOf(KitchenError);
    expect(kitchen).toBeInstanceOf(Error);
    expect(kitchen.message).toBe('boom');
    expect(kitchen.code).toBe(500);
    expect(kitchen.details).toEqual(['a']);

    const noMessage = roundTrip(KitchenError, new KitchenError(), protocol);
    expect(Object.hasOwn(noMessage, 'message')).toBe(false);
    expect('details' in noMessage).toBe(false);

    const coded = roundTrip(CodedError, new CodedError({ message_: 7, reason: 'r' }), protocol);
    expect(coded).toBeInstanceOf(CodedError);
    expect([coded.message_, coded.reason]).toEqual([7, 'r']);

    const named = roundTrip(Error_, new Error_({ message: 'm', name_: 'n', stack_: 's', cause_: 1 }), protocol);
    expect(named).toBeInstanceOf(Error_);
    expect([named.message, named.name_, named.stack_, named.cause_, named.name]).toEqual(['m', 'n', 's', 1, 'Error_']);

    const notFound = roundTrip(types.NotFound, new types.NotFound({ message: 'gone', entity: 'user' }), protocol);
    expect(notFound).toBeInstanceOf(types.NotFound);
    expect(notFound.message).toBe('gone');
  });

  it('round-trips structs with reserved-word fields, renamed declarations and implicit ids', () => {
    const reserved: Reserved = { let: 1, type: 't', typeof: true, null: 2, constructor_: 3, __proto___: 4, ctx: 5 };
    expect(roundTrip(Reserved, reserved, protocol)).toStrictEqual(reserved);
    // Absent, `constructor` must not be taken from Object.prototype.
    expect(roundTrip(Reserved, { let: 1 } as unknown as Reserved, protocol)).toStrictEqual({ let: 1 });
    expect(roundTrip(Map_, { key: 'k', value: 'v' }, protocol)).toStrictEqual({ key: 'k', value: 'v' });
    const legacy: LegacyNoIds = { legacy: 'l', alsoLegacy: -3 };
    expect(roundTrip(LegacyNoIds, legacy, protocol)).toStrictEqual(legacy);
  });

  it('encodes method arguments as the <method>_args struct and decodes them back', () => {
    const { everything, reservedNames, echo, nothing } = KitchenSink.methods;
    const args = {
      aBool: true,
      anI64: -1n,
      aBinary: new Uint8Array([1]),
      shapes: [{ kind: 'circle', value: { radius: 2 } }] as Shape[],
      index: new Map([['a', [1n]]]),
      color: Color.GREEN,
      price: { amountMinor: 5n, currency: 'USD' },
      id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    };
    expect(roundTrip(everything.args, args, protocol)).toStrictEqual(args);
    const renamed = { let_: 1, type_: 't', options_: 2, ctx_: 3, arguments_: 4, eval_: 5 };
    expect(roundTrip(reservedNames.args, renamed, protocol)).toStrictEqual(renamed);
    expect(roundTrip(echo.args, { text: 'hi' }, protocol)).toStrictEqual({ text: 'hi' });
    expect(nothing.args).toBe(NoArgs);
    expect(roundTrip(NoArgs, {}, protocol)).toStrictEqual({});

    // Field 1 of echo_args is the text, as Thrift lays it out.
    const thriftArgs = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldBegin(TType.STRING, 1);
      w.writeString('hi');
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expect(encode(echo.args, { text: 'hi' }, protocol)).toEqual(thriftArgs);
    const missing = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expect(protocolError(() => decode(echo.args, missing, protocol)).message).toMatch(/argument text of echo/);
  });

  it('encodes results as the <method>_result struct: success in field 0, exceptions by their id', () => {
    const { everything, nothing, balances } = KitchenSink.methods;
    const success = { kind: 'success', value: Containers.create({}) } as const;
    expect(roundTrip(everything.result, success, protocol)).toStrictEqual(success);

    const kitchen = roundTrip(everything.result, { kind: 'exception', error: new KitchenError({ message: 'k' }) }, protocol);
    expect(kitchen.kind === 'exception' && kitchen.error).toBeInstanceOf(KitchenError);
    const notFound = roundTrip(everything.result, { kind: 'exception', error: new types.NotFound({ message: 'n' }) }, protocol);
    expect(notFound.kind === 'exception' && notFound.error).toBeInstanceOf(types.NotFound);
    const field2 = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldBegin(TType.STRUCT, 2);
      types.NotFound.write(w, new types.NotFound({ message: 'n' }));
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expect(encode(everything.result, { kind: 'exception', error: new types.NotFound({ message: 'n' }) }, protocol)).toEqual(field2);

    expect(everything.declares(new KitchenError())).toBe(true);
    expect(everything.declares(new types.NotFound({ message: 'x' }))).toBe(true);
    expect(everything.declares(new Error('x'))).toBe(false);
    expect(() => encode(everything.result, { kind: 'exception', error: new Error('x') as KitchenError }, protocol)).toThrow(
      /does not declare/,
    );

    const map = new Map([['a', { amountMinor: 1n, currency: 'EUR' }]]);
    expect(roundTrip(balances.result, { kind: 'success', value: map }, protocol)).toStrictEqual({ kind: 'success', value: map });
    expect(nothing.result).toBe(VoidResult);
    expect(roundTrip(VoidResult, { kind: 'success', value: undefined }, protocol)).toStrictEqual({ kind: 'success', value: undefined });

    const empty = bytes(protocol, (w) => {
      w.writeStructBegin();
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expect(protocolError(() => decode(everything.result, empty, protocol)).message).toMatch(/result of everything/);
  });

  it('limits nesting depth (64 by default, configurable)', () => {
    let tree: TreeNode = { label: 'leaf', children: [] };
    for (let i = 0; i < 40; i++) tree = { label: String(i), children: [tree] };
    const encoded = encode(TreeNode, tree, protocol);
    expect(protocolError(() => decode(TreeNode, encoded, protocol)).reason).toBe('DEPTH_LIMIT');
    expect(decode(TreeNode, encoded, protocol, { maxDepth: 100 })).toStrictEqual(tree);
  });

  it('reuses its writer: earlier results stay intact', () => {
    const first = encode(Map_, { key: 'first', value: '1' }, protocol);
    const copy = Uint8Array.from(first);
    const second = encode(Map_, { key: 'second', value: '2' }, protocol);
    expect(first).toEqual(copy);
    expect(decode(Map_, second, protocol)).toStrictEqual({ key: 'second', value: '2' });
    // A write that failed half way does not leak into the next one.
    expect(() => encode(Requiredness, {} as Requiredness, protocol)).toThrow(RpcError);
    expect(decode(Map_, encode(Map_, { key: 'k', value: 'v' }, protocol), protocol)).toStrictEqual({ key: 'k', value: 'v' });
  });
});

describe('schema evolution (test/fixtures/codec/evolution_v1.rpc and _v2.rpc)', () => {
  interface ProfileV1 {
    id: bigint;
    name?: string;
  }
  type ContactV1 = { kind: 'email'; value: string };
  interface EvolutionModule {
    Profile: Codec<ProfileV1 & Record<string, unknown>>;
    Contact: Codec<ContactV1 | { kind: 'postal'; value: unknown }>;
  }
  let v1: EvolutionModule;
  let v2: EvolutionModule;

  beforeAll(async () => {
    const load = async (name: string): Promise<EvolutionModule> => {
      const result = await compile([`test/fixtures/codec/${name}.rpc`], {
        host: { readFile: (path) => readFileSync(join(ROOT, path), 'utf8') },
        rootDirs: ['test/fixtures/codec'],
      });
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const dir = writeGeneratedModules(result.files);
      return (await import(join(dir, `${name}.ts`))) as EvolutionModule;
    };
    [v1, v2] = await Promise.all([load('evolution_v1'), load('evolution_v2')]);
  });
  afterAll(removeGeneratedModules);

  const newer = {
    id: 1n,
    name: 'n',
    verified: true,
    score: 3,
    addresses: [new Map([['home', { city: 'Berlin', zips: [10115n] }]]), new Map()],
    devices: new Set(['6ba7b810-9dad-11d1-80b4-00c04fd430c8']),
    home: { city: 'Paris' },
    rating: 4.5,
    tags: ['x'],
  };

  it.each(PROTOCOLS)('an older reader skips the fields it does not know (%s)', (protocol) => {
    expect(decode(v1.Profile, encode(v2.Profile, newer, protocol), protocol)).toStrictEqual({ id: 1n, name: 'n' });
  });

  it.each(PROTOCOLS)('a newer reader applies defaults for fields an older writer lacks (%s)', (protocol) => {
    const decoded = decode(v2.Profile, encode(v1.Profile, { id: 2n }, protocol), protocol);
    expect(decoded).toStrictEqual({ id: 2n, score: 7, tags: ['new'] });
    expect(decode(v2.Profile, encode(v2.Profile, newer, protocol), protocol)).toStrictEqual(newer);
  });

  it.each(PROTOCOLS)('a union member an older reader does not know leaves no known field (%s)', (protocol) => {
    const postal = encode(v2.Contact, { kind: 'postal', value: { city: 'Rome' } }, protocol);
    expect(protocolError(() => decode(v1.Contact, postal, protocol)).reason).toBe('INVALID_VALUE');
    const email = encode(v2.Contact, { kind: 'email', value: 'a@b' }, protocol);
    expect(decode(v1.Contact, email, protocol)).toStrictEqual({ kind: 'email', value: 'a@b' });
  });
});
