import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../compiler/build-ast.js';
import { check } from '../../compiler/check.js';
import { formatDiagnosticLine, sortDiagnostics } from '../../compiler/diagnostics.js';
import type { Document } from '../../compiler/ast.js';
import { loadFiles } from '../../compiler/load.js';
import {
  allFunctions,
  resolveTypedefs,
  type Declaration,
  type SchemaFile,
  type ServiceDecl,
  type StructDecl,
} from '../../compiler/schema.js';
import { createSourceFile, span } from '../../compiler/source.js';

/** Loads in-memory files (the first one is the input) and checks them. Parse errors fail the test. */
function checkFiles(files: Record<string, string>) {
  const [input] = Object.keys(files);
  const loaded = loadFiles([input ?? 'a.rpc'], { host: { readFile: (path) => files[path] }, parse: parseDocument });
  const parseErrors = loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnosticLine(d, loaded.sources));
  expect(parseErrors).toEqual([]);
  const result = check(loaded.files);
  return { ...result, lines: sortDiagnostics(result.diagnostics).map((d) => formatDiagnosticLine(d, loaded.sources)) };
}

/** The one-line diagnostics for a single file `a.rpc`. */
function lines(source: string, others: Record<string, string> = {}): string[] {
  return checkFiles({ 'a.rpc': source, ...others }).lines;
}

