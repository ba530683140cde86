/**
 * How `rpcgen call` fails: usage errors (exit 2, one line, nothing sent), IDL errors (exit 1, the
 * compiler's diagnostics), and calls that fail on the way (exit 1, the error's code). Run
 * in-process through `runCall` (the same code the bin runs) against sockets on 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCall } from '../../cli/call-command.js';
import { recordingIo } from './cli-runner.js';
import { IDL } from './schema-fixture.js';

const SINK_IDL = `${IDL}/kitchen_sink.rpc`;
const USER_IDL = `${IDL}/account/user_service.rpc`;

/** A TCP server that accepts connections and never answers. */
let silent: TcpServer;
const silentSockets = new Set<Socket>();
let silentAddress: string;
let closedAddress: string;
let tempDir: string;

beforeAll(async () => {
  silent = createTcpServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentAddress = `127.0.0.1:${(silent.address() as { port: number }).port}`;
  // A port that was just free: nothing listens there (loopback, so nothing else takes it meanwhile in practice).
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedAddress = `127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  tempDir = mkdtempSync(join(tmpdir(), 'rpcgen-call-'));
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  rmSync(tempDir, { recursive: true, force: true });
});

async function call(argv: readonly string[], stdin = ''): Promise<{ status: number; stdout: string; stderr: string }> {
  const io = recordingIo(stdin);
  const status = await runCall(argv, io);
  return { status, stdout: io.out, stderr: io.err };
}

describe('usage errors: exit 2, one line on stderr', () => {
  it.each<[string, string[], string]>([
    ['nothing given', [], 'expected HOST:PORT and Service.method (see rpcgen call --help)'],
    ['no IDL file', ['ADDRESS', 'Base.echo', '{}'], 'no IDL file given (see rpcgen call --help)'],
    ['an unknown option', ['ADDRESS', 'Base.echo', '--bogus', SINK_IDL], "Unknown option '--bogus' (see rpcgen call --help)"],
    ['a malformed address', ['localhost', 'Base.echo', SINK_IDL], "'localhost' is not HOST:PORT"],
    ['port 0', ['127.0.0.1:0', 'Base.echo', SINK_IDL], "'127.0.0.1:0': port 0 cannot be called"],
    ['an unknown framing', ['ADDRESS', 'Base.echo', '--framing', 'http', SINK_IDL], "--framing must be header, framed or buffered, not 'http'"],
    ['an unknown protocol', ['ADDRESS', 'Base.echo', '--protocol', 'json', SINK_IDL], "--protocol must be compact or binary, not 'json'"],
    ['a zero timeout', ['ADDRESS', 'Base.echo', '--timeout-ms', '0', SINK_IDL], "--timeout-ms must be a whole number of milliseconds, at least 1, not '0'"],
    ['metadata without THeader', ['ADDRESS', 'Base.echo', '-H', 'a=b', '--framing', 'framed', SINK_IDL], '-H needs --framing header: framed transports carry no metadata'],
    ['malformed metadata', ['ADDRESS', 'Base.echo', '-H', '=b', SINK_IDL], "-H '=b' is not KEY=VALUE"],
    ['a missing IDL file', ['ADDRESS', 'Base.echo', 'missing.rpc'], "IDL file 'missing.rpc' does not exist"],
    ['a missing include directory', ['ADDRESS', 'Base.echo', '-I', 'nowhere', SINK_IDL], "include directory 'nowhere' does not exist"],
    ['a name without a method', ['ADDRESS', 'KitchenSink', SINK_IDL], "'KitchenSink' is not Service.method"],
    ['an unknown service', ['ADDRESS', 'KitchenSnk.echo', SINK_IDL], "unknown service 'KitchenSnk' (did you mean 'KitchenSink'?); services: Base, KitchenSink"],
    ['an unknown method', ['ADDRESS', 'UserService.getUsr', '{}', USER_IDL], "service UserService has no method 'getUsr' (did you mean 'getUser'?); its methods: ping, health, getUser, createUser, updateUser, listUsers, deleteUser, recordLogin"],
    ['bad JSON', ['ADDRESS', 'Base.echo', '{"text": "a" "b"}', SINK_IDL], "bad JSON arguments: expected ',' or '}' after an object member, found '\"' at 1:14"],
    ['arguments that are not an object', ['ADDRESS', 'Base.echo', '["a"]', SINK_IDL], 'args: expected Base.echo (an object), got array'],
    ['a missing parameter', ['ADDRESS', 'Base.echo', SINK_IDL], "args: missing required parameter 'text' (string) of Base.echo"],
    ['a mistyped parameter', ['ADDRESS', 'UserService.getUser', '{"id": "one"}', USER_IDL], 'args.id: expected i64 (a number or a string of digits), got "one"'],
    ['a misspelled field', ['ADDRESS', 'UserService.createUser', '{"request": {"emial": "a@b"}}', USER_IDL], "args.request: CreateUserRequest has no field 'emial' (did you mean 'email'?); its fields: email, displayName, role, idempotencyKey"],
    ['a missing required field', ['ADDRESS', 'UserService.createUser', '{"request": {}}', USER_IDL], "args.request: missing required field 'email' (string) of CreateUserRequest"],
    ['an unknown enum member', ['ADDRESS', 'UserService.createUser', '{"request": {"email": "a@b", "role": "ADMN"}}', USER_IDL], "args.request.role: 'ADMN' is not a member of Role (did you mean 'ADMIN'?); its members: VIEWER, EDITOR, ADMIN"],
  ])('%s', async (_, argv, message) => {
    // The table is built before the sockets exist: ADDRESS stands for a port nothing listens on.
    const run = await call(argv.map((a) => (a === 'ADDRESS' ? closedAddress : a)));
    expect(run).toEqual({ status: 2, stdout: '', stderr: `rpcgen call: ${message}\n` });
  });

  it('bad JSON on stdin says so', async () => {
    expect(await call([closedAddress, 'Base.echo', '-', SINK_IDL], '{\n  "text": tru\n}')).toEqual({
      status: 2,
      stdout: '',
      stderr: "rpcgen call: bad JSON arguments on stdin: expected a JSON value, found 't' at 2:11\n",
    });
  });

  it('a service name two files declare must be qualified', async () => {
    writeFileSync(join(tempDir, 'a.rpc'), 'include "b.rpc"\nservice Echo { string echo(1: string text) }\n');
    writeFileSync(join(tempDir, 'b.rpc'), 'service Echo { string echo(1: string text) }\n');
    expect(await call([closedAddress, 'Echo.echo', '{"text": "x"}', join(tempDir, 'a.rpc')])).toEqual({
      status: 2,
      stdout: '',
      stderr: "rpcgen call: service name 'Echo' is ambiguous: write one of b.Echo, a.Echo\n",
    });
  });

  it('--help prints the usage with exit 0', async () => {
    const run = await call(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: rpcgen call HOST:PORT Service.method ['<json args>'] [options] FILE.rpc...");
  });
});

describe('IDL errors: exit 1, the compiler diagnostics', () => {
  it('prints each error as the compiler does', async () => {
    const broken = join(tempDir, 'broken.rpc');
    writeFileSync(broken, 'service S {\n  Missing get()\n}\n');
    const run = await call([closedAddress, 'S.get', broken]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^.*broken\.rpc:2:3: error RPC2\d{3}: .*'Missing'/);
    expect(run.stderr).toMatch(/\n1 error\n$/);
  });
});

describe('failed calls: exit 1, the error code', () => {
  it('connection refused', async () => {
    expect(await call([closedAddress, 'Base.echo', '{"text": "x"}', SINK_IDL])).toEqual({
      status: 1,
      stdout: '',
      stderr: `rpcgen call: UNAVAILABLE: cannot connect to ${closedAddress}: connection refused\n`,
    });
  });

  it('--timeout-ms, else the method timeout.ms, bounds the wait for a server that never answers', async () => {
    // The runtime reports what was left of the deadline once connected (at most the deadline).
    const echo = await call([silentAddress, 'Base.echo', '{"text": "x"}', '--timeout-ms', '200', SINK_IDL]);
    expect(echo.status).toBe(1);
    expect(echo.stdout).toBe('');
    expect(echo.stderr).toMatch(/^rpcgen call: DEADLINE_EXCEEDED: echo did not complete within ([1-9]\d?|1\d\d|200) ms\n$/);
    const everything = '{"aBool": true, "anI64": 1, "aBinary": "", "shapes": [], "index": {}, "color": "RED", "price": {"amountMinor": 1, "currency": "EUR"}, "id": "00000000-0000-0000-0000-000000000000"}';
    const declared = await call([silentAddress, 'KitchenSink.everything', everything, '--framing', 'buffered', SINK_IDL]);
    expect(declared.status).toBe(1);
    expect(declared.stderr).toMatch(/^rpcgen call: DEADLINE_EXCEEDED: everything did not complete within ([1-9]\d?|1\d\d|2[0-4]\d|250) ms\n$/);
  });
});
