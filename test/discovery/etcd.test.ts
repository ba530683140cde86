/**
 * etcd discovery against a real etcd 3.4 on 127.0.0.1: the gateway client, servers on 127.0.0.1,
 * .2, .3 registering themselves, and channels following them through `etcdResolver` while they
 * scale up and down, while etcd is paused (also longer than the lease TTL) or killed and
 * restarted, and when a lease is lost. failover.test.ts repeats the hard cases with server
 * processes, SIGKILL and a 30 s outage.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EtcdClient,
  createChannel,
  createServer,
  etcdRegistration,
  etcdResolver,
  roundRobin,
  silentLogger,
  type ClientChannel,
  type EtcdRegistration,
  type EtcdResolver,
  type Server,
} from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';
import { EtcdProcess } from './fixtures/etcd-process.js';
import { closedLoopLoad, type ClosedLoopLoad } from './fixtures/closed-loop-load.js';

let etcd: EtcdProcess;
let kv: EtcdClient;
let serviceCounter = 0;

beforeAll(async () => {
  etcd = await EtcdProcess.start();
  kv = new EtcdClient({ endpoints: [etcd.url], requestTimeoutMs: 2000 });
}, 15_000);

afterAll(async () => {
  await etcd?.destroy();
});

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  etcd.resume();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh service name per test, so tests never see each other's keys. */
function serviceName(): string {
  return `UserService${++serviceCounter}`;
}

interface Instance {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  readonly key: string;
  readonly registration: EtcdRegistration;
  calls: number;
}

async function startInstance(service: string, host: string, ttlSec = 5, etcdFetch?: typeof fetch): Promise<Instance> {
  const counter = { calls: 0 };
  const server = createServer({
    logger: silentLogger,
    interceptors: [(next) => (call) => (counter.calls++, next(call))],
  }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: 0, host });
  const registration = etcdRegistration({
    etcd: [etcd.url],
    service,
    host,
    port,
    ttlSec,
    zone: 'z1',
    version: '1.0.0',
    logger: silentLogger,
    requestTimeoutMs: 1000,
    ...(etcdFetch === undefined ? {} : { fetch: etcdFetch }),
  });
  cleanups.push(() => server.close({ graceMs: 500 }));
  cleanups.push(() => registration.close());
  await registration.ready;
  const instance = { server, host, port, key: `${host}:${port}`, registration, calls: 0 };
  Object.defineProperty(instance, 'calls', { get: () => counter.calls, set: (v: number) => (counter.calls = v) });
  return instance;
}

function resolverFor(service: string, outageGraceMs?: number): EtcdResolver {
  const resolver = etcdResolver({
    etcd: [etcd.url],
    service,
    logger: silentLogger,
    requestTimeoutMs: 500,
    probeIntervalMs: 300,
    backoff: { baseMs: 50, maxMs: 300 },
    ...(outageGraceMs === undefined ? {} : { outageGraceMs }),
  });
  cleanups.push(() => resolver.close());
  return resolver;
}