describe('check: one diagnostic per code', () => {
  it('RPC2001 unknown type, with a suggestion', () => {
    expect(lines('struct User {}\nstruct S { 1: Usr owner }')).toEqual([
      "a.rpc:2:15: error RPC2001: unknown type 'Usr'; did you mean 'User'?",
    ]);
    expect(lines('include "shared.rpc"\nstruct S { 1: shared.Usr u }', { 'shared.rpc': 'struct User {}' })).toEqual([
      "a.rpc:2:15: error RPC2001: unknown type 'shared.Usr'; did you mean 'shared.User'?",
    ]);
  });

  it('RPC2023 prefix that names no included file', () => {
    expect(lines('include "shared.rpc"\nstruct S { 1: shard.User u }', { 'shared.rpc': 'struct User {}' })).toEqual([
      "a.rpc:2:15: error RPC2023: unknown type 'shard.User': no included file is named 'shard'; did you mean 'shared'?",
    ]);
  });

  it('RPC2002 duplicate definition', () => {
    expect(lines('struct User {}\nenum User { A }')).toEqual(["a.rpc:2:6: error RPC2002: duplicate definition of 'User'"]);
  });

  it('RPC2003 duplicate field id', () => {
    expect(lines('struct User {\n  1: i64 id,\n  2: string name,\n  1: string email\n}')).toEqual([
      "a.rpc:4:3: error RPC2003: duplicate field id 1 in struct 'User' (first used by 'id')",
    ]);
  });

  it('RPC2004 field id past 32767', () => {
    expect(lines('struct S { 32768: i32 a }')).toEqual([
      "a.rpc:1:12: error RPC2004: field id 32768 of 'a' in struct 'S' is out of range (1..32767)",
    ]);
  });

  it('RPC2019 implicit ids get -1, -2, ...; ids of 0 or less are ignored as Thrift does', () => {
    const result = checkFiles({ 'a.rpc': 'struct S { i32 a, 0: i32 b, 5: i32 c, -3: i32 d }' });
    expect(result.lines).toEqual([
      "a.rpc:1:16: warning RPC2019: field 'a' in struct 'S' has no explicit id; Thrift assigns -1",
      "a.rpc:1:19: warning RPC2019: field id 0 of 'b' in struct 'S' is not positive; Thrift ignores it and assigns -2",
      "a.rpc:1:39: warning RPC2019: field id -3 of 'd' in struct 'S' is not positive; Thrift ignores it and assigns -3",
    ]);
    expect(struct(result.schema.files[0], 'S').fields.map((f) => f.id)).toEqual([-1, -2, 5, -3]);
  });

  it('RPC2005 duplicate field name', () => {
    expect(lines('struct S { 1: i32 a, 2: string a }')).toEqual(["a.rpc:1:32: error RPC2005: duplicate field name 'a' in struct 'S'"]);
  });

  it('RPC2006 duplicate enum value', () => {
    expect(lines('enum E { A = 1, B, C = 2 }')).toEqual(["a.rpc:1:24: error RPC2006: duplicate enum value 2 in enum 'E' ('C' and 'B')"]);
  });

  it('RPC2026 duplicate enum member', () => {
    expect(lines('enum E { A, B, A }')).toEqual(["a.rpc:1:16: error RPC2026: duplicate enum member 'A' in enum 'E'"]);
  });

  it('RPC2007 enum value outside i32, written or implicit', () => {
    expect(lines('enum E { A = 2147483648 }\nenum F { A = 2147483647, B }')).toEqual([
      "a.rpc:1:14: error RPC2007: value 2147483648 of 'E.A' is outside the i32 range",
      "a.rpc:2:26: error RPC2007: implicit value (previous + 1) 2147483648 of 'F.B' is outside the i32 range",
    ]);
  });

  it('RPC2008 constants that do not fit their type', () => {
    expect(
      lines(
        [
          'enum Color { RED = 1 } enum Shade { DARK = 1 }',
          'struct P { 1: i32 x, 2: list<i32> xs = {"a": 1} }',
          'union U { 1: i32 a, 2: string b }',
          'const byte B = 300',
          'const i32 I = "one"',
          'const i16 L = 40000',
          'const i32 D = 1.5',
          'const bool T = 2',
          'const Color C = 3',
          'const map<string, i32> M = [1]',
          'const P PT = {"x": 1, "y": 2}',
          'const uuid ID = "not-a-uuid"',
          'const U TWO = {"a": 1, "b": "x"}',
          'const Color OTHER = Shade.DARK',
        ].join('\n'),
      ),
    ).toEqual([
      "a.rpc:2:40: error RPC2008: a map does not fit type 'list<i32>'",
      "a.rpc:4:16: error RPC2008: 300 does not fit type 'byte' (-128..127)",
      'a.rpc:5:15: error RPC2008: "one" does not fit type \'i32\'',
      "a.rpc:6:15: error RPC2008: 40000 does not fit type 'i16' (-32768..32767)",
      "a.rpc:7:15: error RPC2008: 1.5 does not fit type 'i32'",
      "a.rpc:8:16: error RPC2008: 2 does not fit type 'bool' (a bool is true, false, 1 or 0)",
      "a.rpc:9:17: error RPC2008: 3 is not a value of enum 'Color'",
      "a.rpc:10:28: error RPC2008: a list does not fit type 'map<string, i32>'",
      "a.rpc:11:23: error RPC2008: struct 'P' has no field 'y'",
      'a.rpc:12:17: error RPC2008: "not-a-uuid" does not fit type \'uuid\' (expected a uuid like 01234567-89ab-cdef-0123-456789abcdef)',
      "a.rpc:13:15: error RPC2008: a constant of union 'U' sets 2 fields; a union holds one",
      "a.rpc:14:21: error RPC2008: 'Shade.DARK' is not a member of enum 'Color'",
    ]);
  });

  it('RPC2008 accepts what Thrift accepts: ints for doubles, 0/1 and true/false for bools, {} and [] for empty containers', () => {
    expect(
      lines(
        'const double D = 1\nconst bool T = true\nconst bool F = 0\nconst list<i32> L = {}\nconst map<i32, i32> M = []\nconst i8 N = -128',
      ),
    ).toEqual([]);
  });

  it('RPC2017 unknown constant, unqualified enum member, forward reference', () => {
    expect(lines('enum Color { RED }\nconst i32 MAX = 1\nconst i32 A = MXA\nconst Color C = RED\nconst i32 B = LATER\nconst i32 LATER = 2')).toEqual([
      "a.rpc:3:15: error RPC2017: unknown constant 'MXA'; did you mean 'MAX'?",
      "a.rpc:4:17: error RPC2017: unknown constant 'RED'; enum members are qualified: did you mean 'Color.RED'?",
      "a.rpc:5:15: error RPC2017: 'LATER' is used before its definition; define it earlier in the file",
    ]);
  });

  it('RPC2011 extends of a non-service', () => {
    expect(lines('struct Base {}\nservice S extends Base {}')).toEqual([
      "a.rpc:2:19: error RPC2011: service 'S' extends 'Base', which is a struct, not a service",
    ]);
  });

  it('RPC2012 extends cycle', () => {
    expect(lines('service A extends B {}\nservice B extends A {}')).toEqual([
      "a.rpc:1:19: error RPC2012: service 'A' extends itself: A -> B -> A",
    ]);
  });

  it('RPC2018 duplicate function, own or inherited', () => {
    expect(lines('service B { void ping() }\nservice S extends B {\n  void get(),\n  void get(),\n  void ping()\n}')).toEqual([
      "a.rpc:4:8: error RPC2018: duplicate function 'get' in service 'S'",
      "a.rpc:5:8: error RPC2018: function 'ping' of service 'S' is already defined in base service 'B'",
    ]);
  });

  it('RPC2013 oneway with a non-void return', () => {
    expect(lines('service S { oneway i32 f() }')).toEqual(["a.rpc:1:20: error RPC2013: oneway function 'S.f' must return void"]);
  });

  it('RPC2014 oneway with throws', () => {
    expect(lines('exception E {}\nservice S { oneway void f() throws (1: E e) }')).toEqual([
      "a.rpc:2:29: error RPC2014: oneway function 'S.f' cannot throw exceptions",
    ]);
  });

  it('RPC2015 throws of a non-exception', () => {
    expect(lines('struct E {}\ntypedef i32 Code\nservice S { void f() throws (1: E e, 2: Code c) }')).toEqual([
      "a.rpc:3:33: error RPC2015: 'S.f' throws struct 'E', which is not an exception",
      "a.rpc:3:41: error RPC2015: 'S.f' throws 'i32', which is not an exception",
    ]);
  });

  it('RPC2020 required field in a union becomes optional', () => {
    const result = checkFiles({ 'a.rpc': 'union U { 1: required i32 a, 2: string b }' });
    expect(result.lines).toEqual(["a.rpc:1:14: warning RPC2020: field 'a' of union 'U' is required, but union fields are always optional"]);
    expect(struct(result.schema.files[0], 'U').fields.map((f) => f.requiredness)).toEqual(['optional', 'optional']);
  });

  it('RPC2025 requiredness Thrift ignores in arguments and throws', () => {
    expect(lines('exception E {}\nservice S { void f(1: optional i32 a, 2: required i32 b) throws (1: optional E e) }')).toEqual([
      "a.rpc:2:23: warning RPC2025: 'optional' is ignored in argument lists ('a' in the arguments of 'S.f')",
      "a.rpc:2:69: warning RPC2025: 'optional' is ignored in a throws clause ('e' in the throws clause of 'S.f')",
    ]);
  });

  it('RPC2021 typedef cycle, direct or through containers', () => {
    expect(lines('typedef B A\ntypedef A B\ntypedef list<C> C\nstruct S { 1: A a }')).toEqual([
      'a.rpc:1:11: error RPC2021: typedef cycle: A -> B -> A',
      'a.rpc:3:17: error RPC2021: typedef cycle: C -> C',
    ]);
  });

  it('RPC2024 a service or a constant used as a type', () => {
    expect(lines('service Svc {}\nconst i32 N = 1\nstruct S { 1: Svc s, 2: list<N> n }')).toEqual([
      "a.rpc:3:15: error RPC2024: 'Svc' is a service, not a type",
      "a.rpc:3:30: error RPC2024: 'N' is a constant, not a type",
    ]);
  });

  it('RPC2022 bad timeout.ms, idempotent and worker.thread values', () => {
    expect(lines('service S {\n  void a() (timeout.ms = "0"),\n  void b() (timeout.ms = "1.5s"),\n  void c() (idempotent = "maybe")\n  void d() (worker.thread = "yes")\n}')).toEqual([
      'a.rpc:2:26: error RPC2022: invalid \'timeout.ms\' value "0": expected a whole number of milliseconds from 1 to 2147483647',
      'a.rpc:3:26: error RPC2022: invalid \'timeout.ms\' value "1.5s": expected a whole number of milliseconds from 1 to 2147483647',
      'a.rpc:4:26: error RPC2022: invalid \'idempotent\' value "maybe": write (idempotent), or "true" or "false"',
      'a.rpc:5:29: error RPC2022: invalid \'worker.thread\' value "yes": write (worker.thread), or "true" or "false"',
    ]);
  });

  it('RPC2016 collisions in generated TypeScript names', () => {
    expect(
      lines(
        [
          'struct Map {}',
          'struct Map_ {}',
          'service Users {}',
          'struct UsersClient {}',
          'struct S { 1: i32 __proto__, 2: i32 __proto___ }',
          'exception E { 1: string name, 2: i32 name_ }',
          'service T { void f(1: i32 options, 2: i32 options_), void constructor(), void constructor_() }',
        ].join('\n'),
      ),
    ).toEqual([
      "a.rpc:2:8: error RPC2016: struct 'Map_' and struct 'Map' both become 'Map_' as the TypeScript export; rename one",
      "a.rpc:4:8: error RPC2016: struct 'UsersClient' and the client class of service 'Users' both become 'UsersClient' as the TypeScript export; rename one",
      "a.rpc:5:37: error RPC2016: field '__proto___' and field '__proto__' both become '__proto___' as a property of struct 'S'; rename one",
      "a.rpc:6:38: error RPC2016: field 'name_' and field 'name' both become 'name_' as a property of exception 'E'; rename one",
      "a.rpc:7:43: error RPC2016: argument 'options_' and argument 'options' both become 'options_' as a parameter of 'T.f'; rename one",
      "a.rpc:7:79: error RPC2016: function 'constructor_' and function 'constructor' both become 'constructor_' as a method of service 'T'; rename one",
    ]);
  });

  it('RPC2028 more than one default in a union', () => {
    expect(lines('union U { 1: i32 a = 1, 2: i32 b = 2 }')).toEqual([
      "a.rpc:1:36: error RPC2028: union 'U' already has a default value (field 'a'); a union defaults at most one field",
    ]);
  });
});

