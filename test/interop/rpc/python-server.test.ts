/**
 * Our generated client calling stock Python Thrift servers (python3-thrift 0.17 `TThreadedServer`,
 * code from Debian's `thrift --gen py`), in each wire mode a skiff channel offers: framed Binary,
 * framed Compact, and THeader with either subprotocol (python/interop_server.py starts one server
 * per wire mode and service set). The Python handlers check what arrived against Python's own
 * copy of the samples (roundTrip); we check what came back against ours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, multiplexed, RpcError, type ClientChannel, type Framing, type WireProtocol } from 'skiff/runtime';
import type { InteropClient, InteropModule } from './interop-api.js';
import {
  ALL_BYTES,
  ASTRAL,
  CONTAINERS,
  describeArgs,
  difference,
  everythingSamples,
  I32_MAX,
  I32_MIN,
  I64_MAX,
  I64_MIN,
  PRIMITIVES,
  SHAPES,
} from './samples.js';
import { cleanup, generatePython, loadInterop, PythonProcess, requireThrift } from './setup.js';

type ServerKind = 'plain' | 'mux' | 'v1' | 'v2';
type Ports = Record<string, Record<ServerKind, number>>;

let m: InteropModule;
let python: PythonProcess<{ id?: number; ready?: Ports }>;
let ports: Ports;
const channels: ClientChannel[] = [];

beforeAll(async () => {
  requireThrift();
  const pythonDir = generatePython();
  m = await loadInterop();
  python = new PythonProcess('interop_server.py', [pythonDir]);
  ports = (await python.greeting()).ready!;
});

afterAll(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
  await python?.close();
  cleanup();
});

function channelTo(port: number, framing: Framing, protocol: WireProtocol): ClientChannel {
  // One connection: calls to a stock server share it, pipelined (the server answers in order).
  const channel = createChannel({ host: '127.0.0.1', port, framing, protocol, connections: 1, defaultTimeoutMs: 10_000 });
  channels.push(channel);
  return channel;
}

/** Asserts `actual` is `expected` in value and type (i64 as bigint, exact doubles, no extra fields). */
function same(actual: unknown, expected: unknown): void {
  expect(difference(actual, expected)).toBeUndefined();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

const MODES = [
  { label: 'framed Binary', framing: 'framed', protocol: 'binary', server: 'framed-binary' },
  { label: 'framed Compact', framing: 'framed', protocol: 'compact', server: 'framed-compact' },
  { label: 'THeader Binary', framing: 'header', protocol: 'binary', server: 'header' },
  { label: 'THeader Compact', framing: 'header', protocol: 'compact', server: 'header' },
  { label: 'buffered Binary', framing: 'buffered', protocol: 'binary', server: 'buffered-binary' },
  { label: 'buffered Compact', framing: 'buffered', protocol: 'compact', server: 'buffered-compact' },
] as const;

describe.each(MODES)('skiff client ($label) -> Python server', ({ framing, protocol, server }) => {
  let interop: InteropClient;
  const open = (kind: ServerKind) => channelTo(ports[server]![kind], framing, protocol);

  beforeAll(() => {
    interop = new m.InteropClient(open('plain'));
  });

  it('Base: a void method and a string method', async () => {
    expect(await interop.ping()).toBeUndefined();
    expect(await interop.name()).toBe('interop');
  });

  it('every base type, the enum and a typedef, with extreme values (echo)', async () => {
    for (const v of [true, false]) expect(await interop.echoBool(v)).toBe(v);
    for (const v of [-128, -1, 0, 127]) expect(await interop.echoByte(v)).toBe(v);
    for (const v of [-32768, 0, 32767]) expect(await interop.echoI16(v)).toBe(v);
    for (const v of [I32_MIN, -1, 0, I32_MAX]) expect(await interop.echoI32(v)).toBe(v);
    for (const v of [I64_MIN, -1n, 0n, 2n ** 53n + 1n, I64_MAX]) expect(await interop.echoI64(v)).toBe(v);
    for (const v of [0, -0, 0.1, -1.5e-300, 5e-324, Number.MAX_VALUE, Infinity, -Infinity, NaN]) {
      expect(await interop.echoDouble(v)).toBe(v); // toBe is Object.is: -0 and NaN exact
    }
    for (const v of ['', 'ascii', ASTRAL, 'x'.repeat(100_000)]) expect(await interop.echoString(v)).toBe(v);
    for (const v of [new Uint8Array(0), ALL_BYTES, new Uint8Array(70_000)]) same(await interop.echoBinary(v), v);
    for (const v of Object.values(m.Color)) expect(await interop.echoEnum(v)).toBe(v);
    expect(await interop.echoTypedef(I64_MAX)).toBe(I64_MAX);
  });

  it('lists, sets, maps, nested containers, containers of structs and unions', async () => {
    for (const v of [[], [1, -1, I32_MAX, I32_MIN]]) same(await interop.echoList(v), v);
    for (const v of [new Set<string>(), new Set(['a', 'b', ASTRAL])]) same(await interop.echoSet(v), v);
    for (const v of [
      new Map<string, bigint>(),
      new Map([
        ['a', 1n],
        ['max', I64_MAX],
        ['min', I64_MIN],
      ]),
    ]) {
      same(await interop.echoMap(v), v);
    }
    const nested = [
      new Map([['k', new Set([1, 2])]]),
      new Map(),
      new Map([
        ['e', new Set<number>()],
        ['f', new Set([I32_MIN])],
      ]),
    ];
    same(await interop.echoNested(nested), nested);
    same(await interop.echoContainers(CONTAINERS), CONTAINERS);
    same(await interop.echoContainers({}), {});
  });

  it('structs, unions, defaults, optional/required fields: both sides check the samples', async () => {
    same(await interop.echoPrimitives(PRIMITIVES), PRIMITIVES);
    same(await interop.echoPrimitives({}), {});
    for (const shape of SHAPES) same(await interop.echoUnion(shape), shape);
    const samples = everythingSamples(m);
    for (const [name, sample] of Object.entries(samples)) {
      // Python compares the argument with its own copy of the sample: Mismatch if they differ.
      same(await interop.roundTrip(name, sample), sample);
    }
    const mismatch = await rejection(interop.roundTrip('full', samples.minimal));
    expect(mismatch).toBeInstanceOf(m.Mismatch);
    const point = { x: -1, y: I32_MAX };
    expect(await interop.describe(I32_MIN, I64_MAX, ASTRAL, m.Color.INFRARED, point)).toBe(
      describeArgs(I32_MIN, I64_MAX, ASTRAL, m.Color.INFRARED, point),
    );
  });

  it('declared exceptions arrive as their classes; an undeclared error as INTERNAL', async () => {
    same(await interop.fetch(7n), m.Everything.create({ id: 7n }));
    same(await rejection(interop.fetch(404n)), new m.NotFound({ message: 'user 404 not found', id: 404n }));
    same(await rejection(interop.fetch(-5n)), new m.Invalid({ message: 'negative id', code: -5, problems: ['id < 0'] }));
    expect(await interop.check('ok')).toBeUndefined();
    const notFound = await rejection(interop.check('notFound'));
    expect(notFound).toBeInstanceOf(m.NotFound);
    same(await rejection(interop.check('invalid')), new m.Invalid({ message: 'bad', code: 22, problems: ['p1', 'p2'] }));
    const crash = await rejection(interop.check('crash'));
    expect(crash).toBeInstanceOf(RpcError);
    expect({ code: (crash as RpcError).code, message: (crash as RpcError).message }).toEqual({
      code: 'INTERNAL',
      message: 'Internal error',
    });
    expect(await interop.name()).toBe('interop');
  });

  it('oneway calls are delivered (the server records them) and get no reply', async () => {
    const tag = `${framing}-${protocol}`;
    expect(await interop.record(`${tag}-1`)).toBeUndefined();
    expect(await interop.record(`${tag}-2`)).toBeUndefined();
    expect(await interop.recorded()).toEqual([`${tag}-1`, `${tag}-2`]);
  });

  it('multiplexed service names reach a TMultiplexedProcessor, several services on one channel', async () => {
    const channel = open('mux');
    const muxInterop = new m.InteropClient(multiplexed(channel, 'Interop'));
    const other = new m.OtherClient(multiplexed(channel, 'Other'));
    const profiles = new m.ProfilesClient(multiplexed(channel, 'Profiles'));
    expect(await muxInterop.name()).toBe('interop');
    expect(await other.name()).toBe('other');
    expect(await other.add(2, 40)).toBe(42);
    expect(await muxInterop.echoI64(I64_MIN)).toBe(I64_MIN);
    const full = everythingSamples(m).full;
    same(await muxInterop.roundTrip('full', full), full);
    expect(await rejection(muxInterop.fetch(404n))).toBeInstanceOf(m.NotFound);
    await muxInterop.record('mux');
    expect(await muxInterop.recorded()).toEqual(['mux']);
    same(await profiles.update({ id: 3n, name: 'mux', level: 2 }), { id: 3n, name: 'mux!', level: 2 });
    // The same calls in parallel: the replies (plain names) are matched to their calls.
    const [a, b, c] = await Promise.all([muxInterop.name(), other.name(), other.add(1, 1)]);
    expect([a, b, c]).toEqual(['interop', 'other', 2]);
  });

  it("an unknown method gets UNIMPLEMENTED (Thrift's UNKNOWN_METHOD); the connection goes on", async () => {
    const older = new m.ProfilesClient(open('v1'));
    const error = await rejection(older.remove(1n));
    expect(error).toBeInstanceOf(RpcError);
    expect({ code: (error as RpcError).code, message: (error as RpcError).message }).toEqual({
      code: 'UNIMPLEMENTED',
      message: 'Unknown function remove',
    });
    same(await older.update({ id: 1n, name: 'a', level: 1 }), { id: 1n, name: 'a!', level: 1 });
  });

  it('an older server (interop_v1.rpc) skips the fields it does not know; we apply our defaults', async () => {
    const older = new m.ProfilesClient(open('v1'));
    // email and level are unknown to v1: not echoed, so email is absent and level is our default.
    same(await older.update({ id: 21n, name: 'x', email: 'e@example.com', level: 5 }), { id: 21n, name: 'x!', level: 1 });
  });

  it('a newer server (interop_v2.rpc): fields we do not know are skipped', async () => {
    const newer = new m.ProfilesClient(open('v2'));
    // The v2 server adds tags, home, places and avatar to its reply.
    same(await newer.update({ id: 22n, name: 'y', email: 'e@example.com', level: 4 }), {
      id: 22n,
      name: 'y!',
      email: 'e@example.com',
      level: 4,
    });
    expect(await newer.remove(22n)).toBeUndefined();
  });

  it('many calls in flight on one connection are matched to their replies by seqid', async () => {
    const values = Array.from({ length: 200 }, (_, i) => ((i * 7919) % 1000) - 500);
    expect(await Promise.all(values.map((v) => interop.echoI32(v)))).toEqual(values);
  });

  it(framing === 'header' ? 'metadata and the deadline travel as THeader info headers' : `${framing}: no headers travel`, async () => {
    const sent = await interop.header('x-request-id', { metadata: { 'x-request-id': 'req-7' } });
    const timeout = await interop.header('skiff-timeout-ms', { timeoutMs: 5000 });
    if (framing === 'header') {
      expect(sent).toBe('req-7');
      // A stock server sees skiff's relative deadline as just another header, and ignores it.
      expect(Number(timeout)).toBeGreaterThan(0);
      expect(Number(timeout)).toBeLessThanOrEqual(5000);
    } else {
      expect([sent, timeout]).toEqual(['', '']);
    }
  });
});

