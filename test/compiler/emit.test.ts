import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { emit, type OutputFile } from '../../compiler/emit/emit.js';
import { compile, renderDiagnostic } from '../../compiler/index.js';
import {
  RUNTIME_IMPORT_NAMES,
  declarationName,
  exceptionFieldName,
  methodName,
  parameterName,
  propertyName,
} from '../../compiler/names.js';
import type {
  ConstDecl,
  Declaration,
  EnumDecl,
  FieldDecl,
  FunctionDecl,
  Schema,
  SchemaFile,
  ServiceDecl,
  StructDecl,
  Type,
  TypedefDecl,
  Value,
} from '../../compiler/schema.js';
import { removeGeneratedModules, ROOT, writeGeneratedModules } from './generated-modules.js';


// A hand-built schema, so the emitter is tested without the parser and checker.

type Writable<T> = { -readonly [K in keyof T]: T[K] };
const span = { file: 'x', start: 0, end: 0 };
const noAnnotations = new Map<string, string>();

function schemaFile(
  path: string,
  modulePath: string,
  includes: SchemaFile[] = [],
): Writable<SchemaFile> & { declarations: Declaration[] } {
  return { path, modulePath, includes, namespaces: new Map(), declarations: [] };
}

function add<D extends Declaration>(file: { declarations: Declaration[] }, decl: D): D {
  file.declarations.push(decl);
  return decl;
}

const base = (file: SchemaFile, name: string, doc?: string) => ({
  name,
  tsName: declarationName(name),
  file,
  doc,
  annotations: noAnnotations,
  span,
});

function field(
  id: number,
  name: string,
  type: Type,
  options: { requiredness?: FieldDecl['requiredness']; defaultValue?: Value; doc?: string; exception?: boolean } = {},
): FieldDecl {
  const isString = type.kind === 'string';
  return {
    id,
    name,
    tsName: options.exception ? exceptionFieldName(name, isString) : propertyName(name),
    requiredness: options.requiredness ?? 'default',
    type,
    ...(options.defaultValue ? { defaultValue: options.defaultValue } : {}),
    doc: options.doc,
    annotations: noAnnotations,
    span,
  };
}

function param(id: number, name: string, type: Type, requiredness: FieldDecl['requiredness'] = 'default'): FieldDecl {
  return { ...field(id, name, type, { requiredness }), tsName: parameterName(name) };
}

function fn(
  name: string,
  returnType: Type | undefined,
  params: FieldDecl[],
  extra: Partial<FunctionDecl> = {},
): FunctionDecl {
  return {
    name,
    tsName: methodName(name),
    oneway: false,
    returnType,
    params,
    throws: [],
    idempotent: false,
    workerThread: false,
    timeoutMs: undefined,
    doc: undefined,
    annotations: noAnnotations,
    span,
    ...extra,
  };
}

const t = {
  bool: { kind: 'bool' },
  byte: { kind: 'byte' },
  i16: { kind: 'i16' },
  i32: { kind: 'i32' },
  i64: { kind: 'i64' },
  double: { kind: 'double' },
  string: { kind: 'string' },
  binary: { kind: 'binary' },
  uuid: { kind: 'uuid' },
  list: (element: Type): Type => ({ kind: 'list', element }),
  set: (element: Type): Type => ({ kind: 'set', element }),
  map: (key: Type, value: Type): Type => ({ kind: 'map', key, value }),
  struct: (decl: StructDecl): Type => ({ kind: 'struct', decl }),
  enum: (decl: EnumDecl): Type => ({ kind: 'enum', decl }),
  typedef: (decl: TypedefDecl): Type => ({ kind: 'typedef', decl }),
} as const satisfies Record<string, Type | ((...args: never[]) => Type)>;

const v = {
  int: (value: number): Value => ({ kind: 'int', value }),
  i64: (value: bigint): Value => ({ kind: 'i64', value }),
  double: (value: number): Value => ({ kind: 'double', value }),
  string: (value: string): Value => ({ kind: 'string', value }),
  bool: (value: boolean): Value => ({ kind: 'bool', value }),
  list: (...elements: Value[]): Value => ({ kind: 'list', elements }),
  set: (...elements: Value[]): Value => ({ kind: 'set', elements }),
  map: (...entries: [Value, Value][]): Value => ({ kind: 'map', entries }),
  enumMember: (decl: EnumDecl, name: string): Value => {
    const member = decl.members.find((m) => m.name === name);
    if (!member) throw new Error(`no member ${name}`);
    return { kind: 'enum', decl, member };
  },
};