function channelFor(resolver: EtcdResolver): UserServiceClient & { channel: ClientChannel } {
  const ch = createChannel({ resolver, balancer: roundRobin(), backoff: { baseMs: 20, maxMs: 200 } });
  cleanups.push(() => ch.close());
  return Object.assign(new UserServiceClient(ch), { channel: ch });
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const readyKeys = (client: { channel: ClientChannel }): string[] =>
  client.channel.instances
    .filter((i) => i.state === 'ready')
    .map((i) => i.key)
    .sort();

/** Calls `ping` back to back from `lanes` loops until `stop()` says so; counts successes and collects failures. */
function callContinuously(client: UserServiceClient, lanes = 4): ClosedLoopLoad {
  return closedLoopLoad(() => client.ping({ timeoutMs: 5000 }), lanes);
}

describe('EtcdClient over the JSON gateway', () => {
  it('puts, reads a prefix, watches changes, and deletes', async () => {
    const prefix = `/skiff-test/${serviceName()}/`;
    const first = await kv.put(`${prefix}a`, 'one');
    await kv.put(`${prefix}b`, 'twö');
    await kv.put(`/skiff-test/other`, 'outside the prefix');
    const read = await kv.range(prefix, { prefix: true });
    expect(read.kvs.map((e) => [e.key, e.value])).toEqual([
      [`${prefix}a`, 'one'],
      [`${prefix}b`, 'twö'],
    ]);
    expect(read.revision).toBeGreaterThan(first);
    expect((await kv.range(prefix, { prefix: true, countOnly: true })).count).toBe(2);

    const batches: Array<Array<[string, string, string]>> = [];
    const watch = new AbortController();
    const watching = kv.watchPrefix(prefix, read.revision + 1n, (b) => batches.push(b.events.map((e) => [e.type, e.kv.key, e.kv.value])), watch.signal);
    watching.catch(() => {});
    await kv.put(`${prefix}c`, 'three');
    expect(await kv.delete(`${prefix}a`)).toBe(1);
    await until(() => batches.flat().length >= 2, 'two watch events');
    expect(batches.flat()).toEqual([
      ['put', `${prefix}c`, 'three'],
      ['delete', `${prefix}a`, ''],
    ]);
    watch.abort();
    await expect(watching).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await kv.delete(prefix, { prefix: true })).toBe(2);
  });

  it('grants, refreshes and revokes leases; a revoked lease takes its keys and reports TTL 0', async () => {
    const lease = await kv.leaseGrant(30);
    expect(lease.ttlSec).toBe(30);
    expect(lease.id).toMatch(/^\d+$/);
    const key = `/skiff-test/${serviceName()}`;
    await kv.put(key, 'leased', { lease: lease.id });
    expect((await kv.range(key)).kvs[0]?.lease).toBe(lease.id);
    expect(await kv.leaseKeepAlive(lease.id)).toBe(30);
    await kv.leaseRevoke(lease.id);
    expect((await kv.range(key)).kvs).toEqual([]);
    expect(await kv.leaseKeepAlive(lease.id)).toBe(0);
    await kv.leaseRevoke(lease.id); // already gone: not an error
  });

  it('maps an unreachable etcd to UNAVAILABLE', async () => {
    const dead = new EtcdClient({ endpoints: ['http://127.0.0.1:1'], requestTimeoutMs: 1000 });
    await expect(dead.range('/x')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('etcd registration and resolution', () => {
  it('registers three servers; a channel spreads calls over all three; a fourth joins at once', async () => {
    const service = serviceName();
    const instances = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((h) => startInstance(service, h)));
    const stored = await kv.range(`/skiff/services/${service}/`, { prefix: true });
    expect(stored.kvs.map((e) => e.key).sort()).toEqual(instances.map((i) => `/skiff/services/${service}/${i.key}`).sort());
    expect(JSON.parse(stored.kvs[0]!.value)).toEqual({ host: instances.map((i) => i.host).sort()[0], port: expect.any(Number), weight: 1, protocol: 'compact', zone: 'z1', version: '1.0.0' });

    const resolver = resolverFor(service);
    await resolver.ready;
    expect(resolver.endpoints.map((e) => `${e.host}:${e.port}`).sort()).toEqual(instances.map((i) => i.key).sort());
    expect(resolver.endpoints[0]!.metadata).toEqual({ protocol: 'compact', zone: 'z1', version: '1.0.0' });
    const client = channelFor(resolver);
    await client.ping({ timeoutMs: 5000 });
    await until(() => readyKeys(client).length === 3, 'three instances ready');
    for (const i of instances) i.calls = 0;
    for (let k = 0; k < 90; k++) expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
    expect(instances.map((i) => i.calls)).toEqual([30, 30, 30]);

    // Scale up: the watch delivers the new key, the next calls connect to it.
    const fourth = await startInstance(service, '127.0.0.4');
    const joinedAt = Date.now();
    await until(() => resolver.endpoints.length === 4, 'the resolver to see the fourth', 3000);
    for (let k = 0; k < 200 && fourth.calls === 0; k++) {
      await client.ping({ timeoutMs: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(fourth.calls).toBeGreaterThan(0);
    // "Within about a second", with room for a loaded machine.
    expect(Date.now() - joinedAt).toBeLessThan(3000);
  });

  it('scale-down: deregister, then drain; calls running all the while never fail', async () => {
    const service = serviceName();
    const instances = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((h) => startInstance(service, h)));
    const resolver = resolverFor(service);
    await resolver.ready;
    const client = channelFor(resolver);
    await client.ping({ timeoutMs: 5000 });
    await until(() => readyKeys(client).length === 3, 'three instances ready');

    const load = callContinuously(client);
    await until(() => instances[1]!.calls > 20, 'load on the leaving instance');
    const leaving = instances[1]!;
    await leaving.registration.close();
    expect((await kv.range(leaving.registration.key)).kvs).toEqual([]);
    // What `settleMs` stands for in production: clients have seen the delete.
    await until(() => !client.channel.instances.some((i) => i.key === leaving.key), 'the channel to drop the instance');
    const report = await leaving.server.close({ graceMs: 5000 });
    expect(report.cutOff).toBe(0);
    const callsOnLeaving = leaving.calls;
    const before = instances[0]!.calls + instances[2]!.calls;
    await until(() => instances[0]!.calls + instances[2]!.calls > before + 50, 'calls continuing on the others');
    const { ok, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(50);
    expect(leaving.calls).toBe(callsOnLeaving);
  });

  it('etcd paused: the last known set keeps serving; after it resumes the resolver resyncs', async () => {
    const service = serviceName();
    const instances = await Promise.all(['127.0.0.1', '127.0.0.2'].map((h) => startInstance(service, h)));
    const resolver = resolverFor(service);
    await resolver.ready;
    const client = channelFor(resolver);
    await client.ping({ timeoutMs: 5000 });
    await until(() => readyKeys(client).length === 2, 'two instances ready');
    const syncs = resolver.syncs;

    etcd.pause();
    const load = callContinuously(client, 2);
    await until(() => resolver.state === 'unavailable', 'the probe to notice the hung etcd');
    const during = instances[0]!.calls + instances[1]!.calls;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(instances[0]!.calls + instances[1]!.calls).toBeGreaterThan(during);
    expect(resolver.endpoints).toHaveLength(2);
    etcd.resume();
    await until(() => resolver.state === 'synced' && resolver.syncs > syncs, 'a resync after etcd resumes');
    const { ok, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(readyKeys(client)).toEqual(instances.map((i) => i.key).sort());
  });

  it('etcd paused longer than the lease TTL: the keys it revokes on resuming are held through the grace while the servers put them back', async () => {
    const service = serviceName();
    // The servers' way to etcd, closed by the test: so the resolver resyncs before they can put their keys back.
    const gate = { open: true };
    const gatedFetch: typeof fetch = (input, init) => (gate.open ? fetch(input, init) : Promise.reject(new TypeError('fetch failed: gated by the test')));
    const instances = await Promise.all(['127.0.0.1', '127.0.0.2'].map((h) => startInstance(service, h, 2, gatedFetch)));
    const resolver = resolverFor(service, 60_000);
    await resolver.ready;
    const client = channelFor(resolver);
    await client.ping({ timeoutMs: 5000 });
    await until(() => readyKeys(client).length === 2, 'two instances ready');
    const syncs = resolver.syncs;

    const load = callContinuously(client, 2);
    gate.open = false;
    etcd.pause();
    await until(() => resolver.state === 'unavailable', 'the probe to notice the hung etcd');
    // Longer than the 2 s TTL: etcd revokes both leases as soon as it runs again.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    etcd.resume();
    await until(() => resolver.state === 'synced' && resolver.syncs > syncs && resolver.held.length === 2, 'both instances held');
    expect((await kv.range(`/skiff/services/${service}/`, { prefix: true })).kvs).toEqual([]);
    // Gone from etcd, still in use.
    expect(resolver.endpoints).toHaveLength(2);
    const during = instances[0]!.calls + instances[1]!.calls;
    await until(() => instances[0]!.calls + instances[1]!.calls > during + 20, 'calls on the held instances');

    gate.open = true;
    await until(() => instances.every((i) => i.registration.registrations === 2), 'both servers registered again', 8000);
    await until(() => resolver.held.length === 0, 'the keys back, nothing held');
    const { ok, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(readyKeys(client)).toEqual(instances.map((i) => i.key).sort());
  });

  it('etcd killed: calls go on; restarted on the same data, a newly registered server is picked up', async () => {
    const service = serviceName();
    const instances = await Promise.all(['127.0.0.1', '127.0.0.2'].map((h) => startInstance(service, h)));
    const resolver = resolverFor(service);
    await resolver.ready;
    const client = channelFor(resolver);
    await client.ping({ timeoutMs: 5000 });
    await until(() => readyKeys(client).length === 2, 'two instances ready');

    const load = callContinuously(client, 2);
    await etcd.kill();
    await until(() => resolver.state === 'unavailable', 'the resolver to lose etcd');
    const during = instances[0]!.calls + instances[1]!.calls;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(instances[0]!.calls + instances[1]!.calls).toBeGreaterThan(during);
    expect(resolver.endpoints).toHaveLength(2);

    await etcd.restart();
    const third = await startInstance(service, '127.0.0.3');
    await until(() => resolver.endpoints.length === 3, 'the resolver to resync and see the third', 8000);
    await until(() => third.calls > 0, 'calls on the third');
    const { ok, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    // The first two kept their registrations through the outage (their leases survived).
    expect((await kv.range(`/skiff/services/${service}/`, { prefix: true })).kvs).toHaveLength(3);
  }, 20_000);

  it('a lease revoked behind the registration’s back: it registers again within a couple of TTLs', async () => {
    const service = serviceName();
    const instance = await startInstance(service, '127.0.0.1', 2);
    const resolver = resolverFor(service);
    await resolver.ready;
    expect(resolver.endpoints).toHaveLength(1);
    const lost = instance.registration.leaseId!;
    await kv.leaseRevoke(lost);
    await until(() => resolver.endpoints.length === 0, 'the resolver to see the key go');
    await until(() => instance.registration.registrations === 2, 'a second registration', 4000);
    expect(instance.registration.leaseId).not.toBe(lost);
    const stored = (await kv.range(instance.registration.key)).kvs;
    expect(stored.map((e) => e.lease)).toEqual([instance.registration.leaseId]);
    await until(() => resolver.endpoints.length === 1, 'the resolver to see it back');

    const second = instance.registration.leaseId!;
    await instance.registration.close();
    expect(instance.registration.state).toBe('closed');
    expect((await kv.range(instance.registration.key)).kvs).toEqual([]);
    expect(await kv.leaseKeepAlive(second)).toBe(0);
  });

  it('ignores entries that are not instances and follows a key being rewritten', async () => {
    const service = serviceName();
    const prefix = `/skiff/services/${service}/`;
    await kv.put(`${prefix}garbage`, 'not json');
    await kv.put(`${prefix}127.0.0.9:1234`, JSON.stringify({ host: '127.0.0.9', port: 1234, weight: 3, protocol: 'binary' }));
    const resolver = resolverFor(service);
    const seen: string[][] = [];
    resolver.subscribe((endpoints) => seen.push(endpoints.map((e) => `${e.host}:${e.port}/${e.weight}`)));
    await resolver.ready;
    expect(resolver.endpoints).toEqual([{ host: '127.0.0.9', port: 1234, weight: 3, metadata: { protocol: 'binary' } }]);
    await kv.put(`${prefix}127.0.0.9:1234`, JSON.stringify({ host: '127.0.0.9', port: 1234, weight: 5, protocol: 'binary' }));
    await until(() => resolver.endpoints[0]?.weight === 5, 'the new weight');
    await kv.delete(prefix, { prefix: true });
    await until(() => resolver.endpoints.length === 0, 'the delete');
    expect(seen).toEqual([['127.0.0.9:1234/3'], ['127.0.0.9:1234/5'], []]);
    resolver.close();
    expect(resolver.state).toBe('closed');
  });
});
