/**
 * parseDocument: the AST for every construct of Thrift 0.17's IDL, doc comment attachment, spans,
 * one diagnostic line per RPC1xxx code, error recovery, and robustness on hostile input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Document } from '../../compiler/ast.js';
import { parseDocument } from '../../compiler/build-ast.js';
import { formatDiagnosticLine } from '../../compiler/diagnostics.js';
import { validateTokens } from '../../compiler/lexer.js';
import { validateGrammar } from '../../compiler/parser.js';
import { createSourceFile } from '../../compiler/source.js';

const SPAN_KEYS = new Set(['span', 'pathSpan', 'valueSpan', 'requirednessSpan', 'onewaySpan', 'throwsSpan']);

/** The value without spans and without `doc: undefined`, so expectations stay readable. */
function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (SPAN_KEYS.has(key) || (key === 'doc' && inner === undefined)) continue;
    out[key] = withoutSpans(inner);
  }
  return out;
}

function parse(text: string, path = 'a.rpc') {
  const source = createSourceFile(path, text);
  const { document, diagnostics } = parseDocument(source);
  const sources = new Map([[path, source]]);
  return { document, diagnostics, lines: diagnostics.map((d) => formatDiagnosticLine(d, sources)) };
}

/** Parses input that must be clean and returns its document without spans. */
function ast(text: string): Document {
  const { document, lines } = parse(text);
  expect(lines).toEqual([]);
  return withoutSpans(document) as Document;
}

function firstDefinition(text: string): unknown {
  return ast(text).definitions[0];
}

const i32 = { kind: 'base', name: 'i32', annotations: [] };
const str = { kind: 'base', name: 'string', annotations: [] };
const int = (value: bigint) => ({ kind: 'int', value });
const name = (text: string) => ({ name: text });

describe('headers', () => {
  it.each([
    ['include', 'include "shared.thrift"', { kind: 'include', path: 'shared.thrift' }],
    ['include with single quotes', "include 'a/b.thrift'", { kind: 'include', path: 'a/b.thrift' }],
    ['cpp_include', 'cpp_include "<vector>"', { kind: 'cpp_include', path: '<vector>' }],
    [
      'namespace',
      'namespace java com.example.api',
      { kind: 'namespace', scope: 'java', name: 'com.example.api', annotations: [] },
    ],
    [
      'namespace with a dotted scope',
      'namespace py.twisted tw',
      { kind: 'namespace', scope: 'py.twisted', name: 'tw', annotations: [] },
    ],
    ['namespace *', 'namespace * all', { kind: 'namespace', scope: '*', name: 'all', annotations: [] }],
    [
      'namespace with annotations',
      'namespace js api (a = "b", flag)',
      {
        kind: 'namespace',
        scope: 'js',
        name: 'api',
        annotations: [
          { key: 'a', value: 'b' },
          { key: 'flag', value: '1' },
        ],
      },
    ],
  ])('%s', (_name, text, header) => {
    expect(ast(text).headers).toEqual([header]);
  });

  it('keeps headers in order and the include path span on the literal', () => {
    const text = 'include "a.thrift"\nnamespace * x\ninclude "b.thrift"\nstruct S {}';
    const { document } = parse(text);
    expect(document.headers.map((h) => h.kind)).toEqual(['include', 'namespace', 'include']);
    const include = document.headers[0];
    expect(include?.kind === 'include' && text.slice(include.pathSpan.start, include.pathSpan.end)).toBe('"a.thrift"');
  });
});

