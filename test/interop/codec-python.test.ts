/**
 * Byte-exact interop between our generated codecs and Apache Thrift's own Python library
 * (python3-thrift 0.17, driven by test/interop/python/thrift_peer.py over JSON lines).
 *
 * For every struct, union and exception of idl-examples/kitchen_sink.rpc (and the common types it
 * includes), in the Compact and the strict Binary protocol:
 *   1. Thrift encodes the value and our codec encodes the same value: the bytes must be equal
 *      (both write fields in id order; sets and maps are handed to Python in our iteration order,
 *      so element order is the same too);
 *   2. our codec decodes Thrift's bytes back to the value (with our defaults where it says so);
 *   3. Thrift decodes our bytes back to the value.
 * Values are compared in a canonical, self-describing JSON form (see `Wire`): integers as decimal
 * strings (exact for i64), doubles as their IEEE 754 bits (NaN, -0 and infinities exact), binary
 * as hex, sets and maps as sorted arrays, unions as `{ field: value }`.
 *
 * Defaults: the bytes of Thrift's own generated defaults equal ours, fields absent from the bytes
 * decode to our defaults, and a missing `required` field is a `ProtocolError`.
 *
 * Schema evolution uses test/interop/fixtures/evolution_v{1,2}.rpc: each side must skip the fields
 * only the other side's newer version has, and apply defaults for fields an older writer lacks.
 *
 * Messages: every kind of method's `<method>_args` and `<method>_result` after a message header,
 * in the Compact, strict Binary and old non-strict Binary protocols.
 *
 * Limits of the oracle (each is covered another way):
 * - Thrift 0.17 has no `uuid`. Python gets copies of the IDL files with `uuid` read as `string`,
 *   and fields of type uuid are left out of what Python sees. `AllBaseTypes.aUuid` (always
 *   written) is checked by splicing the documented 16-byte layout into Thrift's bytes; the layout
 *   itself is tested in test/runtime/protocol-*.test.ts.
 * - Thrift's Python code cannot read `set<list<...>>` or `map<list<...>, ...>` (lists are not
 *   hashable in Python); for those fields only steps 1 and 2 run.
 * - Python keywords cannot be field names in Python, so the copy renames `await` to `await_`:
 *   names never reach the wire, only ids do.
 * - Thrift 0.17's Python `skip()` decodes skipped strings and binaries as UTF-8, so binary data
 *   Python must skip is valid UTF-8; our codecs skip arbitrary bytes (tested without Python).
 * - Thrift 0.17's Python generator gets one default wrong (see `PYTHON_DEFAULT_BUGS`).
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, requireThrift, THRIFT } from './thrift-tools.js';
import { compile, renderDiagnostic, type OutputFile } from '../../compiler/index.js';
import * as common from '../../generated/common/types.js';
import * as ks from '../../generated/kitchen_sink.js';
import { decode, encode, type Codec, type Protocol } from '../../runtime/codec.js';
import { ProtocolError } from '../../runtime/errors.js';
import { BinaryReader, BinaryWriter } from '../../runtime/protocol/binary.js';
import { CompactReader, CompactWriter } from '../../runtime/protocol/compact.js';
import { MessageType, type Reader, type Writer } from '../../runtime/protocol/types.js';
import {
  allFunctions,
  resolveTypedefs,
  type FunctionDecl,
  type Schema,
  type StructDecl,
  type Type,
} from '../../compiler/schema.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PEER_SCRIPT = join(import.meta.dirname, 'python/thrift_peer.py');
const PROTOCOLS: readonly Protocol[] = ['compact', 'binary'];

// ---------------------------------------------------------------------------------------------
// The canonical value form shared with the Python peer.

/** A value in the self-describing JSON form thrift_peer.py reads and writes (see its docstring). */
type Wire =
  | boolean
  | string
  | readonly Wire[]
  | { readonly $i: string }
  | { readonly $d: string }
  | { readonly $b: string }
  | { readonly $set: readonly Wire[] }
  | { readonly $map: readonly (readonly [Wire, Wire])[] }
  | { readonly [field: string]: Wire };

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function doubleBits(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return hex(new Uint8Array(view.buffer));
}

/**
 * The wire form of a TypeScript value of IDL type `type`, in the value's own iteration order. The
 * types come from the compiler's resolved model, the emitter's own input.
 */
function toWire(declared: Type, value: unknown): Wire {
  const type = resolveTypedefs(declared);
  switch (type.kind) {
    case 'bool':
    case 'string':
    case 'uuid':
      return value as boolean | string;
    case 'byte':
    case 'i8':
    case 'i16':
    case 'i32':
    case 'enum':
    case 'i64':
      return { $i: String(value as number | bigint) };
    case 'double':
      return { $d: doubleBits(value as number) };
    case 'binary':
      return { $b: hex(value as Uint8Array) };
    case 'list':
      return (value as unknown[]).map((item) => toWire(type.element, item));
    case 'set':
      return { $set: [...(value as Set<unknown>)].map((item) => toWire(type.element, item)) };
    case 'map':
      return {
        $map: [...(value as Map<unknown, unknown>)].map(
          ([k, v]) => [toWire(type.key, k), toWire(type.value, v)] as const,
        ),
      };
    case 'struct':
      return structToWire(type.decl, value);
  }
}

/**
 * The wire form of a struct, union or exception: present fields by IDL name. A field is present
 * when it is an own property that is not undefined (so an exception's `message`, inherited from
 * `Error.prototype` as `''` when never set, counts as absent).
 */
function structToWire(decl: StructDecl, value: unknown): Wire {
  if (decl.kind === 'union') {
    const { kind, value: member } = value as { kind: string; value: unknown };
    const field = decl.fields.find((f) => f.name === kind);
    if (!field) throw new Error(`${decl.name} has no member ${kind}`);
    return { [kind]: toWire(field.type, member) };
  }
  // No prototype: a field named `__proto__` must become an own property.
  const out = Object.create(null) as Record<string, Wire>;
  const record = value as Record<string, unknown>;
  for (const field of decl.fields) {
    const property = field.tsName;
    if (Object.hasOwn(record, property) && record[property] !== undefined) {
      out[field.name] = toWire(field.type, record[property]);
    }
  }
  return out;
}

/** `wire` with set elements, map entries and object keys sorted, so equal values compare equal. */
function canonical(wire: Wire): Wire {
  const sorted = <T>(items: T[], key: (item: T) => Wire) =>
    items
      .map((item) => [JSON.stringify(key(item)), item] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => item);
  if (typeof wire !== 'object') return wire;
  if (Array.isArray(wire)) return wire.map(canonical);
  if ('$set' in wire) {
    const { $set } = wire as { readonly $set: readonly Wire[] };
    return { $set: sorted($set.map(canonical), (item) => item) };
  }
  if ('$map' in wire) {
    const { $map } = wire as { readonly $map: readonly (readonly [Wire, Wire])[] };
    return {
      $map: sorted(
        $map.map(([k, v]) => [canonical(k), canonical(v)] as const),
        ([k]) => k,
      ),
    };
  }
  const object = wire as Record<string, Wire>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, canonical(object[key]!)]),
  );
}

