/**
 * Our copy of the interop samples (python/samples.py has Python's, built independently from the
 * same IDL), and a strict comparison of decoded values.
 */
import type { Color, Containers, Everything, InteropModule, Point, Primitives, Shape } from './interop-api.js';

export const I64_MIN = -(2n ** 63n);
export const I64_MAX = 2n ** 63n - 1n;
export const I32_MIN = -(2 ** 31);
export const I32_MAX = 2 ** 31 - 1;
export const ASTRAL = 'emoji \u{1F600}, math \u{1D538}, CJK \u{2070E}, combining e\u0301, nul \u0000, bidi \u202e';
export const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

const RED: Color = 1;
const BLUE: Color = 7;
const INFRARED: Color = -3;

export const PRIMITIVES: Primitives = {
  aBool: true,
  aByte: -128,
  anI16: -32768,
  anI32: I32_MAX,
  anI64: I64_MIN,
  aDouble: -1.5e-300,
  aString: ASTRAL,
  aBinary: ALL_BYTES,
};

export const CONTAINERS: Containers = {
  ints: [1, -1, I32_MAX, I32_MIN],
  names: new Set(['x', 'y', ASTRAL]),
  counts: new Map([
    ['a', 1n],
    ['b', -1n],
    ['max', I64_MAX],
  ]),
  grid: [[1, 2], [], [-32768, 32767]],
  pointsByName: new Map<string, Point[]>([
    [
      'line',
      [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
    ],
    ['empty', []],
  ]),
  bigs: new Set([I64_MAX, I64_MIN, 0n]),
  deep: new Map([
    [
      1,
      new Map([
        ['s', new Set([-128, 127])],
        ['empty', new Set<number>()],
      ]),
    ],
    [-1, new Map()],
  ]),
  shapes: [
    { kind: 'radius', value: 2.5 },
    { kind: 'label', value: 'l' },
    { kind: 'raw', value: Uint8Array.of(0, 255) },
    { kind: 'point', value: { x: 5, y: 6 } },
    { kind: 'polygon', value: [] },
  ],
  tagsByColor: new Map<Color, string[]>([
    [RED, ['r']],
    [BLUE, []],
    [INFRARED, ['ir', '']],
  ]),
  blobs: [new Uint8Array(0), Uint8Array.of(1, 2, 3)],
  weights: new Map([
    [1n, 0.5],
    [-(2n ** 40n), -2.75],
  ]),
  flags: [true, false, true],
  records: [PRIMITIVES, {}],
};

export const EMPTY_CONTAINERS: Containers = {
  ints: [],
  names: new Set(),
  counts: new Map(),
  grid: [],
  pointsByName: new Map(),
  bigs: new Set(),
  deep: new Map(),
  shapes: [],
  tagsByColor: new Map(),
  blobs: [],
  weights: new Map(),
  flags: [],
  records: [],
};

export const SHAPES: readonly Shape[] = [
  { kind: 'point', value: { x: I32_MIN, y: I32_MAX } },
  { kind: 'radius', value: -0.5 },
  { kind: 'label', value: ASTRAL },
  {
    kind: 'polygon',
    value: [
      { x: 1, y: 1 },
      { x: 2, y: 3 },
    ],
  },
  { kind: 'raw', value: Uint8Array.of(0, 1) },
];

/** The `Everything` samples by name, as roundTrip knows them. */
export function everythingSamples(m: InteropModule): Record<'full' | 'minimal' | 'empty', Everything> {
  return {
    full: {
      id: 1234567890123n,
      nickname: 'ada',
      greeting: 'gr\u00fc\u00dfe, \u4e16\u754c',
      count: -7,
      color: INFRARED,
      tags: ['a', 'b', ''],
      directory: new Map([
        ['root', 0n],
        ['max', I64_MAX],
        ['min', I64_MIN],
      ]),
      primitives: PRIMITIVES,
      containers: CONTAINERS,
      shape: {
        kind: 'polygon',
        value: [
          { x: 1, y: 2 },
          { x: -3, y: 4 },
        ],
      },
      ratios: [0.1, -0, 1e300, Infinity, -Infinity, 5e-324],
      big: I64_MIN,
    },
    // Only the required field; the generated `create` fills in the IDL defaults.
    minimal: m.Everything.create({ id: 1n }),
    empty: {
      id: 0n,
      nickname: '',
      greeting: '',
      count: 0,
      color: RED,
      tags: [],
      directory: new Map(),
      primitives: {},
      containers: EMPTY_CONTAINERS,
      shape: { kind: 'label', value: '' },
      ratios: [],
      big: 0n,
    },
  };
}

/** What Interop.describe returns (python/samples.py formats the same way). */
export function describeArgs(a: number, b: bigint, c: string, d: Color, e: Point): string {
  return `${a}|${b}|${c}|${d}|${e.x},${e.y}`;
}

/**
 * A canonical, JSON-serialisable form: types are kept apart (an i64 `1n` is not the double `1`),
 * doubles are exact (`-0`, NaN, infinities), sets and maps are sorted, properties that are
 * `undefined` are absent, and an error's name and message are part of it.
 */
export function canonical(value: unknown): unknown {
  if (typeof value === 'bigint') return { i64: value.toString() };
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return { double: '-0' };
    return Number.isFinite(value) ? value : { double: String(value) };
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return { binary: Buffer.from(value).toString('hex') };
  if (Array.isArray(value)) return value.map(canonical);
  const sorted = (items: unknown[]) =>
    items
      .map((item) => [JSON.stringify(item), item] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => item);
  if (value instanceof Set) return { set: sorted([...value].map(canonical)) };
  if (value instanceof Map) return { map: sorted([...value].map(([k, v]) => [canonical(k), canonical(v)])) };
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out['$error'] = value.name;
    out['$message'] = value.message;
  }
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) out[key] = canonical(field);
  }
  return out;
}

/**
 * `undefined` when `actual` and `expected` are the same value (see {@link canonical}); otherwise
 * where they first differ and how, e.g. `.containers.counts.map.1: got [...], expected [...]`.
 */
export function difference(actual: unknown, expected: unknown): string | undefined {
  return firstDifference(canonical(actual), canonical(expected), '');
}

function firstDifference(actual: unknown, expected: unknown, path: string): string | undefined {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a === e) return undefined;
  if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) {
    if (Array.isArray(actual) === Array.isArray(expected)) {
      const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
      for (const key of keys) {
        const inner = firstDifference(
          (actual as Record<string, unknown>)[key],
          (expected as Record<string, unknown>)[key],
          `${path}.${key}`,
        );
        if (inner !== undefined) return inner;
      }
    }
  }
  const short = (text: string | undefined) => (text === undefined ? 'nothing' : text.length > 200 ? `${text.slice(0, 200)}...` : text);
  return `${path === '' ? 'value' : path}: got ${short(a)}, expected ${short(e)}`;
}