describe('definitions', () => {
  it.each([
    [
      'const int',
      'const i32 MAX = 10',
      { kind: 'const', name: name('MAX'), type: i32, value: int(10n), annotations: [] },
    ],
    [
      'const negative hex',
      'const i64 M = -0x10;',
      { kind: 'const', name: name('M'), type: { ...i32, name: 'i64' }, value: int(-16n), annotations: [] },
    ],
    [
      'const true is 1',
      'const bool B = true,',
      { kind: 'const', name: name('B'), type: { ...i32, name: 'bool' }, value: int(1n), annotations: [] },
    ],
    [
      'const false is 0',
      'const bool B = false',
      { kind: 'const', name: name('B'), type: { ...i32, name: 'bool' }, value: int(0n), annotations: [] },
    ],
    [
      'const double with exponent',
      'const double D = -1.5e3',
      {
        kind: 'const',
        name: name('D'),
        type: { ...i32, name: 'double' },
        value: { kind: 'double', value: -1500, text: '-1.5e3' },
        annotations: [],
      },
    ],
    [
      'const string with escapes',
      `const string S = 'it\\'s\\n'`,
      { kind: 'const', name: name('S'), type: str, value: { kind: 'string', value: "it's\n" }, annotations: [] },
    ],
    [
      'const identifier reference',
      'const Color C = Color.RED',
      {
        kind: 'const',
        name: name('C'),
        type: { kind: 'named', name: 'Color', annotations: [] },
        value: { kind: 'identifier', name: 'Color.RED' },
        annotations: [],
      },
    ],
    [
      'const list with mixed separators',
      'const list<i32> L = [1, 2; 3 4]',
      {
        kind: 'const',
        name: name('L'),
        type: { kind: 'list', element: i32, annotations: [] },
        value: { kind: 'list', elements: [int(1n), int(2n), int(3n), int(4n)] },
        annotations: [],
      },
    ],
    [
      'const map (struct constants are written this way)',
      'const map<string, list<i32>> M = {"a": [1], "b": []}',
      {
        kind: 'const',
        name: name('M'),
        type: { kind: 'map', key: str, value: { kind: 'list', element: i32, annotations: [] }, annotations: [] },
        value: {
          kind: 'map',
          entries: [
            { key: { kind: 'string', value: 'a' }, value: { kind: 'list', elements: [int(1n)] } },
            { key: { kind: 'string', value: 'b' }, value: { kind: 'list', elements: [] } },
          ],
        },
        annotations: [],
      },
    ],
    [
      'typedef',
      'typedef i64 UserId',
      { kind: 'typedef', name: name('UserId'), type: { ...i32, name: 'i64' }, annotations: [] },
    ],
    [
      'typedef with annotations on the type and the definition',
      'typedef string (unicode.encoding = "UTF-16") Text (x)',
      {
        kind: 'typedef',
        name: name('Text'),
        type: { kind: 'base', name: 'string', annotations: [{ key: 'unicode.encoding', value: 'UTF-16' }] },
        annotations: [{ key: 'x', value: '1' }],
      },
    ],
    [
      'enum with implicit, explicit, negative and hex values',
      'enum E { A, B = 5; C = -1 D = 0x10 (deprecated) }',
      {
        kind: 'enum',
        name: name('E'),
        members: [
          { name: name('A'), annotations: [] },
          { name: name('B'), value: int(5n), annotations: [] },
          { name: name('C'), value: int(-1n), annotations: [] },
          { name: name('D'), value: int(16n), annotations: [{ key: 'deprecated', value: '1' }] },
        ],
        annotations: [],
      },
    ],
    [
      'empty struct with annotations',
      'struct S {} (final)',
      { kind: 'struct', name: name('S'), fields: [], annotations: [{ key: 'final', value: '1' }] },
    ],
    [
      'union',
      'union U { 1: i32 a }',
      {
        kind: 'union',
        name: name('U'),
        fields: [{ id: int(1n), requiredness: 'default', type: i32, name: name('a'), annotations: [] }],
        annotations: [],
      },
    ],
    [
      'exception',
      'exception NotFound { 1: string message }',
      {
        kind: 'exception',
        name: name('NotFound'),
        fields: [{ id: int(1n), requiredness: 'default', type: str, name: name('message'), annotations: [] }],
        annotations: [],
      },
    ],
  ])('%s', (_name, text, definition) => {
    expect(firstDefinition(text)).toEqual(definition);
  });
});

