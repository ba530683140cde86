/**
 * Property tests of the generated codecs (generated/kitchen_sink.ts): arbitrary values of rich
 * structs round-trip in both protocols, and arbitrary or mutated bytes only ever fail to decode
 * with a `ProtocolError`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AllBaseTypes,
  Color,
  Containers,
  KitchenError,
  KitchenSink,
  Requiredness,
  TreeNode,
  Value,
  type Shape,
} from '../../generated/kitchen_sink.js';
import { decode, encode, ProtocolError, type Codec, type Protocol } from '../../runtime/index.js';

const PROTOCOLS: readonly Protocol[] = ['compact', 'binary'];

/** `fc.record` with ordinary objects (decoded values have `Object.prototype`). */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, constraints: { requiredKeys?: (keyof T)[] } = {}) {
  return fc.record(model, { noNullPrototype: true, ...constraints } as { noNullPrototype: true });
}

const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const double = fc.double();
const text = fc.string({ unit: 'grapheme' });
const bytes = fc.uint8Array({ maxLength: 32 }).map((b) => new Uint8Array(b));
const uuid = fc.uuid();
const color = fc.constantFrom<Color>(Color.RED, Color.GREEN, Color.BLUE);
const money = record({ amountMinor: i64, currency: text });
const shape: fc.Arbitrary<Shape> = fc.oneof(
  record({ kind: fc.constant('circle' as const), value: record({ radius: double }) }),
  record({ kind: fc.constant('rect' as const), value: record({ width: double, height: double }) }),
);
const small = { maxLength: 4 };

const allBaseTypes: fc.Arbitrary<AllBaseTypes> = record({
  aBool: fc.boolean(),
  aByte: fc.integer({ min: -128, max: 127 }),
  anI8: fc.integer({ min: -128, max: 127 }),
  anI16: fc.integer({ min: -32768, max: 32767 }),
  anI32: i32,
  anI64: i64,
  aDouble: double,
  aString: text,
  aBinary: bytes,
  aUuid: uuid,
});

const containers: fc.Arbitrary<Containers> = record(
  {
    ints: fc.array(i32),
    names: fc.array(text, small).map((a) => new Set(a)),
    scores: fc.array(fc.tuple(text, double), small).map((e) => new Map(e)),
    grid: fc.array(fc.array(text, small), small),
    colorsById: fc.array(fc.tuple(i64, fc.array(color, small).map((a) => new Set(a))), small).map((e) => new Map(e)),
    deep: fc
      .array(fc.tuple(color, fc.array(fc.array(fc.tuple(text, record({ width: double, height: double })), small).map((e) => new Map(e)), small)), small)
      .map((e) => new Map(e)),
    setOfLists: fc.array(fc.array(i32, small), small).map((a) => new Set(a)),
    containerKeys: fc.array(fc.tuple(fc.array(text, small), fc.array(i64, small).map((a) => new Set(a))), small).map((e) => new Map(e)),
    blobs: fc.array(bytes, small),
    balances: fc.array(fc.tuple(uuid, money), small).map((e) => new Map(e)),
    shapes: fc.array(shape, small),
    index: fc.array(fc.tuple(text, fc.array(i64, small)), small).map((e) => new Map(e)),
  },
  { requiredKeys: ['shapes', 'index'] },
);

const requiredness: fc.Arbitrary<Requiredness> = record(
  {
    mustHave: i32,
    mustHaveWithDefault: text,
    mayHave: i32,
    mayHaveWithDefault: fc.array(text, small),
    plain: i32,
    plainWithDefault: i32,
  },
  { requiredKeys: ['mustHave', 'mustHaveWithDefault', 'mayHaveWithDefault', 'plainWithDefault'] },
);

const { tree } = fc.letrec<{ tree: TreeNode }>((tie) => ({
  tree: record(
    {
      label: text,
      children: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constant<TreeNode[]>([]),
        fc.array(tie('tree'), { maxLength: 3 }),
      ),
      parent: record<TreeNode>({ label: text, children: fc.constant([]) }, { requiredKeys: ['label', 'children'] }),
    },
    { requiredKeys: ['label', 'children'] },
  ),
}));

const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    record({ kind: fc.constant('boolValue' as const), value: fc.boolean() }),
    record({ kind: fc.constant('intValue' as const), value: i64 }),
    record({ kind: fc.constant('doubleValue' as const), value: double }),
    record({ kind: fc.constant('stringValue' as const), value: text }),
    record({ kind: fc.constant('bytesValue' as const), value: bytes }),
    record({ kind: fc.constant('listValue' as const), value: fc.array(tie('value'), { maxLength: 3 }) }),
    record({
      kind: fc.constant('mapValue' as const),
      value: fc.array(fc.tuple(text, tie('value')), { maxLength: 3 }).map((e) => new Map(e)),
    }),
  ),
}));

const kitchenError = fc
  .record({ message: text, code: i32, details: fc.array(text, small) }, { requiredKeys: [] })
  .map((init) => new KitchenError(init));

/** A codec with an arbitrary of its values, erased so cases of different types share a table. */
type Case = readonly [name: string, codec: Codec<unknown>, arbitrary: fc.Arbitrary<unknown>];

function kase<T>(name: string, codec: Codec<T>, arbitrary: fc.Arbitrary<T>): Case {
  return [name, codec as unknown as Codec<unknown>, arbitrary];
}

const CASES: readonly Case[] = [
  kase('AllBaseTypes', AllBaseTypes, allBaseTypes),
  kase('Containers', Containers, containers),
  kase('Requiredness', Requiredness, requiredness),
  kase('TreeNode', TreeNode, tree),
  kase('Value', Value, value),
  kase('KitchenError', KitchenError, kitchenError),
  kase(
    'everything_result',
    KitchenSink.methods.everything.result,
    fc.oneof(
      containers.map((v) => ({ kind: 'success' as const, value: v })),
      kitchenError.map((error) => ({ kind: 'exception' as const, error })),
    ),
  ),
];

describe.each(PROTOCOLS)('codec properties (%s)', (protocol) => {
  it.each(CASES)('%s: arbitrary values round-trip', (_name, codec, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (v) => {
        const decoded = decode(codec, encode(codec, v, protocol), protocol);
        expect(decoded).toStrictEqual(v);
      }),
      { numRuns: 150 },
    );
  });

  it.each(CASES)('%s: arbitrary bytes decode or throw ProtocolError', (_name, codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
        expectOnlyProtocolErrors(() => decode(codec, input, protocol));
      }),
      { numRuns: 500 },
    );
  });

  it.each(CASES)('%s: mutated and truncated encodings decode or throw ProtocolError', (_name, codec, arbitrary) => {
    fc.assert(
      fc.property(
        arbitrary,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (v, mutations, cut) => {
          const encoded = encode(codec, v, protocol);
          const mutated = encoded.slice();
          for (const [at, byte] of mutations) if (mutated.length > 0) mutated[at % mutated.length] = byte;
          expectOnlyProtocolErrors(() => decode(codec, mutated, protocol));
          expectOnlyProtocolErrors(() => decode(codec, encoded.subarray(0, cut % (encoded.length + 1)), protocol));
        },
      ),
      { numRuns: 300 },
    );
  });
});

function expectOnlyProtocolErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    expect(error.offset).toBeGreaterThanOrEqual(0);
  }
}
