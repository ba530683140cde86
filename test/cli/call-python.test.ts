/**
 * `rpcgen call` against stock Apache Thrift servers (python3-thrift 0.17, code from `thrift --gen
 * py`; test/interop/rpc/python/interop_server.py): the built bin, in the wire modes those
 * servers speak, with a multiplexed processor and THeader metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, generatePython, PythonProcess, requireThrift } from '../interop/rpc/setup.js';
import { requireBuiltCli, rpcgen } from './cli-runner.js';

const IDL = 'test/interop/rpc/interop.rpc';
type Ports = Record<string, Record<'plain' | 'mux', number>>;

let python: PythonProcess<{ id?: number; ready?: Ports }>;
let ports: Ports;

beforeAll(async () => {
  requireBuiltCli();
  requireThrift();
  python = new PythonProcess('interop_server.py', [generatePython()]);
  ports = (await python.greeting()).ready!;
});

afterAll(async () => {
  await python?.close();
  cleanup();
});

const at = (mode: string, kind: 'plain' | 'mux' = 'plain'): string => `127.0.0.1:${ports[mode]![kind]}`;

describe('rpcgen call -> Python Thrift server', () => {
  it('buffered Binary: an i64 beyond 2^53 goes and comes back exactly', async () => {
    const run = await rpcgen(['call', at('buffered-binary'), 'Interop.echoI64', '{"v": "-9223372036854775808"}', '--framing', 'buffered', '--protocol', 'binary', IDL]);
    expect(run).toEqual({ status: 0, stdout: '"-9223372036854775808"\n', stderr: '' });
  });

  it('framed Compact: a declared exception', async () => {
    const run = await rpcgen(['call', at('framed-compact'), 'Interop.fetch', '{"id": 404}', '--framing', 'framed', IDL]);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ exception: 'NotFound', field: 'notFound', value: { message: 'user 404 not found', id: 404 } });
  });

  it('framed Binary, multiplexed: Service:method reaches the right service', async () => {
    const run = await rpcgen(['call', at('framed-binary', 'mux'), 'Other.add', '{"a": 2, "b": 40}', '--multiplexed', '--framing', 'framed', '--protocol', 'binary', IDL]);
    expect(run).toEqual({ status: 0, stdout: '42\n', stderr: '' });
  });

  it('THeader: -H metadata reaches the handler; an undeclared failure is an error status', async () => {
    const header = await rpcgen(['call', at('header'), 'Interop.header', '{"key": "x-trace"}', '-H', 'x-trace=abc123', IDL]);
    expect(header).toEqual({ status: 0, stdout: '"abc123"\n', stderr: '' });
    const crash = await rpcgen(['call', at('header'), 'Interop.check', '{"kind": "crash"}', IDL]);
    expect(crash.status).toBe(1);
    expect(crash.stdout).toBe('');
    expect(crash.stderr).toMatch(/^rpcgen call: [A-Z_]+: .+\n$/);
  });
});