describe('fields', () => {
  const fieldsOf = (body: string) => (firstDefinition(`struct S { ${body} }`) as { fields: unknown[] }).fields;

  it.each([
    [
      'id, requiredness, default value',
      '1: required i32 a = 3',
      { id: int(1n), requiredness: 'required', type: i32, name: name('a'), defaultValue: int(3n), annotations: [] },
    ],
    [
      'optional',
      '2: optional string b',
      { id: int(2n), requiredness: 'optional', type: str, name: name('b'), annotations: [] },
    ],
    [
      'no id (kept absent for the checker)',
      'i32 c',
      { requiredness: 'default', type: i32, name: name('c'), annotations: [] },
    ],
    [
      'negative and hex ids as written',
      '-1: i32 d',
      { id: int(-1n), requiredness: 'default', type: i32, name: name('d'), annotations: [] },
    ],
    [
      'hex id',
      '0x7fff: i32 e',
      { id: int(32767n), requiredness: 'default', type: i32, name: name('e'), annotations: [] },
    ],
    [
      'field annotations',
      '1: i32 f (go.tag = "json", skip)',
      {
        id: int(1n),
        requiredness: 'default',
        type: i32,
        name: name('f'),
        annotations: [
          { key: 'go.tag', value: 'json' },
          { key: 'skip', value: '1' },
        ],
      },
    ],
    [
      'base type annotations',
      '1: i32 (js.type = "number") g',
      {
        id: int(1n),
        requiredness: 'default',
        type: { ...i32, annotations: [{ key: 'js.type', value: 'number' }] },
        name: name('g'),
        annotations: [],
      },
    ],
    [
      'container annotations at every level',
      '1: map<string (a), list<i32> (b)> (c) h',
      {
        id: int(1n),
        requiredness: 'default',
        type: {
          kind: 'map',
          key: { ...str, annotations: [{ key: 'a', value: '1' }] },
          value: { kind: 'list', element: i32, annotations: [{ key: 'b', value: '1' }] },
          annotations: [{ key: 'c', value: '1' }],
        },
        name: name('h'),
        annotations: [],
      },
    ],
    [
      'set',
      '1: set<shared.User> s',
      {
        id: int(1n),
        requiredness: 'default',
        type: { kind: 'set', element: { kind: 'named', name: 'shared.User', annotations: [] }, annotations: [] },
        name: name('s'),
        annotations: [],
      },
    ],
    [
      'uuid is a base type',
      '1: uuid u',
      {
        id: int(1n),
        requiredness: 'default',
        type: { kind: 'base', name: 'uuid', annotations: [] },
        name: name('u'),
        annotations: [],
      },
    ],
    [
      'uuid is still a valid name',
      '1: i32 uuid',
      { id: int(1n), requiredness: 'default', type: i32, name: name('uuid'), annotations: [] },
    ],
    [
      'cpp_type is accepted and dropped',
      '1: map cpp_type "M" <i32, i32> m',
      {
        id: int(1n),
        requiredness: 'default',
        type: { kind: 'map', key: i32, value: i32, annotations: [] },
        name: name('m'),
        annotations: [],
      },
    ],
    [
      'trailing list cpp_type (0.17 form)',
      '1: list<i32> cpp_type "V" (x) l',
      {
        id: int(1n),
        requiredness: 'default',
        type: { kind: 'list', element: i32, annotations: [{ key: 'x', value: '1' }] },
        name: name('l'),
        annotations: [],
      },
    ],
    [
      'C++ reference marker and xsd markers are dropped',
      '1: i32 &r xsd_optional xsd_nillable',
      { id: int(1n), requiredness: 'default', type: i32, name: name('r'), annotations: [] },
    ],
  ])('%s', (_name, body, field) => {
    expect(fieldsOf(body)).toEqual([field]);
  });

  it('takes every base type', () => {
    const types = ['bool', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'uuid'];
    const fields = fieldsOf(types.map((type, i) => `${i + 1}: ${type} f${i}`).join(', ')) as {
      type: { name: string };
    }[];
    expect(fields.map((f) => f.type.name)).toEqual(types);
  });

  it('accepts , ; or nothing between fields', () => {
    expect(fieldsOf('1: i32 a, 2: i32 b; 3: i32 c 4: i32 d,')).toHaveLength(4);
  });
});

describe('services', () => {
  it('parses functions, oneway, void, throws, params and annotations', () => {
    const service = firstDefinition(
      'service Users extends shared.Base { oneway void ping(), User get(1: i64 id, 2: optional bool deep) throws (1: NotFound nf) (cache = "no"); list<User> all() } (version = "2")',
    );
    expect(service).toEqual({
      kind: 'service',
      name: name('Users'),
      extends: name('shared.Base'),
      functions: [
        { name: name('ping'), oneway: true, returnType: { kind: 'void' }, params: [], throws: [], annotations: [] },
        {
          name: name('get'),
          oneway: false,
          returnType: { kind: 'named', name: 'User', annotations: [] },
          params: [
            { id: int(1n), requiredness: 'default', type: { ...i32, name: 'i64' }, name: name('id'), annotations: [] },
            {
              id: int(2n),
              requiredness: 'optional',
              type: { ...i32, name: 'bool' },
              name: name('deep'),
              annotations: [],
            },
          ],
          throws: [
            {
              id: int(1n),
              requiredness: 'default',
              type: { kind: 'named', name: 'NotFound', annotations: [] },
              name: name('nf'),
              annotations: [],
            },
          ],
          annotations: [{ key: 'cache', value: 'no' }],
        },
        {
          name: name('all'),
          oneway: false,
          returnType: { kind: 'list', element: { kind: 'named', name: 'User', annotations: [] }, annotations: [] },
          params: [],
          throws: [],
          annotations: [],
        },
      ],
      annotations: [{ key: 'version', value: '2' }],
    });
  });

  it('records keyword spans for oneway and throws', () => {
    const text = 'service S { oneway void f() throws (1: E e) }';
    const fn = parse(text).document.definitions[0];
    const f = fn?.kind === 'service' ? fn.functions[0] : undefined;
    expect(f?.onewaySpan && text.slice(f.onewaySpan.start, f.onewaySpan.end)).toBe('oneway');
    expect(f?.throwsSpan && text.slice(f.throwsSpan.start, f.throwsSpan.end)).toBe('throws');
  });
});

