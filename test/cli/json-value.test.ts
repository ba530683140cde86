/**
 * The JSON <-> Thrift value mapping of `rpcgen call` over idl-examples' types, and the dynamic
 * codec's bytes checked against the generated codecs (both directions, both protocols): what the
 * shell sends is what a generated client would send.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode, RpcError, type Codec, type MethodResult, type Protocol } from 'skiff/runtime';
import type { Type } from '../../compiler/index.js';
import { structCodec } from '../../cli/dynamic-codec.js';
import { DeclaredException, dynamicMethod } from '../../cli/dynamic-method.js';
import { parseJson } from '../../cli/json-parse.js';
import { printJson } from '../../cli/json-print.js';
import { argsFromJson, structToJson } from '../../cli/json-value.js';
import type { ThriftStruct, ThriftValue } from '../../cli/thrift-value.js';
import * as types from '../../generated/common/types.js';
import {
  AllBaseTypes,
  Canvas,
  Color,
  Containers,
  Defaults,
  KitchenError,
  KitchenSink,
  Requiredness,
  Reserved,
  Sign,
  TreeNode,
  Value,
  type Containers as ContainersValue,
} from '../../generated/kitchen_sink.js';
import { fromJson, method, named, structDecl, toJson } from './schema-fixture.js';

const base = (kind: 'bool' | 'byte' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid'): Type => ({ kind });
const listOf = (element: Type): Type => ({ kind: 'list', element });
const setOf = (element: Type): Type => ({ kind: 'set', element });
const mapOf = (key: Type, value: Type): Type => ({ kind: 'map', key, value });
const PROTOCOLS: readonly Protocol[] = ['compact', 'binary'];

/** The error `run` throws: an RpcError INVALID_ARGUMENT; returns its message. */
function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('INVALID_ARGUMENT');
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

/** The declared exception a decoded result carries (fails the test for anything else). */
function declared(result: MethodResult<unknown, Error>): DeclaredException {
  if (result.kind !== 'exception' || !(result.error instanceof DeclaredException)) throw new Error(`not a declared exception: ${String(result.kind)}`);
  return result.error;
}

/** A struct of kitchen_sink.rpc from JSON, through the dynamic codec's bytes, decoded by the generated codec. */
function viaGenerated<T>(name: string, json: string, generated: Codec<T>, protocol: Protocol): T {
  const decl = structDecl(name);
  return decode(generated, encode(structCodec(decl), fromJson({ kind: 'struct', decl }, json) as ThriftStruct, protocol), protocol);
}

/** A value encoded by the generated codec, decoded by the dynamic one, printed as JSON. */
function fromGenerated<T>(name: string, value: T, generated: Codec<T>, protocol: Protocol): string {
  const decl = structDecl(name);
  return toJson({ kind: 'struct', decl }, decode(structCodec(decl), encode(generated, value, protocol), protocol));
}

