/**
 * The npm `thrift` library (0.24, a devDependency) calling a skiff server, with client code from
 * Debian's `thrift --gen js:node` (0.17), over framed Binary and framed Compact. Unlike
 * Python's client, this one keeps many calls in flight on one connection, numbering them 1, 2, 3,
 * ... and routing each reply by its seqid and method name (`recv_<name>`), so wrong seqids or
 * names would fail its calls.
 *
 * The generated code is CommonJS and untyped: `NodeClient` below is all we assume about it. It
 * uses `thrift.Q` for promises, which thrift 0.24 no longer exports, so calls use callbacks.
 *
 * Not covered: THeader. The library's THeaderProtocol writes its headers only in
 * `THeaderProtocol.flush()`, which generated clients never call (they flush the transport), so
 * with `createConnection` it sends plain unframed Binary (checked by hand: `80 01 00 01 ...`).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'skiff/runtime';
import { startInteropServer, type Observed } from './handlers.js';
import { ASTRAL } from './samples.js';
import { cleanup, generateNodeThrift, loadInterop, requireThrift } from './setup.js';

const require = createRequire(import.meta.url);

type Callback = (error: unknown, result?: unknown) => void;
/** A generated client: every method takes its arguments, then a callback. */
type NodeClient = Record<string, (...args: unknown[]) => void>;
type Constructor = new (init?: Record<string, unknown>) => Record<string, unknown>;

interface Int64 {
  toOctetString(): string;
  toNumber(allowImprecise?: boolean): number;
}

interface NodeThrift {
  createConnection(host: string, port: number, options: Record<string, unknown>): NodeConnection;
  createClient(service: unknown, connection: NodeConnection): NodeClient;
  Multiplexer: new () => { createClient(name: string, service: unknown, connection: NodeConnection): NodeClient };
  TFramedTransport: unknown;
  TBufferedTransport: unknown;
  TBinaryProtocol: unknown;
  TCompactProtocol: unknown;
  THeaderProtocol: unknown;
  Int64: new (value: string | number) => Int64;
  Thrift: { TApplicationException: new () => Error & { type: number }; TApplicationExceptionType: Record<string, number> };
}

interface NodeConnection {
  on(event: 'error' | 'connect' | 'close', listener: (error?: unknown) => void): void;
  end(): void;
  connected: boolean;
}

let thrift: NodeThrift;
let services: { Interop: unknown; Other: unknown; Profiles: unknown; ProfilesV2: unknown };
let types: Record<string, Constructor>;
let typesV2: Record<string, Constructor>;
let server: Server;
let port: number;
let observed: Observed;

beforeAll(async () => {
  requireThrift();
  const dirs = generateNodeThrift();
  const m = await loadInterop();
  ({ server, port, observed } = await startInteropServer(m));
  // Loaded through the same resolution as the generated code's own require('thrift').
  thrift = require(require.resolve('thrift', { paths: [dirs.interop] })) as NodeThrift;
  services = {
    Interop: require(join(dirs.interop, 'Interop.js')),
    Other: require(join(dirs.interop, 'Other.js')),
    Profiles: require(join(dirs.interop, 'Profiles.js')),
    ProfilesV2: require(join(dirs.v2, 'Profiles.js')),
  };
  types = require(join(dirs.interop, 'interop_types.js')) as Record<string, Constructor>;
  typesV2 = require(join(dirs.v2, 'interop_v2_types.js')) as Record<string, Constructor>;
});

afterAll(async () => {
  await server?.close({ graceMs: 1000 });
  cleanup();
});

const MODES = ['framed-binary', 'framed-compact'] as const;
type Mode = (typeof MODES)[number] | 'buffered-binary';

const connections: NodeConnection[] = [];
/** Errors the connection emitted (a reply it could not route, a socket error). */
let connectionErrors: unknown[] = [];

afterEach(() => {
  for (const connection of connections.splice(0)) connection.end();
  const errors = connectionErrors;
  connectionErrors = [];
  expect(errors).toEqual([]);
});

function connect(mode: Mode): NodeConnection {
  const options =
    mode === 'framed-binary'
      ? { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol }
      : mode === 'framed-compact'
        ? { transport: thrift.TFramedTransport, protocol: thrift.TCompactProtocol }
        : // The library's default: unframed.
          { transport: thrift.TBufferedTransport, protocol: thrift.TBinaryProtocol };
  const connection = thrift.createConnection('127.0.0.1', port, { ...options, connect_timeout: 5000 });
  // Without a listener an 'error' event would throw; the afterEach hook fails the test instead.
  connection.on('error', (error) => connectionErrors.push(error));
  connections.push(connection);
  return connection;
}

