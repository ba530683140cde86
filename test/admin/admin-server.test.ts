/**
 * The admin endpoint end to end (runtime/admin/admin-server.ts): a real skiff server on
 * 127.0.0.1:0 serving UserService, calls made through a real channel, then every endpoint fetched
 * over HTTP and its numbers checked against the calls made.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAdminServer,
  ErrorCode,
  RpcError,
  type AdminServer,
  type AdminServerOptions,
  type CallContext,
  type ChannelStatus,
  type Rpcz,
  type StatusSnapshot,
} from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { OrderServiceClient } from '../../generated/shop/order_service.js';
import { capturingLogger, Cleanup, deferred, HOST, openChannel, rejection, startServer, within, type Deferred } from '../rpc/fixtures/harness.js';
import { UserHandler } from '../rpc/fixtures/user-handler.js';
import { statusPageCsp } from '../../runtime/admin/status-page.js';
import { eventually, getJson, http, parseExposition } from './admin-fixtures.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const SECRET = 'Bearer s3cr3t-t0ken';

/** getUser(500) crashes, getUser(403) is refused, getUser(777) waits for the test to release it. */
class AdminTestHandler extends UserHandler {
  held: Deferred<void> | undefined;

  override getUser(id: bigint, ctx: CallContext) {
    if (id === 500n) throw new Error('boom');
    if (id === 403n) throw new RpcError(ErrorCode.PERMISSION_DENIED, 'no');
    if (id === 777n) {
      this.held = deferred();
      return this.held.promise.then(() => super.getUser(1n, ctx));
    }
    return super.getUser(id, ctx);
  }
}

async function setUp(options: Partial<AdminServerOptions> = {}) {
  const handler = new AdminTestHandler();
  const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, handler), { logger: capturingLogger() });
  const logger = capturingLogger();
  const admin = await createAdminServer({ port: 0, server, logger, ...options });
  cleanup.add(() => admin.close());
  const channel = openChannel(cleanup, port, { retry: false });
  return { server, port, handler, admin, logger, users: new UserServiceClient(channel) };
}

/** Makes a known mix of calls: 5 OK pings, 2 NotFound, 1 INTERNAL, 1 PERMISSION_DENIED, 1 unregistered. */
async function makeCalls(users: UserServiceClient, port: number): Promise<void> {
  for (let i = 0; i < 5; i++) await users.ping({ metadata: { authorization: SECRET, cookie: 'sid=abc', 'x-request-id': `r-${i}` } });
  await rejection(users.getUser(12345n));
  await rejection(users.getUser(12346n));
  await rejection(users.getUser(500n));
  await rejection(users.getUser(403n));
  await rejection(new OrderServiceClient(openChannel(cleanup, port, { retry: false })).getOrder(1n));
}

async function statusOnceCounted(admin: AdminServer, calls: number): Promise<StatusSnapshot> {
  return eventually(async () => {
    const status = await getJson<StatusSnapshot>(`${admin.url}status.json`);
    const total = status.servers.flatMap((s) => [...s.services.flatMap((svc) => svc.methods), ...(s.unregistered ? [s.unregistered] : [])]).reduce((n, m) => n + m.calls, 0);
    return total >= calls ? status : undefined;
  }, `${calls} calls counted`);
}

function fakeChannel(status: ChannelStatus): { status(): ChannelStatus } {
  return { status: () => status };
}

