/** The `rpcgen` bin (package.json `bin`): `call` and `list` go to cli/, everything else to the compiler as before. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, ROOT, rpcgen, type Run } from './cli-runner.js';

/** dist/compiler/cli.js run directly, as before the bin moved. */
function compilerCli(args: readonly string[]): Run {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'dist/compiler/cli.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(requireBuiltCli);

describe('rpcgen bin', () => {
  it('is what package.json names', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['rpcgen']).toBe('./dist/cli/rpcgen.js');
  });

  it('compiles through the compiler CLI exactly as before: --check over idl-examples against generated/', async () => {
    const run = await rpcgen(['--check', '-o', 'generated', 'idl-examples']);
    // Up to date, or (while someone edits idl-examples/) a diff: either way the compiler ran.
    expect(run.stdout).toMatch(/^rpcgen: (\d+ generated files up to date|error RPC3003)/);
    // Byte for byte what the compiler's own entry point prints, warnings and exit status included.
    expect(await compilerCli(['--check', '-o', 'generated', 'idl-examples'])).toEqual(run);
  });

  it('--version, and --help listing the compiler options and the other commands', async () => {
    const version = await rpcgen(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^rpcgen \d+\.\d+\.\d+\n$/);
    const help = await rpcgen(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: rpcgen [options] <file|dir>...');
    expect(help.stdout).toContain('  rpcgen call HOST:PORT Service.method');
    expect(help.stdout).toContain('  rpcgen list [-I DIR]... FILE.rpc...');
  });

  it('with no arguments, exits 2 naming the commands on stderr', async () => {
    const run = await rpcgen([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('rpcgen: no input files');
    expect(run.stderr).toContain('  rpcgen call HOST:PORT');
  });

  it('runs list and call', async () => {
    const list = await rpcgen(['list', 'idl-examples/kitchen_sink.rpc']);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('service KitchenSink extends Base {\n');
    const help = await rpcgen(['call', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: rpcgen call HOST:PORT/);
  });
});
