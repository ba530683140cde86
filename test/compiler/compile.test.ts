/** compile() as a library: the diagnostics it reports about its inputs as a whole. */
import { describe, expect, it } from 'vitest';
import { compile, formatDiagnosticLine } from '../../compiler/index.js';

async function lines(inputs: string[], files: Record<string, string>, rootDirs?: string[]): Promise<string[]> {
  const result = await compile(inputs, { host: { readFile: (p) => files[p] }, ...(rootDirs ? { rootDirs } : {}) });
  return result.diagnostics.map((d) => formatDiagnosticLine(d, result.sources));
}

describe('compile', () => {
  it('reports RPC3004 when given no inputs', async () => {
    expect(await lines([], {})).toEqual(['rpcgen: error RPC3004: no input files']);
  });

  it('reports RPC3005 when two inputs would be generated as the same module', async () => {
    const files = { 'a/x.rpc': 'struct A { 1: i32 a }\n', 'b/x.thrift': 'struct B { 1: i32 b }\n' };
    expect(await lines(['a/x.rpc', 'b/x.thrift'], files)).toEqual([
      "rpcgen: error RPC3005: 'b/x.thrift' and 'a/x.rpc' would both be generated as 'x.ts'; compile them separately or pass their common parent directory",
    ]);
    expect(await lines(['a/x.rpc', 'b/x.thrift'], files, ['.'])).toEqual([]);
  });

  it('returns no files when there is any error, and files with only warnings', async () => {
    const bad = await compile(['a.rpc'], { host: { readFile: () => 'struct A { 1: Nope a }' } });
    expect(bad.files).toEqual([]);
    const warned = await compile(['a.rpc'], { host: { readFile: () => 'struct A { i32 a }' } });
    expect(warned.diagnostics.map((d) => d.code)).toEqual(['RPC2019']);
    expect(warned.files.map((f) => f.path)).toEqual(['a.ts']);
  });
});