/** A readable account of the first difference between two byte strings, or undefined if equal. */
function byteDifference(ours: Uint8Array, thrift: Uint8Array): string | undefined {
  let at = 0;
  while (at < ours.length && at < thrift.length && ours[at] === thrift[at]) at++;
  if (at === ours.length && at === thrift.length) return undefined;
  const around = (bytes: Uint8Array) => hex(bytes.subarray(Math.max(0, at - 8), at + 16));
  return (
    `lengths ours ${ours.length}, thrift ${thrift.length}; first difference at byte ${at}\n` +
    `  ours   (from byte ${Math.max(0, at - 8)}): ${around(ours)}\n` +
    `  thrift (from byte ${Math.max(0, at - 8)}): ${around(thrift)}`
  );
}

// ---------------------------------------------------------------------------------------------
// The Python peer: one process for the whole file.

interface PeerResponse {
  readonly hex?: string;
  readonly value?: Wire;
  readonly message?: { readonly name: string; readonly type: number; readonly seqId: number };
  readonly error?: string;
}

interface EnvelopeHeader {
  readonly name: string;
  readonly type: number;
  readonly seqId: number;
}

interface EncodeOptions {
  /** Binary protocol only: false writes the old header without a version. Default true. */
  readonly strict?: boolean;
  /** Write a message header before the struct. */
  readonly message?: EnvelopeHeader;
  /** Fields the value leaves out keep the defaults of Thrift's generated constructor. */
  readonly pythonDefaults?: boolean;
}

/** A running thrift_peer.py: requests are answered in order, matched by id. */
class ThriftPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (response: PeerResponse) => void>();
  private nextId = 1;
  private stderr = '';
  private exited: string | undefined;

  constructor(generatedDirs: readonly string[]) {
    // A fixed hash seed keeps Python's set order, and so failure output, the same from run to run.
    this.child = spawn(PYTHON, [PEER_SCRIPT, ...generatedDirs], { env: { ...process.env, PYTHONHASHSEED: '0' } });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const response = JSON.parse(line) as PeerResponse & { id: number };
      this.waiting.get(response.id)?.(response);
      this.waiting.delete(response.id);
    });
    this.child.on('exit', (code) => {
      this.exited = `thrift_peer.py exited with ${code}: ${this.stderr}`;
      for (const resolveResponse of this.waiting.values()) resolveResponse({ error: this.exited });
      this.waiting.clear();
    });
  }

  /** Thrift's encoding of `value` as an instance of the Python class `pythonClass`. */
  async encode(pythonClass: string, protocol: Protocol, value: Wire, options: EncodeOptions = {}): Promise<Uint8Array> {
    const response = await this.request({ op: 'encode', class: pythonClass, protocol, value, ...options });
    return new Uint8Array(Buffer.from(response.hex!, 'hex'));
  }

  /** What Thrift reads from `bytes` as an instance of `pythonClass` (with the message header, if asked). */
  async decode(
    pythonClass: string,
    protocol: Protocol,
    bytes: Uint8Array,
    options: { readonly message?: boolean } = {},
  ): Promise<{ value: Wire; message?: EnvelopeHeader }> {
    const response = await this.request({ op: 'decode', class: pythonClass, protocol, hex: hex(bytes), ...options });
    return { value: response.value!, ...(response.message ? { message: response.message } : {}) };
  }

  close(): void {
    this.child.stdin.end();
  }

  private request(request: Record<string, unknown>): Promise<PeerResponse> {
    const id = this.nextId++;
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolveResponse, reject) => {
      this.waiting.set(id, (response) =>
        response.error ? reject(new Error(`thrift: ${response.error}`)) : resolveResponse(response),
      );
      this.child.stdin.write(`${JSON.stringify({ id, ...request })}\n`);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Setup: Python code from Thrift's compiler, TypeScript code for the evolution fixtures.

/** A copy of an IDL file Thrift 0.17 accepts and Python can import (see the file comment). */
function forPython(idl: string): string {
  return idl.replace(/\buuid\b/g, 'string').replace(/(\d+:\s*i32\s+)await\b/g, '$1await_');
}

/** Generates Python for each IDL file (given as path in the copy -> text) into one directory. */
function generatePython(dir: string, files: Record<string, string>, roots: readonly string[]): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'idl', path)), { recursive: true });
    writeFileSync(join(dir, 'idl', path), forPython(text));
  }
  const out = join(dir, 'py');
  mkdirSync(out, { recursive: true });
  for (const root of roots)
    execFileSync(THRIFT, ['-r', '--gen', 'py', '-out', out, join(dir, 'idl', root)], { stdio: 'pipe' });
  return out;
}

/** Our compiler's output for IDL files of the repository (and what they include): fails on any error. */
async function compileIdl(
  paths: readonly string[],
  rootDir: string,
): Promise<{ files: readonly OutputFile[]; schema: Schema }> {
  const readFile = (path: string) => {
    const absolute = join(ROOT, path);
    return existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
  };
  const result = await compile(paths, { host: { readFile }, rootDirs: [rootDir], version: '0.0.0-test' });
  expect(
    result.diagnostics.filter((d) => d.severity === 'error').map((d) => renderDiagnostic(d, result.sources)),
  ).toEqual([]);
  return { files: result.files, schema: result.schema! };
}

/** Indexes the structs, unions and exceptions of `schema` by IDL name. */
function structsOf(schema: Schema): Map<string, StructDecl> {
  const structs = new Map<string, StructDecl>();
  for (const file of schema.files) {
    for (const decl of file.declarations) {
      if (decl.kind === 'struct' || decl.kind === 'union' || decl.kind === 'exception') structs.set(decl.name, decl);
    }
  }
  return structs;
}

/** Compiles a fixture into a directory inside the repository (so vitest transforms it) and imports it. */
async function importFixture(dir: string, name: string): Promise<Record<string, Codec<unknown>>> {
  const { files, schema } = await compileIdl([`test/interop/fixtures/${name}.rpc`], 'test/interop/fixtures');
  declarations.set(`interop.${name.slice(name.lastIndexOf('_') + 1)}`, structsOf(schema));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.text);
  }
  return (await import(pathToFileURL(join(dir, `${name}.ts`)).href)) as Record<string, Codec<unknown>>;
}

let peer: ThriftPeer;
let pythonDir: string;
let fixtureDir: string;
let kitchenSchema: Schema;
let v1: Record<string, Codec<unknown>>;
let v2: Record<string, Codec<unknown>>;
/** Struct, union and exception declarations by Python module prefix (`interop.v1`, ...), then IDL name. */
const declarations = new Map<string, Map<string, StructDecl>>();