/** Calls `method` with a callback; rejects on the callback's error, an emitted error, or after 10 s. */
function call(client: NodeClient, method: string, ...args: unknown[]): Promise<unknown> {
  const fn = client[method];
  if (fn === undefined) throw new Error(`the generated client has no ${method}`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${method}: no reply within 10 s (errors: ${String(connectionErrors)})`)), 10_000);
    const done: Callback = (error, result) => {
      clearTimeout(timer);
      if (error !== null && error !== undefined) reject(error);
      else resolve(result);
    };
    fn.call(client, ...args, done);
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

const i64 = (hex: string) => new thrift.Int64(hex);
const hexOf = (value: unknown) => (value as Int64).toOctetString();

describe.each(MODES)('npm thrift client over %s -> skiff server', (mode) => {
  let interop: NodeClient;

  const open = () => {
    interop = thrift.createClient(services.Interop, connect(mode));
    return interop;
  };

  it('Base: a void method and a string method', async () => {
    open();
    expect(await call(interop, 'ping')).toBeUndefined();
    expect(await call(interop, 'name')).toBe('interop');
  });

  it('base types, enum, typedef (echo)', async () => {
    open();
    for (const v of [true, false]) expect(await call(interop, 'echoBool', v)).toBe(v);
    for (const v of [-128, 127]) expect(await call(interop, 'echoByte', v)).toBe(v);
    for (const v of [-32768, 32767]) expect(await call(interop, 'echoI16', v)).toBe(v);
    for (const v of [-(2 ** 31), 2 ** 31 - 1]) expect(await call(interop, 'echoI32', v)).toBe(v);
    for (const hex of ['8000000000000000', '7fffffffffffffff', 'ffffffffffffffff', '0020000000000001']) {
      expect(hexOf(await call(interop, 'echoI64', i64(hex)))).toBe(hex);
      expect(hexOf(await call(interop, 'echoTypedef', i64(hex)))).toBe(hex);
    }
    for (const v of [0.1, -1.5e-300, Infinity, -Infinity]) expect(await call(interop, 'echoDouble', v)).toBe(v);
    for (const v of ['', ASTRAL]) expect(await call(interop, 'echoString', v)).toBe(v);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(Buffer.compare((await call(interop, 'echoBinary', bytes)) as Buffer, bytes)).toBe(0);
    for (const v of [1, 2, 7, -3]) expect(await call(interop, 'echoEnum', v)).toBe(v);
  });

  it('containers (sets as arrays, maps as objects in this library)', async () => {
    open();
    expect(await call(interop, 'echoList', [1, -1, 2 ** 31 - 1])).toEqual([1, -1, 2 ** 31 - 1]);
    expect(await call(interop, 'echoSet', ['a', ASTRAL])).toEqual(['a', ASTRAL]);
    const map = (await call(interop, 'echoMap', { a: i64('0000000000000001'), min: i64('8000000000000000') })) as Record<string, unknown>;
    expect(Object.fromEntries(Object.entries(map).map(([k, v]) => [k, hexOf(v)]))).toEqual({
      a: '0000000000000001',
      min: '8000000000000000',
    });
    expect(await call(interop, 'echoNested', [{ k: [1, 2] }, {}])).toEqual([{ k: [1, 2] }, {}]);
  });

  it('structs with defaults and a union; the server checks the samples', async () => {
    open();
    const Everything = types['Everything']!;
    const Primitives = types['Primitives']!;
    const Shape = types['Shape']!;
    const Point = types['Point']!;
    const primitives = { aBool: true, aByte: -128, anI16: -32768, anI32: 2 ** 31 - 1, aDouble: -1.5e-300, aString: ASTRAL };
    const echoed = (await call(interop, 'echoPrimitives', new Primitives({ ...primitives, anI64: i64('8000000000000000') }))) as Record<
      string,
      unknown
    >;
    expect({ ...echoed, anI64: hexOf(echoed['anI64']) }).toEqual({ ...primitives, anI64: '8000000000000000', aBinary: null });
    const shape = (await call(interop, 'echoUnion', new Shape({ polygon: [new Point({ x: 1, y: 2 })] }))) as Record<string, unknown>;
    expect(shape['polygon']).toEqual([new Point({ x: 1, y: 2 })]);
    // The server compares what arrives with its own `minimal` sample: Thrift's JS defaults
    // (greeting, count, color, ratios, big = 2^53 + 1) must equal ours.
    const minimal = (await call(interop, 'roundTrip', 'minimal', new Everything({ id: i64('0000000000000001') }))) as Record<
      string,
      unknown
    >;
    expect([minimal['greeting'], minimal['count'], minimal['color'], minimal['ratios'], hexOf(minimal['big'])]).toEqual([
      'hello',
      42,
      2,
      [1.5, -2.25],
      '0020000000000001',
    ]);
    const mismatch = await rejection(call(interop, 'roundTrip', 'full', new Everything({ id: i64('0000000000000001') })));
    expect(mismatch).toBeInstanceOf(types['Mismatch']!);
  });

  it('declared exceptions as their generated classes; undeclared as TApplicationException', async () => {
    open();
    const notFound = (await rejection(call(interop, 'fetch', i64('0000000000000194')))) as Record<string, unknown>;
    expect(notFound).toBeInstanceOf(types['NotFound']!);
    expect([notFound['message'], hexOf(notFound['id'])]).toEqual(['user 404 not found', '0000000000000194']);
    const invalid = (await rejection(call(interop, 'check', 'invalid'))) as Record<string, unknown>;
    expect(invalid).toBeInstanceOf(types['Invalid']!);
    expect([invalid['message'], invalid['code'], invalid['problems']]).toEqual(['bad', 22, ['p1', 'p2']]);
    const crash = (await rejection(call(interop, 'check', 'crash'))) as Error & { type: number };
    expect(crash).toBeInstanceOf(thrift.Thrift.TApplicationException);
    expect(crash.type).toBe(thrift.Thrift.TApplicationExceptionType['INTERNAL_ERROR']);
    expect(await call(interop, 'name')).toBe('interop');
  });

  it('oneway calls reach the handler', async () => {
    open();
    await call(interop, 'record', `npm-${mode}`);
    expect(await call(interop, 'recorded')).toEqual([`npm-${mode}`]);
    expect(observed.events.at(-1)).toBe(`npm-${mode}`);
  });

  it('many calls in flight on one connection, matched by seqid', async () => {
    open();
    const values = Array.from({ length: 100 }, (_, i) => i * 3 - 150);
    expect(await Promise.all(values.map((v) => call(interop, 'echoI32', v)))).toEqual(values);
  });

  it('multiplexed clients (thrift.Multiplexer) on one connection', async () => {
    const connection = connect(mode);
    const multiplexer = new thrift.Multiplexer();
    const muxInterop = multiplexer.createClient('Interop', services.Interop, connection);
    const other = multiplexer.createClient('Other', services.Other, connection);
    const profiles = multiplexer.createClient('Profiles', services.Profiles, connection);
    // In parallel: the library routes each reply by seqid to the client that sent it, then by the
    // reply's method name to `recv_<name>`, which must be the plain name.
    const results = await Promise.all([
      call(muxInterop, 'name'),
      call(other, 'name'),
      call(other, 'add', 2, 40),
      call(muxInterop, 'echoI32', 7),
      call(profiles, 'update', new types['Profile']!({ id: i64('0000000000000005'), name: 'mux' })),
    ]);
    expect(results.slice(0, 4)).toEqual(['interop', 'other', 42, 7]);
    expect((results[4] as Record<string, unknown>)['name']).toBe('mux!');
  });

  it('an unknown method gets TApplicationException UNKNOWN_METHOD', async () => {
    const newer = thrift.createClient(services.ProfilesV2, connect(mode));
    const error = (await rejection(call(newer, 'newMethod', 1))) as Error & { type: number };
    expect(error).toBeInstanceOf(thrift.Thrift.TApplicationException);
    expect(error.type).toBe(thrift.Thrift.TApplicationExceptionType['UNKNOWN_METHOD']);
  });

  it('a newer client (interop_v2.rpc): fields we do not know are skipped', async () => {
    const newer = thrift.createClient(services.ProfilesV2, connect(mode));
    const before = observed.profiles.length;
    const sent = new typesV2['Profile']!({
      id: i64('000000000000000c'),
      name: 'npm',
      email: 'n@example.com',
      level: 3,
      tags: ['t'],
      home: new typesV2['Point']!({ x: 1, y: 2 }),
      places: { p: [new typesV2['Point']!({ x: 3, y: 4 })] },
      avatar: Buffer.from('avatar'),
    });
    const reply = (await call(newer, 'update', sent)) as Record<string, unknown>;
    expect([reply['name'], reply['email'], reply['level'], reply['tags'], reply['home']]).toEqual(['npm!', 'n@example.com', 3, null, null]);
    expect(observed.profiles.slice(before)).toEqual([{ id: 12n, name: 'npm', email: 'n@example.com', level: 3 }]);
  });
});

describe('buffered transport', () => {
  // The library's default transport: TBufferedTransport, unframed Binary messages.
  it("the library's default transport (TBufferedTransport: unframed Binary)", async () => {
    const connection = connect('buffered-binary');
    const client = thrift.createClient(services.Interop, connection);
    const closed = new Promise((_, reject) => connection.on('close', () => reject(new Error('the server closed the connection'))));
    try {
      expect(await Promise.race([call(client, 'name'), closed])).toBe('interop');
    } finally {
      connectionErrors = [];
    }
  });
});
