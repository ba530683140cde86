import { describe, expect, it } from 'vitest';
import type { Document, Include } from '../../compiler/ast.js';
import { formatDiagnosticLine } from '../../compiler/diagnostics.js';
import { loadFiles, type CompilerHost } from '../../compiler/load.js';
import { span, type SourceFile } from '../../compiler/source.js';

/** A parser stand-in that only understands `include "x"` lines, so these tests exercise loading alone. */
function parseIncludes(source: SourceFile): { document: Document; diagnostics: [] } {
  const headers: Include[] = [];
  for (const m of source.text.matchAll(/include "([^"]*)"/g)) {
    const start = m.index;
    const pathStart = start + 'include "'.length;
    headers.push({
      kind: 'include',
      path: m[1] ?? '',
      span: span(source.path, start, start + m[0].length),
      pathSpan: span(source.path, pathStart - 1, pathStart + (m[1]?.length ?? 0) + 1),
    });
  }
  return { document: { path: source.path, headers, definitions: [] }, diagnostics: [] };
}

function memoryHost(files: Record<string, string>): CompilerHost {
  return { readFile: (path) => files[path] };
}

function load(inputs: string[], files: Record<string, string>, extra: { includeDirs?: string[]; rootDirs?: string[] } = {}) {
  const result = loadFiles(inputs, { host: memoryHost(files), parse: parseIncludes, ...extra });
  return {
    order: result.files.map((f) => f.source.path),
    modules: Object.fromEntries(result.files.map((f) => [f.source.path, f.modulePath])),
    includes: Object.fromEntries(result.files.map((f) => [f.source.path, f.includes.map((i) => i.path)])),
    lines: result.diagnostics.map((d) => formatDiagnosticLine(d, result.sources)),
  };
}

describe('loadFiles', () => {
  it('orders includes before includers and reads each file once', () => {
    const r = load(['idl/app.rpc'], {
      'idl/app.rpc': 'include "a.rpc"\ninclude "b.rpc"\n',
      'idl/a.rpc': 'include "common.rpc"\n',
      'idl/b.rpc': 'include "common.rpc"\n',
      'idl/common.rpc': '',
    });
    expect(r.order).toEqual(['idl/common.rpc', 'idl/a.rpc', 'idl/b.rpc', 'idl/app.rpc']);
    expect(r.includes['idl/app.rpc']).toEqual(['idl/a.rpc', 'idl/b.rpc']);
    expect(r.lines).toEqual([]);
  });

  it("searches the including file's directory first, then -I directories in order", () => {
    const r = load(
      ['src/app.rpc'],
      {
        'src/app.rpc': 'include "shared.rpc"\ninclude "only-in-second.rpc"\n',
        'src/shared.rpc': '',
        'first/shared.rpc': '',
        'second/only-in-second.rpc': '',
      },
      { includeDirs: ['first', 'second'] },
    );
    expect(r.includes['src/app.rpc']).toEqual(['src/shared.rpc', 'second/only-in-second.rpc']);
  });

  it('resolves relative includes with .. and normalises paths', () => {
    const r = load(['./idl/shop/order.rpc'], {
      'idl/shop/order.rpc': 'include "../common/types.rpc"\n',
      'idl/common/types.rpc': '',
    }, { rootDirs: ['idl'] });
    expect(r.order).toEqual(['idl/common/types.rpc', 'idl/shop/order.rpc']);
    expect(r.modules).toEqual({ 'idl/common/types.rpc': 'common/types', 'idl/shop/order.rpc': 'shop/order' });
  });

  it('maps files found through -I relative to that directory', () => {
    const r = load(['app/main.thrift'], { 'app/main.thrift': 'include "base/x.thrift"\n', 'vendor/base/x.thrift': '' }, {
      includeDirs: ['vendor'],
    });
    expect(r.modules).toEqual({ 'vendor/base/x.thrift': 'base/x', 'app/main.thrift': 'main' });
  });

  it('reports a missing include with the directories searched', () => {
    const r = load(['a.rpc'], { 'a.rpc': '\ninclude "nope.rpc"\n' }, { includeDirs: ['inc'] });
    expect(r.lines).toEqual([
      "a.rpc:2:9: error RPC2010: cannot find included file 'nope.rpc' (searched '.', 'inc'; add a directory with -I)",
    ]);
  });

  it('reports an include cycle once, with the chain, and still loads every file', () => {
    const r = load(['a.rpc'], { 'a.rpc': 'include "b.rpc"\n', 'b.rpc': 'include "c.rpc"\n', 'c.rpc': 'include "a.rpc"\n' });
    expect(r.lines).toEqual(['c.rpc:1:9: error RPC2009: include cycle: a.rpc -> b.rpc -> c.rpc -> a.rpc']);
    expect(r.order).toEqual(['c.rpc', 'b.rpc', 'a.rpc']);
  });

  it('reports a file that includes itself', () => {
    const r = load(['self.rpc'], { 'self.rpc': 'include "self.rpc"\n' });
    expect(r.lines).toEqual(['self.rpc:1:9: error RPC2009: include cycle: self.rpc -> self.rpc']);
  });

  it('reports an unreadable input without a location', () => {
    const r = load(['missing.rpc'], {});
    expect(r.lines).toEqual(["rpcgen: error RPC3001: cannot read 'missing.rpc'"]);
  });
});
