/**
 * Fuzzes the whole front end (lexer, parser, loader, checker, emitter) with random and mutated IDL:
 * whatever the input, compile() must resolve with diagnostics from the catalogue, never throw.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CATALOGUE, compile, renderDiagnostic } from '../../compiler/index.js';

const EXAMPLES = resolve(import.meta.dirname, '../../idl-examples');

function exampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(rpc|thrift)$/.test(entry.name)) files[relative(EXAMPLES, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(EXAMPLES);
  return files;
}

const TOKENS = [
  'struct', 'union', 'exception', 'service', 'enum', 'typedef', 'const', 'include', 'namespace', 'extends',
  'throws', 'oneway', 'void', 'required', 'optional', 'list', 'set', 'map', 'i32', 'i64', 'string', 'binary',
  'bool', 'double', 'uuid', 'byte', 'true', 'false', 'Foo', 'Bar', 'x', 'a.b', '1', '-1', '0x7fffffff', '1.5e3',
  '99999999999999999999', '"s"', "'t'", '"unterminated', '{', '}', '(', ')', '<', '>', '[', ']', ',', ';', ':', '=',
  '*', '/**doc*/', '/*', '//c\n', '#c\n', '\n', ' ', '\t', '@', '\u00e9', '\\',
];

async function assertOnlyDiagnostics(files: Record<string, string>, inputs: string[]): Promise<void> {
  const result = await compile(inputs, { host: { readFile: (p) => files[p] } });
  for (const d of result.diagnostics) {
    expect(DIAGNOSTIC_CATALOGUE).toHaveProperty(d.code);
    expect(typeof renderDiagnostic(d, result.sources)).toBe('string');
  }
  if (result.diagnostics.some((d) => d.severity === 'error')) expect(result.files).toEqual([]);
}

describe('front-end fuzzing', () => {
  it('random token soup yields diagnostics, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }), async (tokens) => {
        await assertOnlyDiagnostics({ 'f.rpc': tokens.join(' ') }, ['f.rpc']);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary unicode text yields diagnostics, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 400 }), async (text) => {
        await assertOnlyDiagnostics({ 'f.rpc': text }, ['f.rpc']);
      }),
      { numRuns: 200 },
    );
  });

  it('mutated example files yield diagnostics, never an exception', async () => {
    const files = exampleFiles();
    const names = Object.keys(files).sort();
    expect(names.length).toBeGreaterThan(0);
    const mutation = fc.record({
      file: fc.constantFrom(...names),
      edits: fc.array(
        fc.record({
          at: fc.nat(),
          deleteCount: fc.nat({ max: 20 }),
          insert: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 5 })),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ file, edits }) => {
        let text = files[file]!;
        for (const edit of edits) {
          const at = edit.at % (text.length + 1);
          text = text.slice(0, at) + edit.insert + text.slice(at + edit.deleteCount);
        }
        await assertOnlyDiagnostics({ ...files, [file]: text }, [file]);
      }),
      { numRuns: 300 },
    );
  });
});