/** The declaration of the struct a Python class (`module.Class`) was generated from. */
function declOf(pythonClass: string): StructDecl {
  const name = pythonClass.slice(pythonClass.lastIndexOf('.') + 1);
  const module = pythonClass.startsWith('interop.') ? pythonClass.split('.').slice(0, 2).join('.') : 'kitchen_sink';
  const decl = declarations.get(module)?.get(name);
  if (!decl) throw new Error(`no declaration for ${pythonClass}`);
  return decl;
}

/** Our codec, from a compiled fixture, of the struct a Python class (`interop.v1.ttypes.X`) was generated from. */
function fixtureCodec(pythonClass: string): Codec<unknown> {
  const module = pythonClass.startsWith('interop.v1.') ? v1 : v2;
  const codec = module[declOf(pythonClass).tsName];
  if (!codec) throw new Error(`the compiled fixture has no ${declOf(pythonClass).tsName}`);
  return codec;
}

/** The wire form of `value`, a value of the struct `pythonClass` was generated from. */
function wireOf(pythonClass: string, value: unknown): Wire {
  return structToWire(declOf(pythonClass), value);
}

beforeAll(async () => {
  requireThrift();
  pythonDir = mkdtempSync(join(tmpdir(), 'skiff-interop-'));
  const idl = (path: string) => readFileSync(join(ROOT, path), 'utf8');
  const generated = generatePython(
    pythonDir,
    {
      'kitchen_sink.rpc': idl('idl-examples/kitchen_sink.rpc'),
      'common/types.rpc': idl('idl-examples/common/types.rpc'),
      'evolution_v1.rpc': idl('test/interop/fixtures/evolution_v1.rpc'),
      'evolution_v2.rpc': idl('test/interop/fixtures/evolution_v2.rpc'),
    },
    ['kitchen_sink.rpc', 'evolution_v1.rpc', 'evolution_v2.rpc'],
  );
  peer = new ThriftPeer([generated]);
  kitchenSchema = (await compileIdl(['idl-examples/kitchen_sink.rpc'], 'idl-examples')).schema;
  declarations.set('kitchen_sink', structsOf(kitchenSchema));
  fixtureDir = mkdtempSync(join(ROOT, 'test/interop/.gen-'));
  v1 = await importFixture(fixtureDir, 'evolution_v1');
  v2 = await importFixture(fixtureDir, 'evolution_v2');
});