describe('scalars', () => {
  it.each<[string, Type, string, ThriftValue, string]>([
    ['bool', base('bool'), 'true', true, 'true'],
    ['byte min', base('byte'), '-128', -128, '-128'],
    ['i8 max', base('i8'), '127', 127, '127'],
    ['i16 min', base('i16'), '-32768', -32768, '-32768'],
    ['i32 max', base('i32'), '2147483647', 2147483647, '2147483647'],
    ['i32 written with an exponent', base('i32'), '1e3', 1000, '1000'],
    ['i32 -0', base('i32'), '-0', 0, '0'],
    ['i64 within 2^53 prints as a number', base('i64'), '9007199254740991', 9007199254740991n, '9007199254740991'],
    ['i64 beyond 2^53 stays exact and prints as a string', base('i64'), '9223372036854775807', 9223372036854775807n, '"9223372036854775807"'],
    ['i64 min', base('i64'), '-9223372036854775808', -9223372036854775808n, '"-9223372036854775808"'],
    ['i64 just past 2^53', base('i64'), '-9007199254740993', -9007199254740993n, '"-9007199254740993"'],
    ['i64 as a string', base('i64'), '"42"', 42n, '42'],
    ['double', base('double'), '0.1', 0.1, '0.1'],
    ['double exponent', base('double'), '6.02214076e23', 6.02214076e23, '6.02214076e+23'],
    ['double -0 keeps its sign', base('double'), '-0', -0, '-0'],
    ['double NaN', base('double'), '"NaN"', NaN, '"NaN"'],
    ['double Infinity', base('double'), '"Infinity"', Infinity, '"Infinity"'],
    ['double -Infinity', base('double'), '"-Infinity"', -Infinity, '"-Infinity"'],
    ['string', base('string'), '"grüße, \\u4e16界 \\"q\\""', 'grüße, 世界 "q"', '"grüße, 世界 \\"q\\""'],
    ['binary', base('binary'), '"AAEC/w=="', new Uint8Array([0, 1, 2, 255]), '"AAEC/w=="'],
    ['binary URL-safe without padding', base('binary'), '"AAEC_w"', new Uint8Array([0, 1, 2, 255]), '"AAEC/w=="'],
    ['binary empty', base('binary'), '""', new Uint8Array(), '""'],
    ['uuid in upper case', base('uuid'), '"6BA7B810-9DAD-11D1-80B4-00C04FD430C8"', '6ba7b810-9dad-11d1-80b4-00c04fd430c8', '"6ba7b810-9dad-11d1-80b4-00c04fd430c8"'],
    ['enum by name', named('Color'), '"GREEN"', Color.GREEN, '"GREEN"'],
    ['enum by number', named('Color'), '2', Color.BLUE, '"BLUE"'],
    ['enum negative member', named('Sign'), '"NEGATIVE"', Sign.NEGATIVE, '"NEGATIVE"'],
    ['enum number the IDL does not list (a newer server may)', named('Color'), '7', 7, '7'],
    ['typedef chain Key -> Id -> i64', named('Key'), '12345678901234', 12345678901234n, '12345678901234'],
  ])('%s', (_, type, json, value, printed) => {
    const read = fromJson(type, json);
    expect(read).toEqual(value);
    expect(Object.is(read, -0)).toBe(Object.is(value, -0));
    expect(toJson(type, read)).toBe(printed);
  });

  it.each<[string, Type, string, string]>([
    ['bool from a string', base('bool'), '"true"', 'v: expected bool, got string'],
    ['byte above range', base('byte'), '128', 'v: 128 is out of range for byte (-128 to 127)'],
    ['i16 below range', base('i16'), '-32769', 'v: -32769 is out of range for i16 (-32768 to 32767)'],
    ['i32 above range', base('i32'), '3000000000', 'v: 3000000000 is out of range for i32 (-2147483648 to 2147483647)'],
    ['i32 fraction', base('i32'), '1.5', 'v: expected i32, got 1.5 (not a whole number)'],
    ['i32 from a string', base('i32'), '"1"', 'v: expected i32, got string'],
    ['i64 above range', base('i64'), '9223372036854775808', 'v: 9223372036854775808 is out of range for i64 (-9223372036854775808 to 9223372036854775807)'],
    ['i64 inexact exponent', base('i64'), '1e300', 'v: 1e300 is not exact: write integers beyond 2^53 as plain digits'],
    ['i64 string that is not digits', base('i64'), '"12a"', 'v: expected i64 (a number or a string of digits), got "12a"'],
    ['i64 null', base('i64'), 'null', 'v: expected i64, got null'],
    ['double out of range', base('double'), '1e400', 'v: 1e400 is out of range for double (write "Infinity" or "-Infinity" for infinities)'],
    ['double other strings', base('double'), '"nan"', 'v: expected double, got string (the only strings a double takes are "NaN", "Infinity" and "-Infinity")'],
    ['string from a number', base('string'), '5', 'v: expected string, got number'],
    ['binary not base64', base('binary'), '"no!"', 'v: expected binary as base64, got a string that is not base64'],
    ['binary with a dangling character', base('binary'), '"AAAAB"', 'v: expected binary as base64, got a string that is not base64'],
    ['binary from an array', base('binary'), '[1]', 'v: expected binary, got array (write binary as a base64 string)'],
    ['uuid malformed', base('uuid'), '"6ba7b810"', 'v: "6ba7b810" is not a uuid (8-4-4-4-12 hex digits)'],
    ['enum unknown name, with a suggestion', named('Color'), '"GREN"', "v: 'GREN' is not a member of Color (did you mean 'GREEN'?); its members: RED, GREEN, BLUE"],
    ['enum number out of i32', named('Color'), '4294967296', 'v: 4294967296 is out of range for i32 (-2147483648 to 2147483647)'],
    ['enum from a bool', named('Color'), 'true', 'v: expected Color, got boolean'],
    ['typedef names what it stands for', named('Id'), '"x"', 'v: expected i64 (a number or a string of digits), got "x"'],
    ['typedef of a container', named('Keys'), '{}', 'v: expected Keys (list<Key>), got object'],
  ])('refuses %s', (_, type, json, message) => {
    expect(failure(() => fromJson(type, json))).toBe(message);
  });
});