/** Two files: `common/shared.rpc` (included) and `shop/order.rpc`, covering every kind of declaration. */
function richSchema(): Schema {
  const shared = schemaFile('idl/common/shared.rpc', 'common/shared');
  const color: EnumDecl = add(shared, {
    ...base(shared, 'Color', 'A color.'),
    kind: 'enum',
    members: [
      { name: 'RED', tsName: 'RED', value: 1, doc: 'Like blood.', annotations: noAnnotations },
      { name: 'GREEN', tsName: 'GREEN', value: 2, doc: undefined, annotations: noAnnotations },
      { name: 'default', tsName: 'default', value: 3, doc: undefined, annotations: noAnnotations },
    ],
  });
  const userId: TypedefDecl = add(shared, {
    ...base(shared, 'UserId', 'Identifies a user.'),
    kind: 'typedef',
    type: t.i64,
  });
  const user: StructDecl = add(shared, {
    ...base(shared, 'User', 'A person with an account.\nSecond line with */ inside.'),
    kind: 'struct',
    fields: [
      field(1, 'id', t.typedef(userId), { requiredness: 'required', doc: 'The id.' }),
      field(2, 'name', t.string, { defaultValue: v.string('anonymous') }),
      field(3, 'email', t.string, { requiredness: 'optional' }),
      field(4, 'favorite', t.enum(color), { defaultValue: v.enumMember(color, 'GREEN') }),
      field(5, 'tags', t.set(t.string), { defaultValue: v.set() }),
      field(6, 'class', t.list(t.i32), { defaultValue: v.list(v.int(1), v.int(-2)) }),
    ],
  });
  const tree: StructDecl = add(shared, { ...base(shared, 'Tree'), kind: 'struct', fields: [] });
  (tree as Writable<StructDecl>).fields = [
    field(1, 'value', t.i32, { requiredness: 'required' }),
    field(2, 'children', t.list(t.struct(tree)), { defaultValue: v.list() }),
    field(3, 'byColor', t.map(t.enum(color), t.list(t.struct(tree))), { requiredness: 'optional' }),
  ];
  const notFound: StructDecl = add(shared, {
    ...base(shared, 'NotFound', 'Nothing there.'),
    kind: 'exception',
    fields: [
      field(1, 'message', t.string, { requiredness: 'required', exception: true }),
      field(2, 'code', t.i32, { defaultValue: v.int(404), exception: true }),
      field(3, 'name', t.string, { requiredness: 'optional', exception: true, doc: 'What was looked up.' }),
    ],
  });
  const empty: StructDecl = add(shared, { ...base(shared, 'Empty'), kind: 'exception', fields: [] });
  const baseService: ServiceDecl = add(shared, {
    ...base(shared, 'Base', 'The root service.'),
    kind: 'service',
    functions: [fn('ping', undefined, [], { doc: 'Are you there?' }), fn('channel', t.string, [])],
  });

  const order = schemaFile('idl/shop/order.rpc', 'shop/order', [shared]);
  const shape: StructDecl = add(order, {
    ...base(order, 'Shape', 'One of several shapes.'),
    kind: 'union',
    fields: [
      field(1, 'circle', t.double, { doc: 'The radius.' }),
      field(2, 'tree', t.struct(tree)),
      field(3, 'colors', t.list(t.enum(color))),
    ],
  });
  const item: StructDecl = add(order, {
    ...base(order, 'Item'),
    kind: 'struct',
    fields: [
      field(1, 'owner', t.struct(user), { requiredness: 'required' }),
      field(2, 'shape', t.struct(shape), {
        defaultValue: { kind: 'struct', decl: shape, fields: [[shape.fields[0]!, v.double(1.5)]] },
      }),
      field(3, 'data', t.binary, { requiredness: 'optional' }),
      field(4, 'ids', t.map(t.uuid, t.set(t.i64)), { requiredness: 'optional' }),
      field(5, '__proto__', t.bool, { requiredness: 'optional' }),
    ],
  });
  add(order, { ...base(order, 'MAX_ITEMS', 'At most this many.'), kind: 'const', type: t.i32, value: v.int(100) });
  add(order, { ...base(order, 'BIG'), kind: 'const', type: t.i64, value: v.i64(-9007199254740993n) });
  add(order, { ...base(order, 'NAN'), kind: 'const', type: t.double, value: v.double(Number.NaN) });
  add(order, { ...base(order, 'NEG_ZERO'), kind: 'const', type: t.double, value: v.double(-0) });
  add(order, { ...base(order, 'INF'), kind: 'const', type: t.double, value: v.double(-Infinity) });
  add(order, { ...base(order, 'PI'), kind: 'const', type: t.double, value: v.double(3.141592653589793) });
  add(order, { ...base(order, 'GREETING'), kind: 'const', type: t.string, value: v.string('it\'s "quoted"\n\u2028') });
  add(order, { ...base(order, 'ENABLED'), kind: 'const', type: t.bool, value: v.bool(true) });
  add(order, {
    ...base(order, 'MAGIC'),
    kind: 'const',
    type: t.binary,
    value: { kind: 'binary', value: new Uint8Array([0, 255, 16]) },
  });
  add(order, {
    ...base(order, 'ID'),
    kind: 'const',
    type: t.uuid,
    value: { kind: 'uuid', value: '00112233-4455-6677-8899-aabbccddeeff' },
  });
  add(order, { ...base(order, 'FAVORITE'), kind: 'const', type: t.enum(color), value: v.enumMember(color, 'default') });
  const primes: ConstDecl = add(order, {
    ...base(order, 'PRIMES'),
    kind: 'const',
    type: t.list(t.i32),
    value: v.list(v.int(2), v.int(3), v.int(5)),
  });
  const palette: ConstDecl = add(order, {
    ...base(order, 'PALETTE'),
    kind: 'const',
    type: t.list(t.enum(color)),
    value: v.list(v.enumMember(color, 'RED'), v.enumMember(color, 'GREEN')),
  });
  add(order, {
    ...base(order, 'ALSO_PRIMES'),
    kind: 'const',
    type: t.list(t.i32),
    value: { kind: 'const', decl: primes },
  });
  add(order, {
    ...base(order, 'NESTED'),
    kind: 'const',
    type: t.list(t.set(t.enum(color))),
    value: v.list(v.set(v.enumMember(color, 'RED')), v.set()),
  });
  add(order, {
    ...base(order, 'WARM'),
    kind: 'const',
    type: t.set(t.enum(color)),
    value: v.set(v.enumMember(color, 'RED')),
  });
  add(order, {
    ...base(order, 'NAMES'),
    kind: 'const',
    type: t.map(t.enum(color), t.list(t.string)),
    value: v.map([v.enumMember(color, 'RED'), v.list(v.string('red'))], [v.enumMember(color, 'GREEN'), v.list()]),
  });
  add(order, {
    ...base(order, 'ADMIN'),
    kind: 'const',
    type: t.struct(user),
    value: {
      kind: 'struct',
      decl: user,
      fields: [
        [user.fields[0]!, v.i64(1n)],
        [user.fields[1]!, v.string('root')],
      ],
    },
  });
  add(order, {
    ...base(order, 'UNIT'),
    kind: 'const',
    type: t.struct(shape),
    value: { kind: 'struct', decl: shape, fields: [[shape.fields[2]!, { kind: 'const', decl: palette }]] },
  });
  const orders: ServiceDecl = add(order, {
    ...base(order, 'Orders', 'Takes orders.'),
    kind: 'service',
    extends: baseService,
    functions: [
      fn('place', t.typedef(userId), [param(1, 'item', t.struct(item)), param(2, 'note', t.string, 'optional')], {
        doc: 'Places an order.',
        idempotent: true,
        timeoutMs: 250,
        throws: [field(1, 'notFound', t.struct(notFound)), field(2, 'empty', t.struct(empty))],
      }),
      fn('forget', undefined, [param(1, 'class', t.i64)], { oneway: true }),
      fn('shapes', t.map(t.string, t.list(t.struct(shape))), []),
    ],
  });
  add(order, {
    ...base(order, 'Admin'),
    kind: 'service',
    extends: orders,
    functions: [fn('reset', undefined, [param(1, 'ids', t.list(t.typedef(userId)))])],
  });
  return { files: [shared, order] };
}