afterAll(() => {
  peer?.close();
  for (const dir of [pythonDir, fixtureDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Kitchen-sink cases.

interface CodecCase {
  readonly name: string;
  readonly codec: Codec<unknown>;
  /** The Python class, `module.Class`. */
  readonly python: string;
  readonly value: unknown;
  /**
   * A uuid field Thrift cannot write: left out for Python and spliced into Thrift's bytes; our
   * codec decodes Thrift's bytes (which lack it) with the field's default.
   */
  readonly uuidField?: {
    readonly id: number;
    readonly previousId: number;
    readonly property: string;
    readonly defaultValue: string;
  };
  /** Why Thrift's Python code cannot read this value (step 3 is skipped). */
  readonly pythonCannotRead?: string;
}

function codecCase<T>(
  name: string,
  codec: Codec<T>,
  python: string,
  value: T,
  options: Partial<Pick<CodecCase, 'uuidField' | 'pythonCannotRead'>> = {},
): CodecCase {
  return { name, codec: codec as Codec<unknown>, python, value, ...options };
}

const KS = 'kitchen_sink.ttypes';
const COMMON = 'example.common.ttypes';
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const ASTRAL = 'emoji 😀, math 𝔸, CJK 𠜎, combining é, nul \u0000, bidi \u202e';
const BIG_BINARY = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 31 + 7) & 0xff);
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const UTF8_BYTES = new TextEncoder().encode(ASTRAL);
const UUID = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const AUUID_FIELD = {
  id: 10,
  previousId: 9,
  property: 'aUuid',
  defaultValue: ks.AllBaseTypes.create({}).aUuid,
} as const;

function tree(depth: number): ks.TreeNode {
  return depth === 0
    ? { label: 'leaf', children: [] }
    : { label: `level ${depth}`, children: [tree(depth - 1), { label: '', children: [] }] };
}

const CASES: readonly CodecCase[] = [
  codecCase('Canvas, full', ks.Canvas, `${KS}.Canvas`, {
    shapes: [
      { kind: 'circle', value: { radius: 0.5 } },
      { kind: 'rect', value: { width: 2, height: 1e300 } },
    ],
    background: ks.Color.GREEN,
  }),
  codecCase('Canvas, defaults only', ks.Canvas, `${KS}.Canvas`, ks.Canvas.create({})),
  codecCase('Canvas, empty list', ks.Canvas, `${KS}.Canvas`, { shapes: [], background: ks.Color.RED }),
  codecCase('Shape, circle', ks.Shape, `${KS}.Shape`, { kind: 'circle', value: { radius: -0 } }),
  codecCase('Shape, rect', ks.Shape, `${KS}.Shape`, { kind: 'rect', value: { width: Infinity, height: -Infinity } }),
  codecCase('Circle, NaN', ks.Circle, `${KS}.Circle`, { radius: NaN }),
  codecCase('Circle, -0', ks.Circle, `${KS}.Circle`, { radius: -0 }),
  codecCase('Circle, smallest subnormal', ks.Circle, `${KS}.Circle`, { radius: 5e-324 }),
  codecCase('Rect, largest finite and epsilon', ks.Rect, `${KS}.Rect`, {
    width: Number.MAX_VALUE,
    height: Number.EPSILON,
  }),
  codecCase('Rect, infinities', ks.Rect, `${KS}.Rect`, { width: Infinity, height: -Infinity }),
  codecCase(
    'AllBaseTypes, minimums',
    ks.AllBaseTypes,
    `${KS}.AllBaseTypes`,
    {
      aBool: false,
      aByte: -128,
      anI8: -128,
      anI16: -32768,
      anI32: I32_MIN,
      anI64: I64_MIN,
      aDouble: -Infinity,
      aString: '',
      aBinary: new Uint8Array(),
      aUuid: '00000000-0000-0000-0000-000000000000',
    },
    { uuidField: AUUID_FIELD },
  ),
  codecCase(
    'AllBaseTypes, maximums',
    ks.AllBaseTypes,
    `${KS}.AllBaseTypes`,
    {
      aBool: true,
      aByte: 127,
      anI8: 127,
      anI16: 32767,
      anI32: I32_MAX,
      anI64: I64_MAX,
      aDouble: Infinity,
      aString: ASTRAL,
      aBinary: BIG_BINARY,
      aUuid: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    },
    { uuidField: AUUID_FIELD },
  ),
  codecCase(
    'AllBaseTypes, NaN, -1 and every byte value',
    ks.AllBaseTypes,
    `${KS}.AllBaseTypes`,
    ks.AllBaseTypes.create({
      aDouble: NaN,
      anI64: -1n,
      anI32: -1,
      anI16: -1,
      anI8: -1,
      aByte: 0,
      aBinary: ALL_BYTES,
      aUuid: UUID,
    }),
    { uuidField: AUUID_FIELD },
  ),
  codecCase(
    'AllBaseTypes, -0 and defaults',
    ks.AllBaseTypes,
    `${KS}.AllBaseTypes`,
    ks.AllBaseTypes.create({ aDouble: -0 }),
    {
      uuidField: AUUID_FIELD,
    },
  ),
  codecCase('Containers, full', ks.Containers, `${KS}.Containers`, {
    ints: [I32_MIN, -1, 0, 1, I32_MAX],
    names: new Set(['', 'b', 'a', ASTRAL]),
    scores: new Map([
      ['nan', NaN],
      ['-0', -0],
      ['inf', Infinity],
      ['pi', Math.PI],
    ]),
    grid: [[], ['a', 'b'], [''], []],
    colorsById: new Map([
      [I64_MIN, new Set<ks.Color>([ks.Color.RED, ks.Color.BLUE])],
      [I64_MAX, new Set<ks.Color>()],
      [0n, new Set<ks.Color>([ks.Color.GREEN])],
    ]),
    deep: new Map([
      [
        ks.Color.GREEN,
        [
          new Map(),
          new Map([
            ['r', { width: 1, height: 2 }],
            ['s', { width: -0, height: NaN }],
          ]),
        ],
      ],
      [ks.Color.RED, []],
    ]),
    blobs: [new Uint8Array(), ALL_BYTES, BIG_BINARY],
    shapes: [
      { kind: 'rect', value: { width: 3, height: 4 } },
      { kind: 'circle', value: { radius: 1 } },
    ],
    index: new Map([
      ['', []],
      ['k', [I64_MIN, 0n, I64_MAX]],
    ]),
  }),
  codecCase('Containers, defaults only', ks.Containers, `${KS}.Containers`, ks.Containers.create({})),
  codecCase('Containers, every container empty', ks.Containers, `${KS}.Containers`, {
    ints: [],
    names: new Set<string>(),
    scores: new Map(),
    grid: [],
    colorsById: new Map(),
    deep: new Map(),
    setOfLists: new Set<number[]>(),
    containerKeys: new Map(),
    blobs: [],
    shapes: [],
    index: new Map(),
  }),
  codecCase(
    'Containers, containers as set elements and map keys',
    ks.Containers,
    `${KS}.Containers`,
    {
      setOfLists: new Set([[1, 2], [], [I32_MIN]]),
      containerKeys: new Map([
        [['a', 'b'], new Set([1n, I64_MIN])],
        [[], new Set<bigint>()],
      ]),
      shapes: [],
      index: new Map(),
    },
    { pythonCannotRead: 'lists are not hashable in Python' },
  ),
  codecCase('Requiredness, full', ks.Requiredness, `${KS}.Requiredness`, {
    mustHave: I32_MIN,
    mustHaveWithDefault: '',
    mayHave: 0,
    mayHaveWithDefault: [],
    plain: -5,
    plainWithDefault: I32_MAX,
  }),
  codecCase(
    'Requiredness, required only',
    ks.Requiredness,
    `${KS}.Requiredness`,
    ks.Requiredness.create({ mustHave: 1 }),
  ),
  codecCase('Defaults, every default', ks.Defaults, `${KS}.Defaults`, ks.Defaults.create({})),
  codecCase('Defaults, none of the defaults', ks.Defaults, `${KS}.Defaults`, {
    flag: true,
    ratio: -0,
    text: ASTRAL,
    numbers: [],
    tags: new Set(['x', 'y', '']),
    lookup: new Map([['n', -1]]),
    color: ks.Color.BLUE,
    colorByNumber: ks.Color.RED,
    rect: { width: NaN, height: 0 },
    price: { amountMinor: I64_MIN, currency: '' },
    shape: { kind: 'circle', value: { radius: 2 } },
    sign: ks.Sign.LARGE,
    big: I64_MIN,
    index: new Map([['z', [I64_MAX]]]),
  }),
  codecCase('Defaults, enum values that are not members', ks.Defaults, `${KS}.Defaults`, {
    ...ks.Defaults.create({}),
    color: 99 as ks.Color,
    sign: I32_MIN as ks.Sign,
  }),
  codecCase('Separators', ks.Separators, `${KS}.Separators`, {
    a: 1,
    b: -2,
    c: 3,
    d: [4, 5],
    e: new Map([['six', 6]]),
  }),
  codecCase('Reserved, every field', ks.Reserved, `${KS}.Reserved`, {
    let: 1,
    type: 'type',
    typeof: true,
    await: 4,
    export: 5,
    null: 6,
    undefined: 7,
    arguments: 8,
    eval: 9,
    debugger: 10,
    readonly: 11,
    constructor_: 12,
    __proto___: 13,
    options: 14,
    ctx: 15,
  }),
  // Absent optional fields named after Object.prototype members (`constructor`): the cast is
  // needed because TypeScript, too, sees the literal's inherited `constructor`.
  codecCase('Reserved, one field', ks.Reserved, `${KS}.Reserved`, { let: 1 } as unknown as ks.Reserved),
  codecCase('Map_', ks.Map_, `${KS}.Map`, { key: 'k', value: ASTRAL }),
  codecCase(
    'Error_, every field',
    ks.Error_,
    `${KS}.Error`,
    new ks.Error_({ message: 'm', name_: 'n', stack_: 's', cause_: -1 }),
  ),
  codecCase('Error_, empty', ks.Error_, `${KS}.Error`, new ks.Error_()),
  codecCase('LegacyNoIds (negative ids)', ks.LegacyNoIds, `${KS}.LegacyNoIds`, { legacy: 'old', alsoLegacy: 3 }),
  codecCase('TreeNode, nested 12 deep with a parent', ks.TreeNode, `${KS}.TreeNode`, {
    ...tree(12),
    parent: { label: 'root', children: [], parent: { label: 'above root', children: [tree(1)] } },
  }),
  codecCase('TreeNode, required only', ks.TreeNode, `${KS}.TreeNode`, ks.TreeNode.create({ label: '' })),
  codecCase('Value, bool true', ks.Value, `${KS}.Value`, { kind: 'boolValue', value: true }),
  codecCase('Value, bool false', ks.Value, `${KS}.Value`, { kind: 'boolValue', value: false }),
  codecCase('Value, i64 min', ks.Value, `${KS}.Value`, { kind: 'intValue', value: I64_MIN }),
  codecCase('Value, double NaN', ks.Value, `${KS}.Value`, { kind: 'doubleValue', value: NaN }),
  codecCase('Value, string', ks.Value, `${KS}.Value`, { kind: 'stringValue', value: ASTRAL }),
  codecCase('Value, empty binary', ks.Value, `${KS}.Value`, { kind: 'bytesValue', value: new Uint8Array() }),
  codecCase('Value, empty list', ks.Value, `${KS}.Value`, { kind: 'listValue', value: [] }),
  codecCase('Value, nested lists and maps', ks.Value, `${KS}.Value`, {
    kind: 'mapValue',
    value: new Map<string, ks.Value>([
      [
        'list',
        {
          kind: 'listValue',
          value: [
            { kind: 'boolValue', value: true },
            { kind: 'boolValue', value: false },
            { kind: 'intValue', value: I64_MAX },
            { kind: 'listValue', value: [{ kind: 'mapValue', value: new Map() }] },
          ],
        },
      ],
      ['', { kind: 'bytesValue', value: ALL_BYTES }],
      ['d', { kind: 'doubleValue', value: -0 }],
    ]),
  }),
  codecCase(
    'KitchenError, full',
    ks.KitchenError,
    `${KS}.KitchenError`,
    new ks.KitchenError({ message: ASTRAL, code: -1, details: ['a', ''] }),
  ),
  codecCase('KitchenError, defaults only', ks.KitchenError, `${KS}.KitchenError`, new ks.KitchenError()),
  codecCase(
    'KitchenError, empty message',
    ks.KitchenError,
    `${KS}.KitchenError`,
    new ks.KitchenError({ message: '', details: [] }),
  ),
  codecCase(
    'CodedError, full',
    ks.CodedError,
    `${KS}.CodedError`,
    new ks.CodedError({ message_: I32_MAX, reason: 'why' }),
  ),
  codecCase('CodedError, empty', ks.CodedError, `${KS}.CodedError`, new ks.CodedError()),
  codecCase('Money', common.Money, `${COMMON}.Money`, { amountMinor: I64_MAX, currency: 'EUR' }),
  codecCase('PageRequest, full', common.PageRequest, `${COMMON}.PageRequest`, { cursor: ASTRAL, limit: 0 }),
  codecCase('PageRequest, defaults', common.PageRequest, `${COMMON}.PageRequest`, common.PageRequest.create({})),
  codecCase('PageInfo, full', common.PageInfo, `${COMMON}.PageInfo`, { nextCursor: '', totalCount: I64_MIN }),
  codecCase('PageInfo, empty', common.PageInfo, `${COMMON}.PageInfo`, {}),
  codecCase(
    'NotFound',
    common.NotFound,
    `${COMMON}.NotFound`,
    new common.NotFound({ message: 'gone', entity: 'user', id: '7' }),
  ),
  codecCase(
    'InvalidArgument',
    common.InvalidArgument,
    `${COMMON}.InvalidArgument`,
    new common.InvalidArgument({ message: 'bad', field: 'a.b' }),
  ),
  codecCase(
    'PermissionDenied',
    common.PermissionDenied,
    `${COMMON}.PermissionDenied`,
    new common.PermissionDenied({ permission: 'x' }),
  ),
];

/** The bytes of a uuid field in the documented layout (Compact: header with type 13; Binary: type 16, i16 id). */
function uuidFieldBytes(protocol: Protocol, field: NonNullable<CodecCase['uuidField']>, uuid: string): Uint8Array {
  const value = Buffer.from(uuid.replaceAll('-', ''), 'hex');
  const delta = field.id - field.previousId;
  const header = protocol === 'compact' ? [(delta << 4) | 13] : [16, field.id >> 8, field.id & 0xff];
  return Uint8Array.from([...header, ...value]);
}

/** What Python gets of a case's value: the value without the uuid field Thrift 0.17 cannot write. */
function pythonView(kase: CodecCase): Wire {
  const wire = wireOf(kase.python, kase.value) as Record<string, Wire>;
  if (!kase.uuidField) return wire;
  const { [kase.uuidField.property]: _uuid, ...rest } = wire;
  return rest;
}

describe.each(PROTOCOLS)('kitchen sink, %s protocol', (protocol) => {
  it.each(CASES.map((kase) => [kase.name, kase] as const))('%s', async (_name, kase) => {
    const decl = declOf(kase.python);
    const sent = pythonView(kase);
    const thrift = await peer.encode(kase.python, protocol, sent);
    const ours = encode(kase.codec, kase.value, protocol);

    const expectedOurs = kase.uuidField
      ? Uint8Array.from([
          ...thrift.subarray(0, -1),
          ...uuidFieldBytes(protocol, kase.uuidField, (kase.value as Record<string, string>)[kase.uuidField.property]!),
          0,
        ])
      : thrift;
    expect(byteDifference(ours, expectedOurs), 'our bytes against Thrift').toBeUndefined();

    const decoded = decode(kase.codec, thrift, protocol);
    const expected = kase.uuidField
      ? { ...(kase.value as object), [kase.uuidField.property]: kase.uuidField.defaultValue }
      : kase.value;
    expect(canonical(structToWire(decl, decoded)), 'our decoding of Thrift bytes').toEqual(
      canonical(structToWire(decl, expected)),
    );
    if (decl.kind === 'exception') expect(decoded).toBeInstanceOf(kase.codec as unknown as Function);

    if (!kase.pythonCannotRead && !kase.uuidField) {
      const theirs = await peer.decode(kase.python, protocol, ours);
      expect(canonical(theirs.value), "Thrift's decoding of our bytes").toEqual(canonical(sent));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Defaults: Thrift's own defaults write the same bytes as ours, and absent fields decode to them.

interface DefaultsCase {
  readonly name: string;
  readonly codec: Codec<unknown>;
  readonly python: string;
  /** The value with only its required fields set; the codec's `create` adds the defaults. */
  readonly requiredOnly: unknown;
  /** `requiredOnly` after `create`. */
  readonly withDefaults: unknown;
}

function defaultsCase<T>(
  name: string,
  codec: Codec<T>,
  python: string,
  requiredOnly: unknown,
  withDefaults: T,
): DefaultsCase {
  return { name, codec: codec as Codec<unknown>, python, requiredOnly, withDefaults };
}

const DEFAULTS_CASES: readonly DefaultsCase[] = [
  defaultsCase('Canvas', ks.Canvas, `${KS}.Canvas`, {}, ks.Canvas.create({})),
  defaultsCase('AllBaseTypes', ks.AllBaseTypes, `${KS}.AllBaseTypes`, {}, ks.AllBaseTypes.create({})),
  defaultsCase('Containers', ks.Containers, `${KS}.Containers`, {}, ks.Containers.create({})),
  defaultsCase(
    'Requiredness',
    ks.Requiredness,
    `${KS}.Requiredness`,
    { mustHave: 9, mustHaveWithDefault: 'x' },
    ks.Requiredness.create({ mustHave: 9 }),
  ),
  defaultsCase('Defaults', ks.Defaults, `${KS}.Defaults`, {}, ks.Defaults.create({})),
  defaultsCase('TreeNode', ks.TreeNode, `${KS}.TreeNode`, { label: 'x' }, ks.TreeNode.create({ label: 'x' })),
  defaultsCase('KitchenError', ks.KitchenError, `${KS}.KitchenError`, {}, new ks.KitchenError()),
  defaultsCase('PageRequest', common.PageRequest, `${COMMON}.PageRequest`, {}, common.PageRequest.create({})),
];

/**
 * Fields whose Thrift 0.17 Python default differs from the IDL: `Containers.index = INDEX` (a
 * constant of a typedef'd map type) is generated as `{}` by Thrift's Python generator, a Thrift
 * bug; our `INDEX` is right. Such fields are given to Python explicitly.
 */
const PYTHON_DEFAULT_BUGS: Readonly<Record<string, readonly string[]>> = { Containers: ['index'] };

describe.each(PROTOCOLS)('defaults, %s protocol', (protocol) => {
  it.each(DEFAULTS_CASES.map((kase) => [kase.name, kase] as const))(
    "%s: Thrift's generated defaults encode to our bytes",
    async (_name, kase) => {
      const decl = declOf(kase.python);
      const full = structToWire(decl, kase.withDefaults) as Record<string, Wire>;
      const sent: Record<string, Wire | null> = structToWire(decl, kase.requiredOnly) as Record<string, Wire>;
      for (const field of PYTHON_DEFAULT_BUGS[decl.name] ?? []) sent[field] = full[field]!;
      // Thrift 0.17 would default `aUuid` to a string field; ours is a uuid: compared without it.
      const uuidFree = decl.name === 'AllBaseTypes';
      if (uuidFree) sent['aUuid'] = null;
      const thrift = await peer.encode(kase.python, protocol, sent as Wire, { pythonDefaults: true });
      const ours = encode(kase.codec, kase.withDefaults, protocol);
      const expectedOurs = uuidFree
        ? Uint8Array.from([
            ...thrift.subarray(0, -1),
            ...uuidFieldBytes(protocol, AUUID_FIELD, AUUID_FIELD.defaultValue),
            0,
          ])
        : thrift;
      expect(byteDifference(ours, expectedOurs)).toBeUndefined();
    },
  );

  it.each(DEFAULTS_CASES.map((kase) => [kase.name, kase] as const))(
    '%s: fields absent from the bytes decode to their defaults',
    async (_name, kase) => {
      const decl = declOf(kase.python);
      const thrift = await peer.encode(kase.python, protocol, structToWire(decl, kase.requiredOnly));
      const decoded = decode(kase.codec, thrift, protocol);
      expect(canonical(structToWire(decl, decoded))).toEqual(canonical(structToWire(decl, kase.withDefaults)));
    },
  );

  it.each([
    ['Requiredness without mustHave', ks.Requiredness, `${KS}.Requiredness`, { mustHaveWithDefault: 'x' }],
    ['Requiredness without mustHaveWithDefault', ks.Requiredness, `${KS}.Requiredness`, { mustHave: { $i: '1' } }],
    ['Money without currency', common.Money, `${COMMON}.Money`, { amountMinor: { $i: '1' } }],
    ['Circle without radius', ks.Circle, `${KS}.Circle`, {}],
    ['TreeNode without label', ks.TreeNode, `${KS}.TreeNode`, { children: [] }],
  ] as const)('%s: a missing required field is a ProtocolError', async (_name, codec, python, value) => {
    const thrift = await peer.encode(python, protocol, value as Wire);
    let error: unknown;
    try {
      decode(codec as Codec<unknown>, thrift, protocol);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toBe('MISSING_REQUIRED_FIELD');
  });
});

// ---------------------------------------------------------------------------------------------
// Schema evolution: unknown fields are skipped both ways, missing ones get defaults.

const V1 = 'interop.v1.ttypes';
const V2 = 'interop.v2.ttypes';

type ExceptionConstructor = new (init: Record<string, unknown>) => unknown;

/**
 * A full new-version Record. `blob` fills its binary fields: Thrift 0.17's Python `skip()` decodes
 * a skipped string or binary as UTF-8 (and fails on other bytes), so what Python must skip has to
 * be valid UTF-8; our codecs alone also skip other bytes.
 */
function recordV2(blob: Uint8Array): Record<string, unknown> {
  return {
    id: 7,
    yes: true,
    name: 'n',
    no: false,
    inner: {
      a: 1,
      more: [{ a: 2, more: [], byName: new Map() }, {}],
      byName: new Map([['x', { a: 3, nested: { bigs: new Set([1n]) } }]]),
      nested: { a: 4, nested: { a: 5, nested: {} } },
      bigs: new Set([I64_MIN, I64_MAX]),
    },
    anI8: -128,
    anI16: 32767,
    anI64: I64_MAX,
    numbers: [1, 2, 3],
    aDouble: NaN,
    aBinary: blob,
    anI32: -1,
    mood: -7,
    newChoice: { kind: 'inner', value: { a: 9, more: [{}] } },
    flags: [true, false, true],
    words: new Set(['w', '']),
    innersByName: new Map([
      ['k', [{ a: 1 }, {}]],
      ['', []],
    ]),
    deepMap: new Map([[I64_MIN, new Map([['s', new Set([1, 2])]])]]),
    blobGrid: [[new Uint8Array(), blob], []],
    emptyList: [],
    emptyMap: new Map(),
    emptySet: new Set(),
    farInner: { a: 30, more: [{ a: 31 }] },
    choice: { kind: 'text', value: 'chosen' },
    last: true,
    tail: 'end',
    veryFar: new Map([
      [
        true,
        [
          { kind: 'num', value: 1 },
          { kind: 'inner', value: {} },
        ],
      ],
      [false, []],
    ]),
    withDefault: 1,
    listWithDefault: [],
  };
}

const RECORD_V1 = {
  id: 1,
  name: 'old',
  inner: { a: 5 },
  numbers: [4],
  choice: { kind: 'num', value: 6 },
  last: false,
};

describe.each(PROTOCOLS)('schema evolution, %s protocol', (protocol) => {
  /**
   * `value` written by both Thrift and our codec of the writer's version (the bytes must be equal),
   * then read by both Thrift and our codec of the reader's version (the values must be equal).
   * Returns what our reader decoded.
   */
  async function across(
    writer: { readonly codec: Codec<unknown>; readonly python: string },
    reader: { readonly codec: Codec<unknown>; readonly python: string },
    value: unknown,
  ): Promise<unknown> {
    const thrift = await peer.encode(writer.python, protocol, wireOf(writer.python, value));
    const ours = encode(writer.codec, value, protocol);
    expect(byteDifference(ours, thrift), 'writer bytes against Thrift').toBeUndefined();
    const theirs = await peer.decode(reader.python, protocol, ours);
    const decoded = decode(reader.codec, thrift, protocol);
    expect(canonical(wireOf(reader.python, decoded)), 'our reader against Thrift').toEqual(canonical(theirs.value));
    return decoded;
  }

  const side = (version: 'v1' | 'v2', name: string) => {
    const python = `${version === 'v1' ? V1 : V2}.${name}`;
    return { codec: fixtureCodec(python), python };
  };

  it('an old reader skips new fields of every type, at every field-id distance', async () => {
    const decoded = await across(side('v2', 'Record'), side('v1', 'Record'), recordV2(UTF8_BYTES));
    expect(canonical(wireOf(`${V1}.Record`, decoded))).toEqual(
      canonical(
        wireOf(`${V1}.Record`, {
          id: 7,
          name: 'n',
          inner: { a: 1 },
          numbers: [1, 2, 3],
          choice: { kind: 'text', value: 'chosen' },
          last: true,
        }),
      ),
    );
  });

  it('a new reader applies defaults for the fields an old writer lacks', async () => {
    const decoded = (await across(side('v1', 'Record'), side('v2', 'Record'), RECORD_V1)) as Record<string, unknown>;
    expect(decoded['withDefault']).toBe(42);
    expect(decoded['listWithDefault']).toEqual(['d']);
  });

  it('an old reader skips new exception fields', async () => {
    const Oops = fixtureCodec(`${V2}.Oops`) as unknown as ExceptionConstructor;
    const decoded = await across(
      side('v2', 'Oops'),
      side('v1', 'Oops'),
      new Oops({ message: 'm', code: 5, details: [{ a: 1 }, {}] }),
    );
    expect(decoded).toBeInstanceOf(fixtureCodec(`${V1}.Oops`) as unknown as Function);
    expect((decoded as Error).message).toBe('m');
  });

  it('an old reader skips a field whose type changed, as Thrift does', async () => {
    const decoded = await across(side('v2', 'Retyped'), side('v1', 'Retyped'), { value: 'now a string', keep: 'k' });
    expect(canonical(wireOf(`${V1}.Retyped`, decoded))).toEqual({ keep: 'k' });
  });

  it('an old reader skips a new uuid field (our codecs only: Thrift 0.17 has no uuid)', () => {
    const withUuid = { ...recordV2(ALL_BYTES), anUuid: UUID };
    const withoutUuid = recordV2(ALL_BYTES);
    const [oldRecord, newRecord] = [fixtureCodec(`${V1}.Record`), fixtureCodec(`${V2}.Record`)];
    const bytes = encode(newRecord, withUuid, protocol);
    expect(bytes.length).toBe(encode(newRecord, withoutUuid, protocol).length + (protocol === 'compact' ? 17 : 19));
    expect(canonical(wireOf(`${V1}.Record`, decode(oldRecord, bytes, protocol)))).toEqual(
      canonical(wireOf(`${V1}.Record`, decode(oldRecord, encode(newRecord, withoutUuid, protocol), protocol))),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Messages: method arguments and results after a message header, as RPC peers exchange them, in
// the Compact, strict Binary and old non-strict Binary protocols.

type Framing = 'compact' | 'binary' | 'binary, non-strict';
const FRAMINGS: readonly Framing[] = ['compact', 'binary', 'binary, non-strict'];

interface MethodCodecs {
  readonly args: Codec<unknown>;
  readonly result: Codec<unknown>;
}

type MethodResultValue =
  { readonly kind: 'success'; readonly value?: unknown } | { readonly kind: 'exception'; readonly error: Error };

interface MessageCase {
  readonly name: string;
  /** The IDL service and function name. */
  readonly service: 'Base' | 'KitchenSink';
  readonly method: string;
  readonly part: 'args' | 'result';
  readonly type: MessageType;
  readonly seqId: number;
  /** Argument object (by parameter property name) or `MethodResult`. */
  readonly value: unknown;
  /** A uuid argument Thrift cannot write (see {@link CodecCase.uuidField}). */
  readonly uuidField?: CodecCase['uuidField'];
}

/** The function `name` of `service` in the kitchen sink's resolved model. */
function functionOf(service: string, name: string): FunctionDecl {
  for (const file of kitchenSchema.files) {
    for (const decl of file.declarations) {
      if (decl.kind === 'service' && decl.name === service) {
        const fn = allFunctions(decl).find((f) => f.name === name);
        if (fn) return fn;
      }
    }
  }
  throw new Error(`no function ${service}.${name}`);
}

/** Thrift's `<method>_args` and `<method>_result` structs, as the model describes them. */
function messageDecl(kase: MessageCase): StructDecl {
  const fn = functionOf(kase.service, kase.method);
  const base = { kind: 'struct', name: `${fn.name}_${kase.part}`, tsName: '', doc: undefined, annotations: new Map() };
  if (kase.part === 'args') return { ...base, fields: fn.params } as unknown as StructDecl;
  const success = fn.returnType
    ? [{ id: 0, name: 'success', tsName: 'success', requiredness: 'optional', type: fn.returnType }]
    : [];
  const thrown = fn.throws.map((f) => ({ ...f, tsName: f.name }));
  return { ...base, fields: [...success, ...thrown] } as unknown as StructDecl;
}

/** A `MethodResult` as the fields of Thrift's `<method>_result` struct. */
function resultFields(kase: MessageCase, result: MethodResultValue): Record<string, unknown> {
  if (result.kind === 'success') return result.value === undefined ? {} : { success: result.value };
  const fn = functionOf(kase.service, kase.method);
  const field = fn.throws.find((f) => {
    const type = resolveTypedefs(f.type);
    return type.kind === 'struct' && type.decl.tsName === result.error.constructor.name;
  });
  if (!field) throw new Error(`${kase.method} does not declare ${result.error.constructor.name}`);
  return { [field.name]: result.error };
}

function messageWire(kase: MessageCase, value: unknown): Wire {
  const fields = kase.part === 'args' ? value : resultFields(kase, value as MethodResultValue);
  return structToWire(messageDecl(kase), fields);
}

function writerFor(framing: Framing): Writer {
  if (framing === 'compact') return new CompactWriter();
  return new BinaryWriter({ strictWrite: framing === 'binary' });
}

function readerFor(framing: Framing, bytes: Uint8Array): Reader {
  return framing === 'compact' ? new CompactReader(bytes) : new BinaryReader(bytes);
}

const EVERYTHING_ARGS = {
  aBool: true,
  anI64: I64_MIN,
  aBinary: ALL_BYTES,
  shapes: [{ kind: 'rect', value: { width: 1, height: 2 } }],
  index: new Map([['k', [1n, -1n]]]),
  color: ks.Color.BLUE,
  price: { amountMinor: 1n, currency: 'EUR' },
  id: UUID,
};

const MESSAGE_CASES: readonly MessageCase[] = [
  {
    name: 'ping call (no arguments)',
    service: 'Base',
    method: 'ping',
    part: 'args',
    type: MessageType.CALL,
    seqId: 0,
    value: {},
  },
  {
    name: 'ping reply (void)',
    service: 'Base',
    method: 'ping',
    part: 'result',
    type: MessageType.REPLY,
    seqId: 0,
    value: { kind: 'success' },
  },
  {
    name: 'echo call',
    service: 'Base',
    method: 'echo',
    part: 'args',
    type: MessageType.CALL,
    seqId: 1,
    value: { text: ASTRAL },
  },
  {
    name: 'echo reply',
    service: 'Base',
    method: 'echo',
    part: 'result',
    type: MessageType.REPLY,
    seqId: 1,
    value: { kind: 'success', value: '' },
  },
  {
    name: 'everything call (every parameter kind)',
    service: 'KitchenSink',
    method: 'everything',
    part: 'args',
    type: MessageType.CALL,
    seqId: I32_MAX,
    value: EVERYTHING_ARGS,
    uuidField: { id: 8, previousId: 7, property: 'id', defaultValue: '' },
  },
  {
    name: 'everything reply, success',
    service: 'KitchenSink',
    method: 'everything',
    part: 'result',
    type: MessageType.REPLY,
    seqId: -1,
    value: { kind: 'success', value: ks.Containers.create({ ints: [1], names: new Set(['a']) }) },
  },
  {
    name: 'everything reply, first declared exception',
    service: 'KitchenSink',
    method: 'everything',
    part: 'result',
    type: MessageType.REPLY,
    seqId: I32_MIN,
    value: { kind: 'exception', error: new ks.KitchenError({ message: 'no', details: ['d'] }) },
  },
  {
    name: 'everything reply, exception from an included file',
    service: 'KitchenSink',
    method: 'everything',
    part: 'result',
    type: MessageType.REPLY,
    seqId: 5,
    value: { kind: 'exception', error: new common.NotFound({ message: 'gone', id: '1' }) },
  },
  {
    name: 'reservedNames call',
    service: 'KitchenSink',
    method: 'reservedNames',
    part: 'args',
    type: MessageType.CALL,
    seqId: 6,
    value: { let_: 1, type_: 't', options_: 3, ctx_: 4, arguments_: 5, eval_: 6 },
  },
  {
    name: 'reservedNames reply',
    service: 'KitchenSink',
    method: 'reservedNames',
    part: 'result',
    type: MessageType.REPLY,
    seqId: 6,
    value: { kind: 'success', value: I32_MIN },
  },
  {
    name: 'fireAndForget (oneway)',
    service: 'KitchenSink',
    method: 'fireAndForget',
    part: 'args',
    type: MessageType.ONEWAY,
    seqId: 7,
    value: { event: 'e' },
  },
  {
    name: 'balances call',
    service: 'KitchenSink',
    method: 'balances',
    part: 'args',
    type: MessageType.CALL,
    seqId: 8,
    value: { ids: [I64_MAX, 0n] },
  },
  {
    name: 'balances reply, success',
    service: 'KitchenSink',
    method: 'balances',
    part: 'result',
    type: MessageType.REPLY,
    seqId: 8,
    value: { kind: 'success', value: new Map([['a', { amountMinor: 5n, currency: 'USD' }]]) },
  },
  {
    name: 'balances reply, exception',
    service: 'KitchenSink',
    method: 'balances',
    part: 'result',
    type: MessageType.REPLY,
    seqId: 8,
    value: { kind: 'exception', error: new ks.CodedError({ message_: 3 }) },
  },
  {
    name: 'draw call',
    service: 'KitchenSink',
    method: 'draw',
    part: 'args',
    type: MessageType.CALL,
    seqId: 9,
    value: { canvas: ks.CANVAS },
  },
  {
    name: 'draw reply, union result',
    service: 'KitchenSink',
    method: 'draw',
    part: 'result',
    type: MessageType.REPLY,
    seqId: 9,
    value: { kind: 'success', value: ks.A_CIRCLE },
  },
  {
    name: 'draw reply, exception named Error',
    service: 'KitchenSink',
    method: 'draw',
    part: 'result',
    type: MessageType.REPLY,
    seqId: 9,
    value: { kind: 'exception', error: new ks.Error_({ message: 'm', name_: 'n' }) },
  },
  {
    name: 'constructor reply',
    service: 'KitchenSink',
    method: 'constructor',
    part: 'result',
    type: MessageType.REPLY,
    seqId: 10,
    value: { kind: 'success', value: { key: 'k', value: 'v' } },
  },
];

/** The generated method descriptor's codecs for a case. */
function codecsOf(kase: MessageCase): MethodCodecs {
  const methods = (kase.service === 'Base' ? ks.Base.methods : ks.KitchenSink.methods) as unknown as Record<
    string,
    MethodCodecs & { name: string }
  >;
  const method = Object.values(methods).find((m) => m.name === kase.method);
  if (!method) throw new Error(`no generated method ${kase.method}`);
  return method;
}

describe.each(FRAMINGS)('messages, %s', (framing) => {
  const protocol: Protocol = framing === 'compact' ? 'compact' : 'binary';
  const strict = framing !== 'binary, non-strict';

  it.each(MESSAGE_CASES.map((kase) => [kase.name, kase] as const))('%s', async (_name, kase) => {
    const codec = codecsOf(kase)[kase.part];
    const pythonClass = `kitchen_sink.${kase.service}.${kase.method}_${kase.part}`;
    const header = { name: kase.method, type: kase.type, seqId: kase.seqId };
    const full = messageWire(kase, kase.value) as Record<string, Wire>;
    const { [kase.uuidField?.property ?? '']: _uuid, ...sent } = full;
    const thrift = await peer.encode(pythonClass, protocol, kase.uuidField ? sent : full, { strict, message: header });

    const w = writerFor(framing);
    w.writeMessageBegin(kase.method, kase.type, kase.seqId);
    codec.write(w, kase.value);
    const ours = w.finish();
    const expectedOurs = kase.uuidField
      ? Uint8Array.from([
          ...thrift.subarray(0, -1),
          ...uuidFieldBytes(protocol, kase.uuidField, full[kase.uuidField.property] as string),
          0,
        ])
      : thrift;
    expect(byteDifference(ours, expectedOurs), 'our bytes against Thrift').toBeUndefined();

    if (kase.uuidField) return; // Thrift's bytes lack a field every argument object has
    const r = readerFor(framing, thrift);
    expect(r.readMessageBegin()).toEqual(header);
    const decoded = codec.read(r);
    r.expectEnd();
    expect(canonical(messageWire(kase, decoded)), 'our decoding of Thrift bytes').toEqual(canonical(full));

    const theirs = await peer.decode(pythonClass, protocol, ours, { message: true });
    expect(theirs.message).toEqual(header);
    expect(canonical(theirs.value), "Thrift's decoding of our bytes").toEqual(canonical(full));
  });
});