describe('containers', () => {
  it('lists, sets and maps with string keys read and print as arrays and objects', () => {
    expect(toJson(listOf(base('i32')), fromJson(listOf(base('i32')), '[1, 2, 2]'))).toBe('[1,2,2]');
    expect(toJson(setOf(base('string')), fromJson(setOf(base('string')), '["b", "a"]'))).toBe('["b","a"]');
    const scores = mapOf(base('string'), base('double'));
    expect(toJson(scores, fromJson(scores, '{"x": 1.5, "__proto__": 2}'))).toBe('{"x":1.5,"__proto__":2}');
    // Pairs are accepted for string keys too.
    expect(toJson(scores, fromJson(scores, '[["x", 1.5]]'))).toBe('{"x":1.5}');
  });

  it('maps with other keys print as [key, value] pairs and read from pairs or from member names that spell a key', () => {
    const byColor = mapOf(named('Color'), base('string'));
    expect(toJson(byColor, fromJson(byColor, '[["RED", "r"], [2, "b"]]'))).toBe('[["RED","r"],["BLUE","b"]]');
    expect(toJson(byColor, fromJson(byColor, '{"RED": "r", "2": "b"}'))).toBe('[["RED","r"],["BLUE","b"]]');
    const byId = mapOf(base('i64'), setOf(named('Color')));
    expect(toJson(byId, fromJson(byId, '{"9223372036854775807": ["RED"], "-1": []}'))).toBe('[["9223372036854775807",["RED"]],[-1,[]]]');
    const byFlag = mapOf(base('bool'), base('i8'));
    expect(toJson(byFlag, fromJson(byFlag, '{"true": 1}'))).toBe('[[true,1]]');
    const byList = mapOf(listOf(base('string')), setOf(base('i64')));
    expect(toJson(byList, fromJson(byList, '[[["a", "b"], [1, "2"]]]'))).toBe('[[["a","b"],[1,2]]]');
  });

  it('reports the path of a bad element, key or value', () => {
    expect(failure(() => fromJson(listOf(base('string')), '["a", "b", 3]'))).toBe('v[2]: expected string, got number');
    expect(failure(() => fromJson(setOf(base('i32')), '[1, 2, 1]'))).toBe('v[2]: duplicate element in set<i32>');
    expect(failure(() => fromJson(setOf(listOf(base('i32'))), '[[1], [1]]'))).toBe('v[1]: duplicate element in set<list<i32>>');
    const byColor = mapOf(named('Color'), base('string'));
    expect(failure(() => fromJson(byColor, '[["RED", "r"], [0, "again"]]'))).toBe('v[1][0]: duplicate key in map<Color, string>');
    expect(failure(() => fromJson(byColor, '{"RED": 1}'))).toBe('v["RED"]: expected string, got number');
    expect(failure(() => fromJson(byColor, '{"PINK": "p"}'))).toBe(`v["PINK"]: 'PINK' is not a member of Color; its members: RED, GREEN, BLUE`);
    expect(failure(() => fromJson(byColor, '[["RED"]]'))).toBe('v[0]: expected a [key, value] pair, got an array of 1');
    expect(failure(() => fromJson(mapOf(base('i32'), base('i32')), '{"one": 1}'))).toBe('v["one"]: map key "one" is not i32');
    expect(failure(() => fromJson(mapOf(listOf(base('string')), base('i32')), '{"a": 1}'))).toBe(
      'v: expected map<list<string>, i32>, got object (its keys cannot be object member names: write an array of [key, value] pairs)',
    );
    expect(failure(() => fromJson(listOf(base('i32')), '{"0": 1}'))).toBe('v: expected list<i32>, got object');
  });
});

