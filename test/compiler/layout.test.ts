/**
 * The emitter lays out most code in prettier's style itself and only formats what it cannot vouch
 * for (compiler/emit/layout.ts). The guarantee: prettier with the pinned options changes nothing
 * in any generated file. Checked over the committed output, the goldens and random schemas.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { PINNED_OPTIONS } from '../../compiler/format.js';
import { indentCode, isSettled } from '../../compiler/emit/layout.js';

const ROOT = resolve(import.meta.dirname, '../..');

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function expectPrettierFixpoint(text: string, what: string): Promise<void> {
  expect(await format(text, PINNED_OPTIONS), what).toBe(text);
}

describe('generated code is what prettier prints', () => {
  it.each(filesUnder(join(ROOT, 'generated'), '.ts').map((f) => [f.slice(ROOT.length + 1), f]))('%s', async (_, file) => {
    await expectPrettierFixpoint(readFileSync(file, 'utf8'), file);
  });

  it.each(filesUnder(join(ROOT, 'test/compiler/__golden__'), '.ts.txt').map((f) => [f.slice(ROOT.length + 1), f]))(
    '%s',
    async (_, file) => {
      await expectPrettierFixpoint(readFileSync(file, 'utf8'), file);
    },
  );

  it('holds for random schemas', async () => {
    await fc.assert(
      fc.asyncProperty(schemaArbitrary(), async (idl) => {
        const result = await compile(['random.rpc'], { host: { readFile: () => idl } });
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        expect(errors, idl).toEqual([]);
        for (const file of result.files) await expectPrettierFixpoint(file.text, idl);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

describe('layout helpers', () => {
  it('indents by brace depth and breaks statement-level objects that do not fit', () => {
    const long = Array.from({ length: 12 }, (_, i) => `field${i}: value${i}`).join(', ');
    expect(indentCode(`{\nread() {\nreturn { ${long} };\n},\n}`, 0)).toBe(
      `{\n  read() {\n    return {\n${Array.from({ length: 12 }, (_, i) => `      field${i}: value${i},\n`).join('')}    };\n  },\n}`,
    );
  });

  it('does not vouch for text prettier may rewrite', () => {
    expect(isSettled(`const a = 'x';`)).toBe(true);
    expect(isSettled(`const a = "x";`)).toBe(false);
    expect(isSettled(`const a = { 'b': 1 };`)).toBe(false);
    expect(isSettled(`const a = 1e+21;`)).toBe(false);
    expect(isSettled(`f({  });`)).toBe(false);
    expect(isSettled(`const a = 1; `)).toBe(false);
    expect(isSettled(`x`.repeat(101))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Random schemas: every kind of declaration, long and short names, docs, defaults.

const name = (prefix: string): fc.Arbitrary<string> =>
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,40}$/).map((s) => `${prefix}${s}`);

const doc = fc.option(
  fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9 .,`'"()-]{1,120}$/),
    fc.array(fc.stringMatching(/^[A-Za-z0-9 .,]{0,60}$/), { minLength: 2, maxLength: 4 }).map((l) => l.join('\n * ')),
  ),
  { nil: undefined },
);

const BASE_TYPES = ['bool', 'byte', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'uuid'];

interface Named {
  readonly structs: readonly string[];
  readonly enums: readonly string[];
}

function typeArbitrary(named: Named, depth = 0): fc.Arbitrary<string> {
  const leaf = fc.constantFrom(...BASE_TYPES, ...named.structs, ...named.enums);
  if (depth >= 2) return leaf;
  const inner = typeArbitrary(named, depth + 1);
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: inner.map((t) => `list<${t}>`) },
    { weight: 1, arbitrary: fc.constantFrom('string', 'i32', 'i64').map((t) => `set<${t}>`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('string', 'i32'), inner).map(([k, v]) => `map<${k}, ${v}>`) },
  );
}

const DEFAULTS: Record<string, fc.Arbitrary<string>> = {
  bool: fc.constantFrom('true', 'false'),
  i32: fc.integer({ min: -1000, max: 1000 }).map(String),
  i64: fc.constantFrom('0', '-1', '9007199254740993'),
  double: fc.constantFrom('1.5', '0.25', '1e30', '-2'),
  string: fc.stringMatching(/^[A-Za-z0-9 _{}]{0,30}$/).map((s) => `"${s}"`),
};

function fieldsArbitrary(named: Named, maxLength: number): fc.Arbitrary<string[]> {
  return fc
    .array(
      fc.tuple(name('f'), fc.constantFrom('required ', 'optional ', ''), typeArbitrary(named), fc.boolean(), doc),
      { maxLength },
    )
    .chain((fields) =>
      fc.tuple(
        ...fields.map(([fieldName, req, type, withDefault, fieldDoc], i) => {
          const defaultValue = withDefault && DEFAULTS[type] ? DEFAULTS[type]!.map((v) => ` = ${v}`) : fc.constant('');
          return defaultValue.map(
            (d) => `${fieldDoc ? `  /** ${fieldDoc} */\n` : ''}  ${i + 1}: ${req}${type} ${fieldName}_${i}${d},`,
          );
        }),
      ),
    );
}