describe('doc comments', () => {
  const text = [
    '/** File doc is dropped: a header follows. */',
    'namespace * x',
    '',
    '/**',
    ' * A user.',
    ' *   Indented line.',
    ' */',
    '// a plain comment in between does not matter',
    'struct User {',
    '  /** The id. */',
    '  1: i64 id',
    '  2: string name /** Belongs to the next field. */',
    '  3: string email',
    '}',
    '/** First. */ /** Second wins. */ enum E {',
    '  /** Member doc. */ A',
    '}',
    'service S {',
    '  /** Function doc. */',
    '  void f()',
    '}',
    '/* not a doc */ const i32 C = 1',
  ].join('\n');

  it('attaches the last doc comment before a definition, field, member or function', () => {
    const { document, lines } = parse(text);
    expect(lines).toEqual([]);
    const [user, e, s, c] = document.definitions;
    expect(user?.doc).toBe('A user.\n  Indented line.');
    expect(user?.kind === 'struct' && user.fields.map((f) => f.doc)).toEqual([
      'The id.',
      undefined,
      'Belongs to the next field.',
    ]);
    expect(e?.doc).toBe('Second wins.');
    expect(e?.kind === 'enum' && e.members[0]?.doc).toBe('Member doc.');
    expect(s?.kind === 'service' && s.functions[0]?.doc).toBe('Function doc.');
    expect(c?.doc).toBeUndefined();
  });
});

describe('spans', () => {
  it('cover each node and identifiers cover just the name', () => {
    const text = 'struct User {\n  1: optional list<i32> (a) ids = [1, 2] (x = "y"),\n} (final)';
    const { document } = parse(text);
    const slice = (s: { start: number; end: number } | undefined) => (s ? text.slice(s.start, s.end) : undefined);
    const user = document.definitions[0];
    expect(slice(user?.span)).toBe('struct User {\n  1: optional list<i32> (a) ids = [1, 2] (x = "y"),\n} (final)');
    expect(slice(user?.name.span)).toBe('User');
    const field = user?.kind === 'struct' ? user.fields[0] : undefined;
    expect(slice(field?.span)).toBe('1: optional list<i32> (a) ids = [1, 2] (x = "y")');
    expect(slice(field?.id?.span)).toBe('1');
    expect(slice(field?.requirednessSpan)).toBe('optional');
    expect(slice(field?.type.span)).toBe('list<i32> (a)');
    expect(slice(field?.name.span)).toBe('ids');
    expect(slice(field?.defaultValue?.span)).toBe('[1, 2]');
    expect(slice(field?.annotations[0]?.span)).toBe('x = "y"');
    expect(slice(field?.annotations[0]?.valueSpan)).toBe('"y"');
  });
});