function byPath(files: readonly OutputFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no output ${path}`);
  return file.text;
}

describe('emit (hand-built schema)', () => {
  it('writes one module per schema file, at its module path', async () => {
    const files = await emit(richSchema(), { version: '1.2.3' });
    expect(files.map((f) => f.path)).toEqual(['common/shared.ts', 'shop/order.ts']);
  });

  it('starts every file with the generated header', async () => {
    const files = await emit(richSchema(), { version: '1.2.3' });
    expect(byPath(files, 'shop/order.ts').split('\n')[0]).toBe(
      '// @generated by rpcgen 1.2.3 from idl/shop/order.rpc. DO NOT EDIT.',
    );
  });

  it('gives the same bytes for the same schema', async () => {
    const [first, second] = await Promise.all([
      emit(richSchema(), { version: '1' }),
      emit(richSchema(), { version: '1' }),
    ]);
    expect(second).toEqual(first);
  });

  it('imports included modules as namespaces with relative .js specifiers, type-only where possible', async () => {
    const text = byPath(await emit(richSchema(), { version: '1' }), 'shop/order.ts');
    expect(text).toContain("import * as shared from '../common/shared.js';");
    // Codecs need runtime values (TType, errors); names used only in types are marked `type`.
    expect(text).toMatch(/^import \{[^}]*\btype Writer\b[^}]*\} from 'skiff\/runtime';$/m);
    expect(text).toMatch(/^import \{[^}]*\bTType\b[^}]*\} from 'skiff\/runtime';$/m);
  });

  it('imports from the runtime only names listed in RUNTIME_IMPORT_NAMES', async () => {
    const files = await emit(richSchema(), { version: '1' });
    for (const file of files) {
      for (const m of file.text.matchAll(/^import (?:type )?\{([^}]*)\} from '([^']+)';$/gm)) {
        expect(m[2]).toBe('skiff/runtime');
        const names = m[1]!
          .split(',')
          .map((n) => n.trim().replace(/^type /, ''))
          .filter(Boolean);
        for (const name of names) expect(RUNTIME_IMPORT_NAMES.has(name), name).toBe(true);
      }
      expect(file.text).not.toMatch(/from '(?!skiff\/runtime'|\.{1,2}\/)/);
    }
  });

  it('renames a namespace alias that would shadow a local declaration', async () => {
    const schema = richSchema();
    const order = schema.files[1]!;
    (order.declarations as Declaration[]).push({ ...base(order, 'shared'), kind: 'typedef', type: t.string });
    const text = byPath(await emit(schema, { version: '1' }), 'shop/order.ts');
    expect(text).toContain("import * as shared_ from '../common/shared.js';");
    expect(text).toContain('shared_.User');
  });

  it('carries doc comments through as TSDoc', async () => {
    const text = byPath(await emit(richSchema(), { version: '1' }), 'common/shared.ts');
    expect(text).toContain('/** Like blood. */');
    expect(text).toContain('Second line with *\\/ inside.');
  });

  it('type-checks under strict, exactOptionalPropertyTypes and noUncheckedIndexedAccess', async () => {
    const files = await emit(richSchema(), { version: '1' });
    expect(typeCheck(files, USAGE)).toEqual([]);
  });

  it('runs: create applies fresh defaults, exceptions are Errors, invoke calls the handler in order', async () => {
    const files = await emit(richSchema(), { version: '1' });
    const dir = writeModules(files, COMPILED_USAGE);
    const module = (await import(join(dir, 'usage.ts'))) as { run(): Promise<unknown> };
    expect(await module.run()).toEqual({
      user: { id: 7n, name: 'anonymous', favorite: 2, tags: new Set(), class: [1, -2] },
      freshDefaults: true,
      error: { isError: true, isNotFound: true, name: 'NotFound', message: 'gone', code: 404 },
      calls: [
        ['place', { item: { owner: { id: 1n }, shape: { kind: 'circle', value: 1.5 } }, note: undefined }, undefined],
      ],
      handled: [['reset', [[1n, 2n]]]],
      order: ['ping', 'channel_', 'place', 'forget', 'shapes', 'reset'],
    });
  });
});

/** Compiles in-memory IDL files (the first is the input) and fails on any diagnostic. */
async function compileSources(sources: Record<string, string>): Promise<readonly OutputFile[]> {
  const [input] = Object.keys(sources);
  const result = await compile([input!], { host: { readFile: (path) => sources[path] }, version: '0.0.0-test' });
  expect(result.diagnostics.map((d) => renderDiagnostic(d, result.sources))).toEqual([]);
  return result.files;
}

/** Golden files: small inputs whose output is reviewed by reading it (`vitest run -u` rewrites them). */
const GOLDEN_CASES: Record<string, Record<string, string>> = {
  structs: {
    'structs.rpc': `
/** A point on a plane. */
struct Point {
  /** Horizontal, in pixels. */
  1: required i32 x
  2: required i32 y
}

/** Requiredness and defaults decide which properties are optional. */
struct Profile {
  1: required i64 id
  2: string nickname = "anonymous"
  3: optional string bio
  4: list<string> tags = []
  5: map<string, set<i32>> scores = {}
  6: optional binary avatar
  7: Point origin = { "x": 0, "y": 0 }
  8: optional list<Profile> friends
  9: bool active
}
`,
  },
  'unions-enums': {
    'shapes.rpc': `
/** How a shape is drawn. */
enum Style {
  /** Just the outline. */
  OUTLINE = 1,
  FILLED,
  DASHED = 0x10
}

struct Circle { 1: required double radius }
struct Rect { 1: required double width; 2: required double height }

/** Exactly one kind of shape. */
union Shape {
  1: Circle circle
  /** Axis-aligned. */
  2: Rect rect
  3: list<Shape> group
}
`,
  },
  exceptions: {
    'errors.rpc': `
/** The resource does not exist. */
exception NotFound {
  1: required string message
  2: string resource
  3: i32 code = 404
}

/** Without a message field. */
exception Conflict {
  1: optional i64 currentVersion
  2: i32 name
}
`,
  },
  constants: {
    'constants.rpc': `
enum Level { LOW = 1, HIGH = 2 }
struct Limits { 1: required i32 max; 2: Level level = Level.LOW }

/** The most items in one request. */
const i32 MAX_ITEMS = 100
const i64 BIG = 9223372036854775807
const double RATIO = 0.1
const double NEGATIVE = -2.5e-3
const string NAME = "it's \\"rpc\\""
const bool ENABLED = true
const binary BYTES = "abc"
const Level DEFAULT_LEVEL = Level.HIGH
const list<i32> PRIMES = [2, 3, 5]
const list<set<Level>> LEVEL_SETS = [[Level.LOW], []]
const set<string> WORDS = ["a", "b"]
const map<Level, string> LABELS = { Level.LOW: "low", Level.HIGH: "high" }
const Limits DEFAULT_LIMITS = { "max": 10 }
`,
  },
  services: {
    'services.rpc': `
include "errors.rpc"

/** The root of every service. */
service Base {
  /** Checks that the server is up. */
  void ping()
}

/** Manages documents. */
service Documents extends Base {
  /** Reads one document. */
  string read(1: i64 id, 2: string revision) throws (1: errors.NotFound notFound) (idempotent, timeout.ms = "500")
  oneway void touch(1: i64 id)
  map<string, list<i64>> index()
  void remove(1: i64 id, 2: string options, 3: string channel)
}
`,
    'errors.rpc': `
exception NotFound {
  1: required string message
}
`,
  },
};

describe('emit (golden files)', () => {
  for (const [name, sources] of Object.entries(GOLDEN_CASES)) {
    it(name, async () => {
      const files = await compileSources(sources);
      for (const file of files) {
        await expect(file.text).toMatchFileSnapshot(`./__golden__/${name}/${file.path}.txt`);
      }
    });
  }

  it('type-checks the golden cases and idl-examples/', async () => {
    const outputs: OutputFile[] = [];
    for (const [name, sources] of Object.entries(GOLDEN_CASES)) {
      for (const file of await compileSources(sources))
        outputs.push({ path: `golden/${name}/${file.path}`, text: file.text });
    }
    const examples = readdirSync(join(ROOT, 'idl-examples'), { recursive: true, encoding: 'utf8' })
      .filter((p) => /\.(rpc|thrift)$/.test(p))
      .sort()
      .map((p) => `idl-examples/${p.split('\\\\').join('/')}`);
    const result = await compile(examples, {
      host: { readFile: (path) => readFileSync(join(ROOT, path), 'utf8') },
      rootDirs: ['idl-examples'],
    });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    outputs.push(...result.files.map((f) => ({ path: `examples/${f.path}`, text: f.text })));
    expect(typeCheck(outputs, '')).toEqual([]);
  });
});

/** Code that uses the generated API as a user would; it must type-check (and fail where it should). */
const USAGE = `
import * as shared from './common/shared.js';
import { Admin, AdminClient, Item, Orders, OrdersClient, type AdminHandler, type Shape } from './shop/order.js';
import type { Channel } from 'skiff/runtime';

const user: shared.User = shared.User.create({ id: 1n });
const name: string = user.name;
const email: string | undefined = user.email;
// @ts-expect-error id is required
shared.User.create({});
const item = Item.create({ owner: user });
const shape: Shape = item.shape;
const color: shared.Color = shared.Color.RED;
const error = new shared.NotFound({ message: 'x' });
const code: number = error.code;
const empty = new shared.Empty();
declare const channel: Channel;
const client = new AdminClient(channel);
const placed: Promise<bigint> = client.place(item, undefined, { timeoutMs: 10 });
const base: shared.BaseClient = client;
const orders: OrdersClient = client;
const handler: AdminHandler = {
  ping: () => {},
  channel_: async () => 'x',
  place: async (i, note, ctx) => (note === undefined ? i.owner.id : BigInt(ctx.peer.length)),
  forget: () => {},
  shapes: () => new Map([['a', [{ kind: 'circle', value: 1 }]]]),
  reset: () => undefined,
};
const invoked = Admin.methods.place.invoke(handler, { item, note: 'n' }, undefined as never);
const descriptorName: string = Orders.methods.forget.name;
export { name, email, shape, color, code, empty, placed, base, orders, invoked, descriptorName };
`;

/** The runtime check: executed by vitest (which resolves `skiff/runtime`). */
const COMPILED_USAGE = `
import * as shared from './common/shared.js';
import { Admin, AdminClient, Item, type AdminHandler } from './shop/order.js';
import type { Channel } from 'skiff/runtime';

export async function run() {
  const a = shared.User.create({ id: 7n });
  const b = shared.User.create({ id: 8n });
  const error = new shared.NotFound({ message: 'gone' });
  const calls: unknown[] = [];
  const channel: Channel = {
    async call(method, args, options) {
      calls.push([method.name, args, options]);
      return undefined as never;
    },
  };
  await new AdminClient(channel).place(Item.create({ owner: { id: 1n } as shared.User }), undefined);
  const handled: unknown[] = [];
  const handler = { reset: (ids: bigint[]) => { handled.push(['reset', [ids]]); } } as unknown as AdminHandler;
  await Admin.methods.reset.invoke(handler, { ids: [1n, 2n] }, undefined as never);
  return {
    user: a,
    freshDefaults: a.tags !== b.tags && a.class !== b.class,
    error: { isError: error instanceof Error, isNotFound: error instanceof shared.NotFound, name: error.name, message: error.message, code: error.code },
    calls,
    handled,
    order: Object.keys(Admin.methods),
  };
}
`;

afterAll(removeGeneratedModules);

/** Writes the modules (and a usage file) to a temporary directory inside the repository. */
function writeModules(files: readonly OutputFile[], usage: string): string {
  return writeGeneratedModules([...files, { path: 'usage.ts', text: usage }]);
}

/** Diagnostics of the files (and usage) under the project's strict options, `skiff/runtime` mapped to the source. */
function typeCheck(files: readonly OutputFile[], usage: string): string[] {
  const dir = writeModules(files, usage);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noImplicitReturns: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules/@types')],
    paths: { 'skiff/runtime': [join(ROOT, 'runtime/index.ts')] },
  };
  const roots = [...files.map((f) => join(dir, f.path)), join(dir, 'usage.ts')];
  const program = ts.createProgram(roots, options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