function schemaArbitrary(): fc.Arbitrary<string> {
  return fc
    .record({
      enums: fc.uniqueArray(name('E'), { maxLength: 2 }),
      structs: fc.uniqueArray(name('S'), { minLength: 1, maxLength: 4 }),
      exceptions: fc.uniqueArray(name('X'), { maxLength: 2 }),
      unions: fc.uniqueArray(name('U'), { maxLength: 1 }),
      services: fc.uniqueArray(name('Svc'), { maxLength: 2 }),
    })
    .chain((names) => {
      const named: Named = { structs: names.structs, enums: names.enums };
      const structs = names.structs.map((s, i) =>
        fc
          .tuple(fieldsArbitrary({ structs: names.structs.slice(0, i), enums: names.enums }, 6), doc)
          .map(([fields, d]) => `${d ? `/** ${d} */\n` : ''}struct ${s} {\n${fields.join('\n')}\n}`),
      );
      const exceptions = names.exceptions.map((x) =>
        fieldsArbitrary({ structs: [], enums: names.enums }, 3).map(
          (fields) => `exception ${x} {\n  100: string message,\n${fields.join('\n')}\n}`,
        ),
      );
      const unions = names.unions.map((u) =>
        fieldsArbitrary(named, 3).map(
          (fields) => `union ${u} {\n${fields.map((f) => f.replace(/(required|optional) /, '').replace(/ = .*,$/, ',')).join('\n')}\n}`,
        ),
      );
      const method = fc
        .tuple(
          name('m'),
          fc.option(typeArbitrary(named), { nil: undefined }),
          fieldsArbitrary(named, 4),
          fc.subarray([...names.exceptions]),
          fc.boolean(),
          doc,
        )
        .map(([m, ret, params, throws, oneway, d]) => {
          const ps = params.map((p) => p.replace(/^ {2}/, '').replace(/^\/\*\*.*\*\/\n {2}/, '').replace(/,$/, ''));
          const isOneway = oneway && ret === undefined && throws.length === 0;
          const t = throws.length ? ` throws (${throws.map((x, i) => `${i + 1}: ${x} e${i}`).join(', ')})` : '';
          return `${d ? `  /** ${d} */\n` : ''}  ${isOneway ? 'oneway ' : ''}${ret ?? 'void'} ${m}(${ps.join(', ')})${t}`;
        });
      const services = names.services.map((s) =>
        fc.uniqueArray(method, { maxLength: 4, selector: (m) => /\s(m\w+)\(/.exec(m)![1] }).map(
          (methods) => `service ${s} {\n${methods.join(',\n')}\n}`,
        ),
      );
      const enums = names.enums.map((e) =>
        fc.uniqueArray(name('V'), { minLength: 1, maxLength: 4 }).map((vs) => `enum ${e} {\n${vs.map((v, i) => `  ${v} = ${i}`).join(',\n')}\n}`),
      );
      return fc
        .tuple(fc.tuple(...enums), fc.tuple(...exceptions), fc.tuple(...structs), fc.tuple(...unions), fc.tuple(...services))
        .map((groups) => groups.flat().join('\n\n'));
    });
}