describe('/status.json', () => {
  it('shows services, per-method counts by code, exceptions, latency, connections and load', async () => {
    const { admin, users, port } = await setUp();
    await makeCalls(users, port);
    const status = await statusOnceCounted(admin, 10);
    expect(status.ready).toEqual({ ready: true, reason: 'ready' });
    expect(status.windowMs).toBe(60_000);
    expect(status.process.pid).toBe(process.pid);
    const [main] = status.servers;
    expect(status.servers).toHaveLength(1);
    expect(main).toMatchObject({ name: 'main', state: 'listening', address: `${HOST}:${port}` });
    const methods = Object.fromEntries(main!.services.find((s) => s.name === 'UserService')!.methods.map((m) => [m.name, m]));
    expect(methods['ping']).toMatchObject({ calls: 5, errors: 0, codes: { OK: 5 }, exceptions: {}, idempotent: expect.any(Boolean) });
    expect(methods['ping']!.window.calls).toBe(5);
    expect(methods['ping']!.window.perSecond).toBeGreaterThan(0);
    const latency = methods['ping']!.window.latencyMs!;
    expect(latency.p50).toBeGreaterThanOrEqual(0);
    expect(latency.p50).toBeLessThanOrEqual(latency.p90);
    expect(latency.p90).toBeLessThanOrEqual(latency.p99);
    expect(latency.p99).toBeLessThanOrEqual(latency.max);
    expect(methods['getUser']).toMatchObject({
      calls: 4,
      errors: 2,
      codes: { OK: 2, INTERNAL: 1, PERMISSION_DENIED: 1 },
      exceptions: { NotFound: 2 },
      idempotent: true,
    });
    expect(methods['recordLogin']).toMatchObject({ calls: 0, oneway: true, window: { calls: 0, latencyMs: null } });
    expect(main!.unregistered).toMatchObject({ name: '(unregistered)', calls: 1, codes: { UNIMPLEMENTED: 1 } });
    expect(main!.stats).toMatchObject({ connections: 2, inFlight: 0, rejected: 0, expired: 0 });
    expect(main!.stats.eventLoopDelayMs.p99).toBeGreaterThanOrEqual(0);
    expect(main!.connections).toHaveLength(2);
    for (const c of main!.connections) expect(c.peer).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('shows channels with their instances, and a channel whose status() throws without failing', async () => {
    const { admin } = await setUp({
      channels: {
        orders: fakeChannel({
          target: '127.0.0.2:9090,127.0.0.3:9090',
          balancer: 'least-pending',
          instances: [
            { endpoint: '127.0.0.2:9090', ready: true, ejected: false, weight: 1, inFlight: 3 },
            { endpoint: '127.0.0.3:9090', ready: true, ejected: true, weight: 0.5, inFlight: 0 },
          ],
        }),
        broken: {
          status: () => {
            throw new Error('resolver gone');
          },
        },
      },
    });
    const status = await getJson<StatusSnapshot>(`${admin.url}status.json`);
    expect(status.channels).toEqual([
      {
        name: 'orders',
        target: '127.0.0.2:9090,127.0.0.3:9090',
        balancer: 'least-pending',
        instances: [
          { endpoint: '127.0.0.2:9090', ready: true, ejected: false, weight: 1, inFlight: 3 },
          { endpoint: '127.0.0.3:9090', ready: true, ejected: true, weight: 0.5, inFlight: 0 },
        ],
        error: null,
      },
      { name: 'broken', target: '', balancer: '', instances: [], error: 'resolver gone' },
    ]);
  });
});

describe('/metrics', () => {
  it('is a valid exposition whose counters match the calls made', async () => {
    const { admin, users, port } = await setUp({
      channels: {
        orders: fakeChannel({
          target: 'etcd:/skiff/OrderService',
          balancer: 'round-robin',
          instances: [
            { endpoint: '127.0.0.2:9090', ready: true, ejected: false, weight: 2, inFlight: 4 },
            { endpoint: '127.0.0.3:9090', ready: false, ejected: true, weight: 1, inFlight: 0 },
          ],
        }),
      },
    });
    await makeCalls(users, port);
    await statusOnceCounted(admin, 10);
    const answer = await http(`${admin.url}metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const m = parseExposition(answer.body);
    const user = { server: 'main', service: 'UserService' };
    expect(m.types.get('skiff_server_calls_total')).toBe('counter');
    expect(m.value('skiff_server_calls_total', { ...user, method: 'ping', code: 'OK' })).toBe(5);
    expect(m.value('skiff_server_calls_total', { ...user, method: 'getUser', code: 'OK' })).toBe(2);
    expect(m.value('skiff_server_calls_total', { ...user, method: 'getUser', code: 'INTERNAL' })).toBe(1);
    expect(m.value('skiff_server_calls_total', { ...user, method: 'getUser', code: 'PERMISSION_DENIED' })).toBe(1);
    expect(m.value('skiff_server_calls_total', { server: 'main', service: '', method: '(unregistered)', code: 'UNIMPLEMENTED' })).toBe(1);
    expect(m.find('skiff_server_calls_total')).toHaveLength(5);
    expect(m.value('skiff_server_exceptions_total', { ...user, method: 'getUser', exception: 'NotFound' })).toBe(2);

    expect(m.types.get('skiff_server_call_duration_seconds')).toBe('histogram');
    expect(m.value('skiff_server_call_duration_seconds_count', { ...user, method: 'ping' })).toBe(5);
    expect(m.value('skiff_server_call_duration_seconds_count', { ...user, method: 'getUser' })).toBe(4);
    expect(m.value('skiff_server_call_duration_seconds_count', { ...user, method: 'recordLogin' })).toBe(0); // registered, never called: the series exists
    expect(m.value('skiff_server_call_duration_seconds_bucket', { ...user, method: 'ping', le: '10' })).toBe(5);
    expect(m.find('skiff_server_call_duration_seconds_bucket', { ...user, method: 'ping' }).map((b) => b.labels['le'])).toEqual([
      ...['0.0001', '0.00025', '0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10'],
      '+Inf',
    ]);
    expect(m.value('skiff_server_call_duration_seconds_sum', { ...user, method: 'ping' })).toBeGreaterThan(0);

    expect(m.value('skiff_server_in_flight', { server: 'main' })).toBe(0);
    expect(m.value('skiff_server_connections', { server: 'main' })).toBe(2);
    expect(m.value('skiff_server_concurrency_limit', { server: 'main' })).toBe(10_000);
    expect(m.value('skiff_server_rejected_total', { server: 'main' })).toBe(0);
    expect(m.value('skiff_server_expired_total', { server: 'main' })).toBe(0);
    expect(m.value('skiff_server_connections_refused_total', { server: 'main' })).toBe(0);
    expect(m.value('skiff_server_state', { server: 'main', state: 'listening' })).toBe(1);
    expect(m.value('skiff_server_state', { server: 'main', state: 'draining' })).toBe(0);
    expect(m.value('skiff_event_loop_delay_seconds', { server: 'main', quantile: '0.99' })).toBeGreaterThanOrEqual(0);
    expect(m.find('skiff_worker_threads')).toEqual([]); // no pool: no series

    expect(m.value('skiff_client_info', { channel: 'orders', target: 'etcd:/skiff/OrderService', balancer: 'round-robin' })).toBe(1);
    expect(m.value('skiff_client_instances', { channel: 'orders' })).toBe(2);
    const second = { channel: 'orders', endpoint: '127.0.0.3:9090' };
    expect([m.value('skiff_client_instance_ready', second), m.value('skiff_client_instance_ejected', second)]).toEqual([0, 1]);
    const first = { channel: 'orders', endpoint: '127.0.0.2:9090' };
    expect([m.value('skiff_client_instance_weight', first), m.value('skiff_client_instance_in_flight', first)]).toEqual([2, 4]);
    expect(m.value('skiff_ready')).toBe(1);
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    for (const family of m.types.keys()) expect(m.help.get(family), family).toBeTruthy();
  });

  it('labels each of several servers, and reports worker-thread gauges when a server has a pool', async () => {
    const a = await startServer(cleanup, (s) => s.addService(UserService, new UserHandler()), { logger: capturingLogger() });
    const b = await startServer(cleanup, (s) => s.addService(UserService, new UserHandler()), { logger: capturingLogger() });
    // Server b reports a worker-thread pool (a real pool needs a thread module; the gauges only read stats()).
    const pooled = Object.assign(Object.create(b.server) as typeof b.server, {
      stats: () => ({ ...b.server.stats(), workerThreads: { threads: 3, ready: 2, inFlight: 5, restarts: 1 } }),
    });
    const admin = await createAdminServer({ port: 0, servers: { public: a.server, internal: pooled }, logger: capturingLogger() });
    cleanup.add(() => admin.close());
    await new UserServiceClient(openChannel(cleanup, a.port)).ping();
    await new UserServiceClient(openChannel(cleanup, b.port)).ping();
    await new UserServiceClient(openChannel(cleanup, b.port)).ping();
    const m = await eventually(async () => {
      const parsed = parseExposition((await http(`${admin.url}metrics`)).body);
      return parsed.find('skiff_server_calls_total', { method: 'ping' }).reduce((n, s) => n + s.value, 0) === 3 ? parsed : undefined;
    }, 'three pings counted');
    expect(m.value('skiff_server_calls_total', { server: 'public', service: 'UserService', method: 'ping', code: 'OK' })).toBe(1);
    expect(m.value('skiff_server_calls_total', { server: 'internal', service: 'UserService', method: 'ping', code: 'OK' })).toBe(2);
    expect(m.find('skiff_worker_threads')).toEqual([{ name: 'skiff_worker_threads', labels: { server: 'internal' }, value: 3 }]);
    expect(m.value('skiff_worker_threads_ready', { server: 'internal' })).toBe(2);
    expect(m.value('skiff_worker_thread_in_flight', { server: 'internal' })).toBe(5);
    expect(m.value('skiff_worker_thread_restarts_total', { server: 'internal' })).toBe(1);
    const status = await getJson<StatusSnapshot>(`${admin.url}status.json`);
    expect(status.servers.map((s) => [s.name, s.stats.workerThreads?.threads])).toEqual([
      ['public', undefined],
      ['internal', 3],
    ]);
  });
});

describe('/healthz and /readyz', () => {
  it('readyz follows the ready() check, and turns 503 while the server drains and once it closed', async () => {
    let registered = false;
    const { admin, server, handler, users } = await setUp({ ready: () => registered });
    expect(await http(`${admin.url}healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await http(`${admin.url}readyz`)).toMatchObject({ status: 503, body: 'not ready: the ready() check returned false\n' });
    registered = true;
    expect(await http(`${admin.url}readyz`)).toMatchObject({ status: 200, body: 'ready\n' });

    const running = rejection(users.getUser(777n)); // answered NotFound once released
    await eventually(async () => handler.held, 'the held call to start');
    const closed = server.close({ graceMs: 5000 });
    expect(await http(`${admin.url}readyz`)).toMatchObject({ status: 503, body: "not ready: server 'main' is draining\n" });
    expect(await http(`${admin.url}healthz`)).toMatchObject({ status: 200 });
    const m = parseExposition((await http(`${admin.url}metrics`)).body);
    expect(m.value('skiff_ready')).toBe(0);
    expect(m.value('skiff_server_state', { server: 'main', state: 'draining' })).toBe(1);
    handler.held!.resolve();
    await running;
    await within(closed, 5000, 'the drain');
    expect(await http(`${admin.url}readyz`)).toMatchObject({ status: 503, body: "not ready: server 'main' is closed\n" });
  });

  it('a throwing ready() is a 503 with its message, not a crash', async () => {
    const { admin } = await setUp({
      ready: () => {
        throw new Error('etcd lease lost');
      },
    });
    expect(await http(`${admin.url}readyz`)).toMatchObject({ status: 503, body: 'not ready: the ready() check failed: etcd lease lost\n' });
  });
});

describe('/rpcz', () => {
  it('lists recent and slowest calls with peers, times and redacted metadata', async () => {
    const { admin, users, port } = await setUp();
    await makeCalls(users, port);
    await statusOnceCounted(admin, 10);
    const answer = await http(`${admin.url}rpcz`);
    expect(answer.body).not.toContain('s3cr3t');
    expect(answer.body).not.toContain('sid=abc');
    const rpcz = JSON.parse(answer.body) as Rpcz;
    expect(rpcz.size).toBe(100);
    expect(rpcz.slowestWindowMs).toBe(60_000);
    expect(rpcz.recent).toHaveLength(10);
    expect(rpcz.recent[0]).toMatchObject({ server: 'main', service: null, method: 'getOrder', code: 'UNIMPLEMENTED' }); // newest first
    const pings = rpcz.recent.filter((c) => c.method === 'ping');
    expect(pings.map((c) => c.metadata['x-request-id'])).toEqual(['r-4', 'r-3', 'r-2', 'r-1', 'r-0']);
    for (const ping of pings) {
      expect(ping.metadata).toEqual({ authorization: '[redacted]', cookie: '[redacted]', 'x-request-id': ping.metadata['x-request-id'] });
      expect(ping).toMatchObject({ service: 'UserService', code: 'OK', answered: true, oneway: false, exception: null });
      expect(ping.peer).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(Math.abs(ping.startedAt - Date.now())).toBeLessThan(60_000);
      expect(new Date(ping.startedAtIso).getTime()).toBe(ping.startedAt);
    }
    expect(rpcz.recent.find((c) => c.exception === 'NotFound')).toMatchObject({ method: 'getUser', code: 'OK' });
    expect(rpcz.slowest).toHaveLength(10);
    const durations = rpcz.slowest.map((c) => c.durationMs);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    // The page's data carries the same redacted lists.
    const status = await http(`${admin.url}status.json`);
    expect(status.body).not.toContain('s3cr3t');
    expect((JSON.parse(status.body) as StatusSnapshot).rpcz.recent).toHaveLength(10);
  });

  it('keeps at most rpczSize calls per list', async () => {
    const { admin, users } = await setUp({ rpczSize: 3 });
    for (let i = 0; i < 6; i++) await users.ping();
    await statusOnceCounted(admin, 6);
    const rpcz = await getJson<Rpcz>(`${admin.url}rpcz`);
    expect([rpcz.size, rpcz.recent.length, rpcz.slowest.length]).toEqual([3, 3, 3]);
  });
});

describe('HTTP behaviour', () => {
  it('serves the page as one self-contained document whose script and style the CSP allows by hash', async () => {
    const { admin } = await setUp();
    const page = await http(admin.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(statusPageCsp());
    expect(page.body).not.toMatch(/\b(src|href)="(https?:)?\/\//); // no external asset
    const digest = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const script = /<script>([\s\S]*)<\/script>/.exec(page.body)![1]!;
    const style = /<style>([\s\S]*)<\/style>/.exec(page.body)![1]!;
    expect(statusPageCsp()).toContain(`script-src ${digest(script)}`);
    expect(statusPageCsp()).toContain(`style-src ${digest(style)}`);
  });

  it('answers unknown paths 404, other methods 405, HEAD without a body, and ?pretty JSON indented', async () => {
    const { admin } = await setUp();
    expect(await http(`${admin.url}nope`)).toMatchObject({ status: 404 });
    expect(await http(`${admin.url}metrics/`)).toMatchObject({ status: 404 });
    expect(await http(`${admin.url}/metrics`)).toMatchObject({ status: 404 }); // '//metrics' is not '/metrics'
    expect(await http(`${admin.url}__proto__`)).toMatchObject({ status: 404 });
    const post = await http(`${admin.url}metrics`, { method: 'POST', body: 'x'.repeat(10_000) });
    expect(post).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
    expect(await http(`${admin.url}healthz`, { method: 'DELETE' })).toMatchObject({ status: 405 });
    const head = await http(`${admin.url}metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    expect((await http(`${admin.url}rpcz?pretty`)).body).toContain('\n  "size": 100');
    expect((await http(`${admin.url}healthz?probe=1`)).status).toBe(200);
    expect((await http(`${admin.url}status.json`)).headers['cache-control']).toBe('no-store');
  });

  it('survives malformed requests and keeps answering', async () => {
    const { admin } = await setUp();
    const { port } = admin.address();
    const cases: Array<readonly [string, number]> = [
      ['BLAH\r\n\r\n', 400],
      ['GET /healthz HTTP/9.9\r\n\r\n', 400],
      ['GET * HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      [`GET /${'a'.repeat(20_000)} HTTP/1.1\r\n\r\n`, 431],
      ['\u0000\u0001\u0002', 400],
      ['GET /%zz?%%% HTTP/1.1\r\nHost: x\r\n\r\n', 404],
      ['GET http://elsewhere.invalid/healthz HTTP/1.1\r\nHost: x\r\n\r\n', 200], // absolute form, as proxies send
    ];
    for (const [garbage, status] of cases) {
      const reply = await new Promise<string>((resolve) => {
        const socket = connect({ host: HOST, port });
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('error', () => {});
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
        socket.setTimeout(2000, () => socket.destroy());
        socket.end(garbage);
      });
      expect(reply.split('\r\n')[0], JSON.stringify(garbage.slice(0, 30))).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    }
    expect(await http(`${admin.url}healthz`)).toMatchObject({ status: 200 });
  });
});

describe('createAdminServer', () => {
  it('listens on loopback by default and reports its URL', async () => {
    const { admin, logger } = await setUp();
    expect(admin.address().address).toBe('127.0.0.1');
    expect(admin.url).toBe(`http://127.0.0.1:${admin.address().port}/`);
    expect(admin.state).toBe('listening');
    expect(logger.entries.find((e) => e.message === 'admin endpoint listening')?.fields).toEqual({ url: admin.url });
    expect(logger.entries.filter((e) => e.level === 'warn')).toEqual([]);
  });

  it('rejects a bad port, a taken port and duplicate names with typed errors', async () => {
    const { admin, server } = await setUp();
    expect(await rejection(createAdminServer({ port: -1 }))).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    expect(await rejection(createAdminServer({ port: 1.5 }))).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    const taken = await rejection(createAdminServer({ port: admin.address().port, logger: capturingLogger() }));
    expect(taken).toBeInstanceOf(RpcError);
    expect(taken).toMatchObject({ code: ErrorCode.UNAVAILABLE, message: expect.stringContaining('EADDRINUSE') });
    expect(await rejection(createAdminServer({ port: 0, server, servers: { main: server } }))).toMatchObject({ code: ErrorCode.ALREADY_EXISTS });
    expect(() => admin.addServer('main', server)).toThrow(expect.objectContaining({ code: ErrorCode.ALREADY_EXISTS }));
    admin.addChannel('c', fakeChannel({ target: 't', balancer: 'b', instances: [] }));
    expect(() => admin.addChannel('c', fakeChannel({ target: 't', balancer: 'b', instances: [] }))).toThrow(expect.objectContaining({ code: ErrorCode.ALREADY_EXISTS }));
    expect(() => admin.addChannel('', fakeChannel({ target: 't', balancer: 'b', instances: [] }))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });

  it('adds and removes servers and channels while running; stops counting a removed server', async () => {
    const { admin, users, server } = await setUp();
    admin.addChannel('late', fakeChannel({ target: 'x:1', balancer: 'round-robin', instances: [] }));
    expect((await getJson<StatusSnapshot>(`${admin.url}status.json`)).channels.map((c) => c.name)).toEqual(['late']);
    expect(admin.removeChannel('late')).toBe(true);
    expect(admin.removeChannel('late')).toBe(false);
    expect(admin.removeServer('main')).toBe(true);
    await users.ping();
    admin.addServer('again', server);
    await users.ping();
    const status = await statusOnceCounted(admin, 1);
    expect(status.servers.map((s) => s.name)).toEqual(['again']);
    expect(status.channels).toEqual([]);
    const ping = status.servers[0]!.services[0]!.methods.find((m) => m.name === 'ping');
    expect(ping?.calls).toBe(1);
  });

  it('close() stops listening and is idempotent', async () => {
    const { admin } = await setUp();
    const url = admin.url;
    await Promise.all([admin.close(), admin.close()]);
    expect(admin.state).toBe('closed');
    await expect(http(`${url}healthz`, { timeoutMs: 1000 })).rejects.toThrow();
  });
});