describe('structs, unions, exceptions', () => {
  it('fills defaults of every kind, as generated create() does', () => {
    for (const protocol of PROTOCOLS) {
      expect(viaGenerated('AllBaseTypes', '{}', AllBaseTypes, protocol)).toEqual(AllBaseTypes.create({}));
      expect(viaGenerated('Defaults', '{}', Defaults, protocol)).toEqual(Defaults.create({}));
      expect(viaGenerated('Canvas', '{}', Canvas, protocol)).toEqual(Canvas.create({}));
    }
    // A default that is a struct constant gets the defaults of the fields it leaves out.
    expect(toJson(named('Defaults'), fromJson(named('Defaults'), '{"flag": null}'))).toBe(
      '{"flag":false,"ratio":0.25,"text":"it\'s","numbers":[1,2],"tags":["s"],"lookup":{"m":1},"color":"RED","colorByNumber":"GREEN",' +
        '"rect":{"width":3,"height":4},"price":{"amountMinor":250,"currency":"USD"},"shape":{"rect":{"width":1,"height":1}},"sign":"POSITIVE",' +
        '"big":"9223372036854775807","index":{"a":[1]}}',
    );
  });

  it('every base type set explicitly matches the generated codec', () => {
    const json = '{"aBool": false, "aByte": -128, "anI8": 1, "anI16": 32767, "anI32": -2147483648, "anI64": "-9223372036854775808", "aDouble": -0, "aString": "s", "aBinary": "/w==", "aUuid": "00000000-0000-0000-0000-00000000000A"}';
    for (const protocol of PROTOCOLS) {
      const value = viaGenerated('AllBaseTypes', json, AllBaseTypes, protocol);
      expect(value).toEqual({
        aBool: false,
        aByte: -128,
        anI8: 1,
        anI16: 32767,
        anI32: -2147483648,
        anI64: -9223372036854775808n,
        aDouble: -0,
        aString: 's',
        aBinary: new Uint8Array([255]),
        aUuid: '00000000-0000-0000-0000-00000000000a',
      });
      expect(Object.is(value.aDouble, -0)).toBe(true);
      expect(fromGenerated('AllBaseTypes', value, AllBaseTypes, protocol)).toBe(
        '{"aBool":false,"aByte":-128,"anI8":1,"anI16":32767,"anI32":-2147483648,"anI64":"-9223372036854775808","aDouble":-0,"aString":"s","aBinary":"/w==","aUuid":"00000000-0000-0000-0000-00000000000a"}',
      );
    }
  });

  it('every container field matches the generated codec both ways', () => {
    const json = `{
      "ints": [1, -2], "names": ["a"], "scores": {"s": 0.5}, "grid": [["x"], []],
      "colorsById": [[9223372036854775807, ["BLUE", "RED"]]],
      "deep": {"GREEN": [{"r": {"width": 1, "height": 2}}]},
      "setOfLists": [[1, 2], [2, 1]], "containerKeys": [[["k"], [1, 2]]],
      "blobs": ["AQI="], "balances": [["6ba7b810-9dad-11d1-80b4-00c04fd430c8", {"amountMinor": 5, "currency": "EUR"}]],
      "shapes": [{"circle": {"radius": 2}}], "index": {"i": [7]}
    }`;
    const expected: ContainersValue = {
      ints: [1, -2],
      names: new Set(['a']),
      scores: new Map([['s', 0.5]]),
      grid: [['x'], []],
      colorsById: new Map([[9223372036854775807n, new Set<Color>([Color.BLUE, Color.RED])]]),
      deep: new Map([[Color.GREEN, [new Map([['r', { width: 1, height: 2 }]])]]]),
      setOfLists: new Set([
        [1, 2],
        [2, 1],
      ]),
      containerKeys: new Map([[['k'], new Set([1n, 2n])]]),
      blobs: [new Uint8Array([1, 2])],
      balances: new Map([['6ba7b810-9dad-11d1-80b4-00c04fd430c8', { amountMinor: 5n, currency: 'EUR' }]]),
      shapes: [{ kind: 'circle', value: { radius: 2 } }],
      index: new Map([['i', [7n]]]),
    };
    for (const protocol of PROTOCOLS) {
      expect(viaGenerated('Containers', json, Containers, protocol)).toEqual(expected);
      expect(JSON.parse(fromGenerated('Containers', expected, Containers, protocol))).toEqual({
        ints: [1, -2],
        names: ['a'],
        scores: { s: 0.5 },
        grid: [['x'], []],
        colorsById: [['9223372036854775807', ['BLUE', 'RED']]],
        deep: [['GREEN', [{ r: { width: 1, height: 2 } }]]],
        setOfLists: [
          [1, 2],
          [2, 1],
        ],
        containerKeys: [[['k'], [1, 2]]],
        blobs: ['AQI='],
        balances: [['6ba7b810-9dad-11d1-80b4-00c04fd430c8', { amountMinor: 5, currency: 'EUR' }]],
        shapes: [{ circle: { radius: 2 } }],
        index: { i: [7] },
      });
    }
  });

  it('requiredness: required fields must be there, optional ones may be left out, defaults fill in', () => {
    for (const protocol of PROTOCOLS) {
      expect(viaGenerated('Requiredness', '{"mustHave": 1}', Requiredness, protocol)).toEqual(Requiredness.create({ mustHave: 1 }));
      expect(fromGenerated('Requiredness', Requiredness.create({ mustHave: 1, mayHave: 2 }), Requiredness, protocol)).toBe(
        '{"mustHave":1,"mustHaveWithDefault":"x","mayHave":2,"mayHaveWithDefault":["a"],"plainWithDefault":7}',
      );
    }
    expect(failure(() => fromJson(named('Requiredness'), '{"plain": 1}'))).toBe("v: missing required field 'mustHave' (i32) of Requiredness");
    expect(failure(() => fromJson(named('Requiredness'), '{"mustHave": null}'))).toBe("v: missing required field 'mustHave' (i32) of Requiredness");
  });

  it('unknown fields are refused with a suggestion; odd names are plain keys', () => {
    expect(failure(() => fromJson(named('Rect'), '{"width": 1, "heigth": 2}'))).toBe("v: Rect has no field 'heigth' (did you mean 'height'?); its fields: width, height");
    expect(failure(() => fromJson(named('Rect'), '[1, 2]'))).toBe('v: expected Rect (an object), got array');
    const reserved = '{"let":1,"type":"t","typeof":true,"await":2,"export":3,"null":4,"undefined":5,"arguments":6,"eval":7,"debugger":8,"readonly":9,"constructor":10,"__proto__":11,"options":12,"ctx":13}';
    for (const protocol of PROTOCOLS) {
      const value = viaGenerated('Reserved', reserved, Reserved, protocol);
      // Generated properties are mangled (`__proto___`, `constructor_`); the JSON keeps the IDL names.
      expect(value.__proto___).toBe(11);
      expect(value.constructor_).toBe(10);
      expect(fromGenerated('Reserved', value, Reserved, protocol)).toBe(reserved);
    }
    expect(failure(() => fromJson(named('Canvas'), '{"shapes": [{"rect": {"width": 1}}]}'))).toBe("v.shapes[0].rect: missing required field 'height' (double) of Rect");
  });

  it('unions are {"field": value} with exactly one field, recursively', () => {
    const json = '{"listValue": [{"intValue": "9007199254740993"}, {"mapValue": {"k": {"bytesValue": "AA=="}}}, {"doubleValue": "NaN"}]}';
    for (const protocol of PROTOCOLS) {
      const value = viaGenerated('Value', json, Value, protocol);
      expect(value.kind).toBe('listValue');
      const list = (value as { value: Value[] }).value;
      expect(list[0]).toEqual({ kind: 'intValue', value: 9007199254740993n });
      expect(list[1]).toEqual({ kind: 'mapValue', value: new Map([['k', { kind: 'bytesValue', value: new Uint8Array([0]) }]]) });
      expect(Number.isNaN((list[2] as { value: number }).value)).toBe(true);
      expect(fromGenerated('Value', value, Value, protocol)).toBe(
        '{"listValue":[{"intValue":"9007199254740993"},{"mapValue":{"k":{"bytesValue":"AA=="}}},{"doubleValue":"NaN"}]}',
      );
    }
    expect(failure(() => fromJson(named('Shape'), '{}'))).toBe('v: union Shape needs exactly one of its fields (circle, rect) set, got 0');
    expect(failure(() => fromJson(named('Shape'), '{"circle": {"radius": 1}, "rect": {"width": 1, "height": 1}}'))).toBe(
      'v: union Shape needs exactly one of its fields (circle, rect) set, got 2',
    );
    expect(failure(() => fromJson(named('Shape'), '"circle"'))).toBe('v: expected union Shape (an object with one field), got string');
  });

  it('recursive structs', () => {
    const json = '{"label": "root", "children": [{"label": "leaf", "parent": {"label": "up"}}]}';
    for (const protocol of PROTOCOLS) {
      expect(viaGenerated('TreeNode', json, TreeNode, protocol)).toEqual({
        label: 'root',
        children: [{ label: 'leaf', children: [], parent: { label: 'up', children: [] } }],
      });
    }
  });
});