describe('check: reporting', () => {
  it('reports every error in a file, not just the first', () => {
    const found = lines(
      [
        'struct User { 1: i64 id, 1: string name, 2: Strng email }',
        'struct User {}',
        'enum E { A = 1, B = 1 }',
        'const i8 SMALL = 1000',
        'service S extends User { oneway i32 f() throws (1: User u) }',
        'typedef Loop Loop',
      ].join('\n'),
    );
    expect(found.map((l) => /RPC\d+/.exec(l)?.[0])).toEqual([
      'RPC2003',
      'RPC2001',
      'RPC2002',
      'RPC2006',
      'RPC2008',
      'RPC2011',
      'RPC2013',
      'RPC2014',
      'RPC2015',
      'RPC2021',
    ]);
  });

  it('never throws, whatever the parser recovered', () => {
    const fragments = [
      'struct S {', '}', 'service T extends S {', 'enum E {', 'A = 1,', 'const i32 C = ', 'X.Y', '[1, {', '"s"',
      'typedef list<S> L', '1: L l,', 'oneway void f() throws (1: S s)', 'include "a.rpc"', 'union U {', '-1: i32 x = C',
      'map<S, L>', 'T t', 'E.A', '0x7fffffffffffffff', 'exception X { 1: string message }', ';', ',',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 30 }), (parts) => {
        const files = { 'a.rpc': parts.join(' ') };
        const loaded = loadFiles(['a.rpc'], { host: { readFile: (p) => (p === 'a.rpc' ? files['a.rpc'] : undefined) }, parse: parseDocument });
        check(loaded.files);
      }),
      { numRuns: 300 },
    );
  });
  it('never throws on a hand-built tree with values no parser would produce', () => {
    const at = span('x.rpc', 0, 1);
    const id = (name: string) => ({ name, span: at });
    const int = (value: bigint) => ({ kind: 'int' as const, value, span: at });
    const document: Document = {
      path: 'x.rpc',
      headers: [],
      definitions: [
        { kind: 'enum', name: id('E'), members: [{ name: id('A'), value: int(2n ** 2000n), annotations: [], doc: undefined, span: at }], annotations: [], doc: undefined, span: at },
        {
          kind: 'struct',
          name: id(''),
          fields: [
            { id: int(-(2n ** 2000n)), requiredness: 'default', type: { kind: 'named', name: 'E', annotations: [], span: at }, name: id('f'), defaultValue: int(2n ** 2000n), annotations: [], doc: undefined, span: at },
          ],
          annotations: [],
          doc: undefined,
          span: at,
        },
        { kind: 'const', name: id('C'), type: { kind: 'base', name: 'i32', annotations: [], span: at }, value: { kind: 'identifier', name: 'E.A', span: at }, annotations: [], doc: undefined, span: at },
      ],
    };
    const source = createSourceFile('x.rpc', 'x');
    const result = check([{ source, document, modulePath: 'x', includes: [] }]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['RPC2007', 'RPC2019', 'RPC2008', 'RPC2008']);
  });
});