describe('diagnostics', () => {
  it.each([
    ['RPC1001', 'struct A {}\n  ~', "a.rpc:2:3: error RPC1001: invalid character '~'"],
    ['RPC1002', 'const string S = "abc', 'a.rpc:1:18: error RPC1002: unterminated string literal: missing closing "'],
    ['RPC1003', 'struct A {}\n/* open', 'a.rpc:2:1: error RPC1003: unterminated block comment: missing "*/"'],
    [
      'RPC1004',
      'const i64 BIG = 9223372036854775808',
      "a.rpc:1:17: error RPC1004: integer '9223372036854775808' is too big for a 64-bit signed integer",
    ],
    [
      'RPC1005 unclosed struct',
      'struct User {\n  1: i32 id\nservice Foo {}',
      "a.rpc:3:1: error RPC1005: expected '}' to close struct 'User', found 'service'",
    ],
    ['RPC1005 missing field type', 'struct A {\n  1: }', "a.rpc:2:6: error RPC1005: expected a field type, found '}'"],
    ['RPC1005 missing name', 'struct {}', "a.rpc:1:8: error RPC1005: expected a struct name, found '{'"],
    [
      'RPC1005 at end of file',
      'enum E {\n  A',
      "a.rpc:2:4: error RPC1005: expected '}' to close enum 'E', found end of file",
    ],
    [
      'RPC1005 unclosed parameter list',
      'service S { void f(1: i32 a }',
      "a.rpc:1:29: error RPC1005: expected ')' to close the parameter list, found '}'",
    ],
    ['RPC1005 bad constant', 'const i32 X = }', "a.rpc:1:15: error RPC1005: expected a constant value, found '}'"],
    [
      'RPC1005 annotation value must be a string',
      'struct A {} (a = 1)',
      "a.rpc:1:18: error RPC1005: expected a string literal, found '1'",
    ],
    [
      'RPC1005 separator after a struct',
      'struct A {};',
      "a.rpc:1:12: error RPC1005: expected a header or definition, found ';' (Thrift allows ',' or ';' after a typedef or const, not after other definitions)",
    ],
    [
      'RPC1005 header after a definition',
      'struct A {}\ninclude "b.thrift"',
      "a.rpc:2:1: error RPC1005: 'include' must come before the first definition, as Thrift requires",
    ],
    [
      'RPC1005 annotations on namespace *',
      'namespace * x (a = "b")',
      "a.rpc:1:15: error RPC1005: annotations are not allowed on 'namespace *'",
    ],
    [
      'RPC1005 annotations on a type name',
      'struct A { 1: B (x) b }',
      "a.rpc:1:17: error RPC1005: annotations are not allowed on a type name ('B'), only on base and container types",
    ],
    [
      'RPC1006 reserved word',
      'struct class {}',
      "a.rpc:1:8: error RPC1006: cannot use reserved language keyword 'class' as a name",
    ],
    [
      'RPC1006 reserved word as field name',
      'struct A { 1: i32 delete }',
      "a.rpc:1:19: error RPC1006: cannot use reserved language keyword 'delete' as a name",
    ],
    [
      'RPC1005 keyword as a name',
      'struct A { 1: i32 string }',
      "a.rpc:1:19: error RPC1005: 'string' is a keyword and cannot be used as a name",
    ],
    [
      'RPC1007 slist',
      'struct A { 1: slist s }',
      "a.rpc:1:15: error RPC1007: 'slist' is no longer supported; use 'string' instead",
    ],
    [
      'RPC1007 senum',
      'senum S { "a", "b" }',
      "a.rpc:1:1: error RPC1007: 'senum' is no longer supported; use 'string' instead",
    ],
    [
      'RPC1007 old namespace form',
      'java_package com.x',
      "a.rpc:1:1: error RPC1007: 'java_package' is no longer supported; use 'namespace java' instead",
    ],
    [
      'RPC1008 async',
      'service S { async void f() }',
      "a.rpc:1:13: warning RPC1008: 'async' is deprecated; use 'oneway'",
    ],
    [
      'RPC1008 byte',
      'struct A { 1: byte b }',
      "a.rpc:1:15: warning RPC1008: 'byte' is a compatibility alias for 'i8'; use 'i8' to make the signedness explicit",
    ],
    ['RPC1009 dotted definition name', 'struct a.b {}', "a.rpc:1:8: error RPC1009: name 'a.b' cannot contain a dot"],
    [
      'RPC1009 dotted field name',
      'struct A { 1: i32 x.y }',
      "a.rpc:1:19: error RPC1009: name 'x.y' cannot contain a dot",
    ],
    [
      'RPC1010',
      'const string S = "\\d"',
      `a.rpc:1:19: error RPC1010: invalid escape sequence '\\d' (Thrift allows \\n \\r \\t \\" \\' \\\\)`,
    ],
  ])('%s', (_name, text, line) => {
    expect(parse(text).lines).toContain(line);
  });

  it('reports byte once per file, like Thrift', () => {
    expect(parse('struct A { 1: byte a, 2: byte b }').diagnostics.filter((d) => d.code === 'RPC1008')).toHaveLength(1);
  });

  it('reports every error in a file, in source order, and keeps the valid definitions', () => {
    const { document, lines } = parse(
      [
        'struct A { 1: i32 }',
        'struct Good { 1: i32 x }',
        'enum E { X = }',
        'service S { void f( }',
        'const i32 C = @',
        'struct class {}',
        'union U { 1: i32 y }',
      ].join('\n'),
    );
    expect(lines).toEqual([
      "a.rpc:1:19: error RPC1005: expected a field name, found '}'",
      "a.rpc:3:14: error RPC1005: expected an integer, found '}'",
      "a.rpc:4:21: error RPC1005: expected ')' to close the parameter list, found '}'",
      "a.rpc:5:15: error RPC1001: invalid character '@'",
      "a.rpc:6:1: error RPC1005: expected a constant value, found 'struct'",
      "a.rpc:6:8: error RPC1006: cannot use reserved language keyword 'class' as a name",
    ]);
    expect(document.definitions.map((d) => d.name.name)).toEqual(['A', 'Good', 'E', 'S', 'class', 'U']);
  });

  it('points an end-of-file error at an empty span at the end', () => {
    const text = 'struct A {\n  1: i32 x';
    const [error] = parse(text).diagnostics;
    expect(error?.span).toEqual({ file: 'a.rpc', start: text.length, end: text.length });
  });
});