describe('method arguments and results', () => {
  it('arguments encode as the generated <method>_args struct', () => {
    const { service, func } = method('KitchenSink', 'everything');
    const json = parseJson(
      '{"aBool": true, "anI64": "-1", "aBinary": "AQ==", "shapes": [], "index": {}, "color": "RED", "price": {"amountMinor": 1, "currency": "EUR"}, "id": "00000000-0000-0000-0000-000000000001"}',
    );
    const descriptor = dynamicMethod(service.name, func);
    for (const protocol of PROTOCOLS) {
      const bytes = encode(descriptor.args, argsFromJson(service.name, func, json), protocol);
      expect(decode(KitchenSink.methods.everything.args, bytes, protocol)).toEqual({
        aBool: true,
        anI64: -1n,
        aBinary: new Uint8Array([1]),
        shapes: [],
        index: new Map(),
        color: Color.RED,
        price: { amountMinor: 1n, currency: 'EUR' },
        id: '00000000-0000-0000-0000-000000000001',
      });
    }
    expect(descriptor).toMatchObject({ name: 'everything', oneway: false, idempotent: true, timeoutMs: 250 });
  });

  it('parameters neither optional nor defaulted are required; unknown ones are refused', () => {
    const { service, func } = method('KitchenSink', 'reservedNames');
    expect(failure(() => argsFromJson(service.name, func, parseJson('{"let": 1}')))).toBe("args: missing required parameter 'type' (string) of KitchenSink.reservedNames");
    expect(failure(() => argsFromJson(service.name, func, parseJson('{"lett": 1}')))).toBe(
      "args: KitchenSink.reservedNames has no parameter 'lett' (did you mean 'let'?); its parameters: let, type, options, ctx, arguments, eval",
    );
    expect(failure(() => argsFromJson(service.name, func, parseJson('[1]')))).toBe('args: expected KitchenSink.reservedNames (an object), got array');
    const patch = method('UserService', 'updateUser', 'user_service.rpc');
    expect(failure(() => argsFromJson(patch.service.name, patch.func, parseJson('{"id": 1, "patch": {"tags": ["a", "b", 3]}}')))).toBe(
      'args.patch.tags[2]: expected string, got number',
    );
  });

  it('results: success, void, and declared exceptions as written by the generated codec', () => {
    const { service, func } = method('KitchenSink', 'everything');
    const descriptor = dynamicMethod(service.name, func);
    const generated = KitchenSink.methods.everything.result;
    for (const protocol of PROTOCOLS) {
      const success = decode(descriptor.result, encode(generated, { kind: 'success', value: Containers.create({ ints: [3] }) }, protocol), protocol);
      expect(success.kind).toBe('success');
      expect(toJson(func.returnType!, (success as { value: ThriftValue }).value)).toBe('{"ints":[3],"shapes":[{"circle":{"radius":1}}],"index":{"primes":[2,3,5]}}');

      const thrown = decode(descriptor.result, encode(generated, { kind: 'exception', error: new KitchenError({ message: 'm', code: 418 }) }, protocol), protocol);
      const error = declared(thrown);
      expect([error.decl.name, error.field.name]).toEqual(['KitchenError', 'kitchen']);
      expect(printJson(structToJson(error.decl, error.value), 0)).toBe('{"message":"m","code":418}');

      const notFound = decode(descriptor.result, encode(generated, { kind: 'exception', error: new types.NotFound({ message: 'gone', id: '7' }) }, protocol), protocol);
      expect(declared(notFound).field.name).toBe('notFound');

      // What the dynamic codec writes, the generated one reads.
      const back = decode(generated, encode(descriptor.result, thrown, protocol), protocol);
      expect(back).toMatchObject({ kind: 'exception', error: { message: 'm', code: 418 } });
    }
    const ping = method('Base', 'ping');
    expect(decode(dynamicMethod('Base', ping.func).result, encode(KitchenSink.methods.ping.result, { kind: 'success', value: undefined }))).toEqual({
      kind: 'success',
      value: undefined,
    });
    // A non-void result with nothing set is malformed.
    const echo = method('Base', 'echo');
    expect(() => decode(dynamicMethod('Base', echo.func).result, encode(KitchenSink.methods.ping.result, { kind: 'success', value: undefined }))).toThrow(
      'Base.echo_result.success is missing',
    );
  });
});
