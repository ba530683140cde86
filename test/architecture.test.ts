import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) out.push(path);
    }
  };
  walk(join(ROOT, dir));
  return out;
}

/** Import and re-export specifiers of a file, static and dynamic. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

/** Repository-relative target of a relative specifier, or the bare specifier itself. */
function target(file: string, spec: string): string {
  return spec.startsWith('.') ? relative(ROOT, resolve(dirname(file), spec)) : spec;
}

function violations(dir: string, allowed: (targetPath: string, fromPath: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((file) =>
    importsOf(file)
      .filter((spec) => !allowed(target(file, spec), relative(ROOT, file)))
      .map((spec) => `${relative(ROOT, file)} imports '${spec}'`),
  );
}

describe('dependency rules', () => {
  it('the compiler never imports the runtime', () => {
    expect(violations('compiler', (t) => !t.startsWith('runtime') && !t.startsWith('skiff'))).toEqual([]);
  });

  // The one npm package: OpenTelemetry's API, a no-op facade meant to be a library's dependency
  // (an application's SDK plugs into it).
  const OTEL_API = '@opentelemetry/api';

  it('the runtime never imports the compiler, nor any npm package but the OpenTelemetry API', () => {
    expect(violations('runtime', (t) => t.startsWith('runtime/') || t.startsWith('node:') || t === OTEL_API)).toEqual([]);
  });

  it('generated code imports only the runtime entry and other generated modules', () => {
    expect(violations('generated', (t) => t === 'skiff/runtime' || t.startsWith('generated/'))).toEqual([]);
  });

  it('inside the runtime, protocol depends only on errors and internal helpers', () => {
    expect(
      violations('runtime/protocol', (t) => t.startsWith('runtime/protocol/') || t === 'runtime/errors.js' || t.startsWith('runtime/internal/')),
    ).toEqual([]);
  });

  it('inside the runtime, transport depends only on protocol, errors and internal helpers', () => {
    const allowed = /^runtime\/(transport\/|protocol\/|internal\/|errors\.js$)/;
    expect(violations('runtime/transport', (t) => allowed.test(t) || t.startsWith('node:'))).toEqual([]);
  });

  it('client and server sit on transport and never import each other', () => {
    const below = /^runtime\/(transport\/|protocol\/|internal\/|errors\.js$|service\.js$|codec\.js$|logger\.js$)/;
    const fromClient = (t: string): boolean => below.test(t) || t.startsWith('runtime/client/') || t.startsWith('runtime/discovery/') || t.startsWith('node:') || t === OTEL_API;
    expect(violations('runtime/client', fromClient)).toEqual([]);
    expect(violations('runtime/server', (t) => below.test(t) || t.startsWith('runtime/server/') || t.startsWith('node:') || t === OTEL_API)).toEqual([]);
  });

  it('discovery feeds the client and depends on neither client nor server', () => {
    const allowed = /^runtime\/(discovery\/|internal\/|errors\.js$|logger\.js$)/;
    expect(violations('runtime/discovery', (t) => allowed.test(t) || t.startsWith('node:'))).toEqual([]);
  });

  it('the shell commands (cli/) use only the public entries of the compiler and the runtime', () => {
    // The bin (cli/rpcgen.ts) also hands every other command line to the compiler's CLI.
    const allowed = (t: string, from: string): boolean =>
      t.startsWith('cli/') || t === 'compiler/index.js' || t === 'runtime/index.js' || t.startsWith('node:') || (from === 'cli/rpcgen.ts' && t === 'compiler/cli.js');
    expect(violations('cli', allowed)).toEqual([]);
  });

  it('nothing but tests imports the shell commands', () => {
    for (const dir of ['compiler', 'runtime', 'generated']) expect(violations(dir, (t) => !t.startsWith('cli/'))).toEqual([]);
  });

  it('the admin endpoint reads servers, client types, internal helpers, errors and the logger; only the runtime entry imports it', () => {
    const allowed = /^runtime\/(admin\/|server\/|client\/|internal\/|errors\.js$|logger\.js$)/;
    expect(violations('runtime/admin', (t) => allowed.test(t) || t.startsWith('node:'))).toEqual([]);
    const clientValueImports = sourceFiles('runtime/admin').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(import|export)\b([^'"]*?)\bfrom\s+['"](\.\.\/client\/[^'"]+)['"]/g)]
        .filter((m) => !/^\s*type\b/.test(m[2]!))
        .map((m) => `${relative(ROOT, file)} imports values from '${m[3]}'`),
    );
    expect(clientValueImports).toEqual([]);
    expect(violations('runtime', (t, from) => !t.startsWith('runtime/admin/') || from.startsWith('runtime/admin/') || from === 'runtime/index.ts')).toEqual([]);
  });

  it('compiler phases point one way: only the CLI touches the file system and the process', () => {
    const io = /^(node:fs|node:fs\/promises|node:child_process|node:process|node:util)$/;
    expect(violations('compiler', (t, from) => from === 'compiler/cli.ts' || !io.test(t))).toEqual([]);
  });
});