describe('robustness', () => {
  const nasty: [string, string][] = [
    ['empty', ''],
    ['only comments', '// a\n# b\n/* c */\n/** d */'],
    ['unterminated everything', 'struct A { 1: list<map<string, "x /* y'],
    ['binary garbage', String.fromCharCode(...Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256))],
    ['deeply nested types', `struct A { 1: ${'list<'.repeat(5000)}i32${'>'.repeat(5000)} x }`],
    ['deeply nested constants', `const list<i32> X = ${'['.repeat(20000)}`],
    ['deeply nested maps', `const map<i32,i32> X = ${'{1:'.repeat(5000)}`],
    ['10k-character identifier', `struct ${'a'.repeat(10_000)} { 1: i32 ${'b'.repeat(10_000)} }`],
    ['only punctuation', '{}{}{{{)))<<>>;;;,,,==**&&'],
    ['keywords only', 'struct union service enum const typedef include namespace throws oneway'],
  ];

  it.each(nasty)('never throws on %s', (_name, text) => {
    const { document, diagnostics } = parse(text);
    expect(document.path).toBe('a.rpc');
    for (const d of diagnostics) expect(d.code).toMatch(/^RPC1\d{3}$/);
  });

  it('reports nesting beyond the limit once', () => {
    const { lines } = parse(`struct A { 1: ${'list<'.repeat(200)}i32${'>'.repeat(200)} x }`);
    expect(lines).toEqual([
      'a.rpc:1:514: error RPC1005: nesting is deeper than 100 levels; the rest of the file is not parsed',
    ]);
  });

  it('never throws on random token soup or random text', () => {
    const words = [
      'struct',
      'service',
      'enum',
      'const',
      'list',
      '<',
      '>',
      '{',
      '}',
      '(',
      ')',
      '[',
      ']',
      'i32',
      'x',
      'a.b',
      '1',
      ':',
      '=',
      ',',
      ';',
      '"s"',
      "'",
      '/**d*/',
      '/*',
      '@',
      'throws',
      'oneway',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 60 }), (tokens) => {
        parse(tokens.join(' '));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        parse(text);
      }),
      { numRuns: 200 },
    );
  });

  it('parses 1,000 structs and 100 services well under a second', () => {
    const parts: string[] = [];
    for (let i = 0; i < 1000; i++) {
      parts.push(
        `/** Struct ${i}. */\nstruct S${i} {\n  1: required i64 id,\n  2: optional string name = "x",\n  3: list<map<string, S${i}>> children (a = "b"),\n  4: set<i32> tags\n}`,
      );
    }
    for (let i = 0; i < 100; i++) {
      const functions = Array.from(
        { length: 10 },
        (_, j) => `  S${j} call${j}(1: S${j} request, 2: i32 n) throws (1: E e),`,
      );
      parts.push(`service Service${i} {\n${functions.join('\n')}\n  oneway void ping()\n}`);
    }
    const text = parts.join('\n');
    parse(text);
    const started = performance.now();
    const { document, diagnostics } = parse(text);
    const elapsedMs = performance.now() - started;
    expect(diagnostics).toEqual([]);
    expect(document.definitions).toHaveLength(1100);
    expect(elapsedMs).toBeLessThan(1000);
  });
});

describe('grammar', () => {
  // rpcgen builds its lexer and parser without chevrotain's validations (they cost every run).
  it('passes chevrotain validations of the tokens and the grammar', () => {
    expect(() => validateTokens()).not.toThrow();
    expect(() => validateGrammar()).not.toThrow();
  });
});