function find<K extends 'const' | 'typedef' | 'enum' | 'service'>(file: SchemaFile | undefined, name: string, kind: K): Extract<Declaration, { kind: K }> {
  const decl = file?.declarations.find((d) => d.name === name);
  if (!decl || decl.kind !== kind) throw new Error(`no ${kind} ${name}`);
  return decl as Extract<Declaration, { kind: K }>;
}
function struct(file: SchemaFile | undefined, name: string): StructDecl {
  const decl = file?.declarations.find((d) => d.name === name);
  if (!decl || (decl.kind !== 'struct' && decl.kind !== 'union' && decl.kind !== 'exception')) throw new Error(`no struct ${name}`);
  return decl;
}

describe('check: the schema', () => {
  const shared = [
    'namespace js shared',
    '/** A user id. */',
    'typedef i64 UserId',
    'typedef UserId AnyId',
    'enum Role { GUEST, ADMIN = 5, OWNER }',
    'struct User {',
    '  1: required UserId id,',
    '  2: optional string name = "anon" (note = "a", note = "b"),',
    '  3: Role role = Role.ADMIN',
    '}',
    'const i64 BIG = 9007199254740993',
    'exception NotFound { 1: string message, 2: i32 name }',
    'service Base { void ping() (idempotent) }',
  ].join('\n');
  const main = [
    'include "shared.rpc"',
    'const i32 LIMIT = 10',
    'const i64 LIMIT64 = LIMIT',
    'const double RATIO = LIMIT',
    'const list<shared.UserId> IDS = [1, shared.BIG]',
    'const shared.User ROOT = {"id": 1, "role": shared.Role.OWNER}',
    'const binary BYTES = "hi"',
    'const uuid NIL = "{0123ABCD-0000-0000-0000-000000000000}"',
    'struct Map { 1: i32 let, 2: i32 type }',
    'service Users extends shared.Base {',
    '  shared.User get(1: shared.AnyId id, 2: string options) throws (1: shared.NotFound notFound) (timeout.ms = "200", custom = "x")',
    '}',
  ].join('\n');
  const result = checkFiles({ 'a.rpc': main, 'shared.rpc': shared });
  const [sharedFile, mainFile] = result.schema.files;

  it('has no diagnostics and lists files includes-first, with include references', () => {
    expect(result.lines).toEqual([]);
    expect(result.schema.files.map((f) => f.path)).toEqual(['shared.rpc', 'a.rpc']);
    expect(mainFile?.includes[0]).toBe(sharedFile);
    expect(sharedFile?.namespaces.get('js')).toBe('shared');
    expect(mainFile?.modulePath).toBe('a');
  });

  it('keeps typedef chains and resolves types across includes', () => {
    const anyId = find(sharedFile, 'AnyId', 'typedef');
    const userId = find(sharedFile, 'UserId', 'typedef');
    expect(userId.doc).toBe('A user id.');
    expect(anyId.type).toEqual({ kind: 'typedef', decl: userId });
    expect(resolveTypedefs(anyId.type)).toEqual({ kind: 'i64' });
    const get = find(mainFile, 'Users', 'service').functions[0];
    const param = get?.params[0]?.type;
    expect(param?.kind === 'typedef' && param.decl).toBe(anyId);
    const ret = get?.returnType;
    expect(ret?.kind === 'struct' && ret.decl).toBe(struct(sharedFile, 'User'));
  });

  it('assigns enum values implicitly from the previous one, starting at 0', () => {
    expect(find(sharedFile, 'Role', 'enum').members.map((m) => [m.name, m.value])).toEqual([
      ['GUEST', 0],
      ['ADMIN', 5],
      ['OWNER', 6],
    ]);
  });

  it('converts constants: i64 as bigint, references as const or inlined, structs, enums, binary, uuid', () => {
    const big = find(sharedFile, 'BIG', 'const');
    expect(big.value).toEqual({ kind: 'i64', value: 9007199254740993n });
    expect(find(mainFile, 'LIMIT64', 'const').value).toEqual({ kind: 'i64', value: 10n });
    expect(find(mainFile, 'RATIO', 'const').value).toEqual({ kind: 'double', value: 10 });
    expect(find(mainFile, 'IDS', 'const').value).toEqual({
      kind: 'list',
      elements: [{ kind: 'i64', value: 1n }, { kind: 'const', decl: big }],
    });
    const user = struct(sharedFile, 'User');
    const role = find(sharedFile, 'Role', 'enum');
    const root = find(mainFile, 'ROOT', 'const');
    expect(root.value).toEqual({
      kind: 'struct',
      decl: user,
      fields: [
        [user.fields[0], { kind: 'i64', value: 1n }],
        [user.fields[2], { kind: 'enum', decl: role, member: role.members[2] }],
      ],
    });
    expect(find(mainFile, 'BYTES', 'const').value).toEqual({ kind: 'binary', value: new Uint8Array([104, 105]) });
    expect(find(mainFile, 'NIL', 'const').value).toEqual({ kind: 'uuid', value: '0123abcd-0000-0000-0000-000000000000' });
  });

  it('converts field defaults and keeps the last of duplicate annotations', () => {
    const user = struct(sharedFile, 'User');
    expect(user.fields.map((f) => [f.id, f.name, f.requiredness])).toEqual([
      [1, 'id', 'required'],
      [2, 'name', 'optional'],
      [3, 'role', 'default'],
    ]);
    expect(user.fields[1]?.defaultValue).toEqual({ kind: 'string', value: 'anon' });
    expect(user.fields[1]?.annotations.get('note')).toBe('b');
    expect(user.fields[2]?.defaultValue?.kind).toBe('enum');
  });

  it('computes TypeScript names, mangling reserved words and shadowed globals', () => {
    const map = struct(mainFile, 'Map');
    expect(map.tsName).toBe('Map_');
    expect(map.fields.map((f) => f.tsName)).toEqual(['let', 'type']);
    expect(struct(sharedFile, 'NotFound').fields.map((f) => f.tsName)).toEqual(['message', 'name_']);
    const get = find(mainFile, 'Users', 'service').functions[0];
    expect(get?.params.map((p) => p.tsName)).toEqual(['id', 'options_']);
    expect(get?.throws.map((p) => [p.id, p.tsName])).toEqual([[1, 'notFound']]);
  });

  it('links extends, inherits functions and reads call annotations', () => {
    const users: ServiceDecl = find(mainFile, 'Users', 'service');
    const base = find(sharedFile, 'Base', 'service');
    expect(users.extends).toBe(base);
    expect(allFunctions(users).map((f) => [f.name, f.idempotent, f.timeoutMs])).toEqual([
      ['ping', true, undefined],
      ['get', false, 200],
    ]);
    expect(users.functions[0]?.annotations.get('custom')).toBe('x');
  });

  it('keeps typedefs as typedef types so the emitter can print alias names', () => {
    const idField = struct(sharedFile, 'User').fields[0];
    expect(idField?.type.kind === 'typedef' && idField.type.decl.name).toBe('UserId');
  });
});
