/**
 * Failover with real processes and a real etcd 3.4: UserService servers in child processes on
 * 127.0.0.1, .2, .3 (.4 to scale up) register themselves; a channel follows etcd and runs
 * continuous idempotent calls (`listUsers`, each spending a few milliseconds in the handler so
 * every server always has calls in flight) while
 *
 * - one server is killed with SIGKILL: zero failed calls (calls in flight on it are retried);
 * - the cluster scales up and down: the client uses a new server, and stops using a leaving one,
 *   within a second of etcd knowing; the drain cuts off nothing; zero failed calls;
 * - etcd is stopped (SIGSTOP) for 30 s, longer than the servers' lease TTL, while a server is
 *   killed and another starts: zero failed calls; when etcd runs again it revokes the expired
 *   leases, the servers register again, the client resyncs, holds the vanished instances through
 *   its grace period, picks up the new server and drops the dead one.
 *
 * etcd.test.ts covers the same ground with in-process servers and short outages; this file is
 * the proof with processes, SIGKILL and the long outage (that test takes about 40 s).
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createChannel, etcdResolver, silentLogger, type ClientChannel, type EtcdResolver } from 'skiff/runtime';
import { UserServiceClient } from '../../generated/account/user_service.js';
import { sleep, waitFor, within } from '../rpc/fixtures/harness.js';
import { EtcdProcess } from './fixtures/etcd-process.js';
import { idempotentLoad, ServerProcesses, type ServerProcess } from './fixtures/server-processes.js';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

let etcd: EtcdProcess;
let servers: ServerProcesses;
let serviceCounter = 0;

beforeAll(async () => {
  etcd = await EtcdProcess.start();
  servers = ServerProcesses.create();
}, 20_000);

afterAll(async () => {
  await servers?.dispose();
  await etcd?.destroy();
});

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  etcd.resume();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a server process per host, all registered as `service` before it resolves. */
async function startCluster(service: string, ttlSec: number, hosts = HOSTS): Promise<ServerProcess[]> {
  const started = await Promise.all(hosts.map((host) => servers.start(host, etcd.url, service, ttlSec)));
  await within(Promise.all(started.map((s) => s.registered)), 10_000, 'servers registered');
  return started;
}

/** A channel following `service` in etcd, with every instance connected. */
async function clientFor(service: string, expected: number, outageGraceMs = 15_000): Promise<{ users: UserServiceClient; channel: ClientChannel; resolver: EtcdResolver }> {
  const resolver = etcdResolver({
    etcd: [etcd.url],
    service,
    logger: silentLogger,
    requestTimeoutMs: 500,
    probeIntervalMs: 300,
    backoff: { baseMs: 50, maxMs: 300 },
    outageGraceMs,
  });
  const channel = createChannel({ resolver, backoff: { baseMs: 20, maxMs: 200 } });
  cleanups.push(() => channel.close());
  const users = new UserServiceClient(channel);
  await users.ping({ timeoutMs: 5000 });
  await waitFor(() => channel.instances.filter((i) => i.state === 'ready').length === expected, `${expected} instances ready`);
  return { users, channel, resolver };
}

const pendingOn = (channel: ClientChannel, key: string): number => channel.instances.find((i) => i.key === key)?.pending ?? 0;

it('kill -9 of one of three servers under continuous idempotent calls: zero failed calls', async () => {
  const service = `Failover${++serviceCounter}`;
  const cluster = await startCluster(service, 2);
  const { users, channel, resolver } = await clientFor(service, 3);
  const load = idempotentLoad(users, 12, 10);
  const victim = cluster[1]!;
  // Kill it while calls are in flight on it: those must be retried elsewhere, not failed.
  await waitFor(() => pendingOn(channel, victim.key) >= 2, 'calls in flight on the victim');
  const inFlightAtKill = pendingOn(channel, victim.key);
  const killed = victim.kill();
  const okAtKill = load.ok;
  await killed;

  // The others carry the load; its key stays in etcd until its lease (TTL 2 s) expires, but with
  // no live connection it gets no calls; then the resolver drops it.
  await waitFor(() => !resolver.endpoints.some((e) => `${e.host}:${e.port}` === victim.key), 'its lease to expire', 8000);
  await waitFor(() => load.ok > okAtKill + 200, 'calls going on');
  const { ok, failures } = await load.stop();
  console.log(`kill -9: ${inFlightAtKill} calls in flight on the killed server; ${ok} calls, ${failures.length} failed`);
  expect(failures).toEqual([]);
  expect(inFlightAtKill).toBeGreaterThanOrEqual(2);
  expect(ok).toBeGreaterThan(200);
  expect(channel.instances.map((i) => i.key).sort()).toEqual([cluster[0]!.key, cluster[2]!.key].sort());
  const counts = await Promise.all([cluster[0]!, cluster[2]!].map((s) => s.count()));
  for (const c of counts) expect(c.calls).toBeGreaterThan(50);
}, 30_000);

it('scale up and down under load: the client follows within a second; draining a server fails no call', async () => {
  const service = `Failover${++serviceCounter}`;
  const cluster = await startCluster(service, 5);
  const { users, channel } = await clientFor(service, 3);
  const load = idempotentLoad(users, 8, 5);

  // Up: from the key being in etcd to the new server serving its first call from this client.
  const fourth = await servers.start('127.0.0.4', etcd.url, service, 5);
  const registeredAt = await within(fourth.registered, 5000, 'the fourth registered');
  const firstCallAt = await within(fourth.firstCall, 5000, 'a call on the fourth');
  const scaleUpMs = firstCallAt - registeredAt;

  // Down: from the key being deleted to the client no longer choosing the server.
  const leaving = cluster[0]!;
  let droppedAt = 0;
  const watching = waitFor(() => !channel.instances.some((i) => i.key === leaving.key), 'the client to drop the leaving server', 5000, 2).then(
    () => (droppedAt = Date.now()),
  );
  const stopped = await leaving.stop(300);
  await watching;
  const scaleDownMs = droppedAt - stopped.deregisteredAt;

  const okBefore = load.ok;
  await waitFor(() => load.ok > okBefore + 100, 'calls going on after the scale-down');
  const { ok, failures } = await load.stop();
  console.log(`scale up: first call ${scaleUpMs} ms after registration; scale down: dropped ${scaleDownMs} ms after deregistration; ${ok} calls`);
  expect(failures).toEqual([]);
  expect(scaleUpMs).toBeLessThan(1000);
  expect(scaleDownMs).toBeLessThan(1000);
  // Drained, not cut: every call it had started finished; it got none after the client dropped it
  // (the interceptor stamps a call when it starts; calls sent just before the drop may start a little later).
  expect(stopped.report.cutOff).toBe(0);
  expect(stopped.calls).toBeGreaterThan(0);
  expect(stopped.lastCallAt - droppedAt).toBeLessThan(200);
  expect((await fourth.count()).calls).toBeGreaterThan(10);
}, 30_000);

it(
  'etcd stopped for 30 s under load: zero failed calls; when it runs again the client resyncs, picks up a server started meanwhile, drops one killed meanwhile',
  async () => {
    const service = `Failover${++serviceCounter}`;
    const ttlSec = 5;
    const cluster = await startCluster(service, ttlSec);
    const graceMs = 5000;
    const { users, channel, resolver } = await clientFor(service, 3, graceMs);
    const load = idempotentLoad(users, 8, 5);
    const syncsBefore = resolver.syncs;

    etcd.pause();
    const pausedAt = Date.now();
    await waitFor(() => resolver.state === 'unavailable', 'the resolver to notice the outage', 5000);
    // During the outage: a new server starts (it cannot register yet) and one is killed.
    const late = await servers.start('127.0.0.4', etcd.url, service, ttlSec);
    const dead = cluster[2]!;
    await waitFor(() => pendingOn(channel, dead.key) >= 1, 'calls in flight on the server to kill');
    await dead.kill();
    const okAt = [load.ok];
    while (Date.now() - pausedAt < 30_000) {
      await sleep(Math.min(5000, 30_000 - (Date.now() - pausedAt)));
      okAt.push(load.ok);
    }
    expect(load.failures).toEqual([]);
    // Calls kept flowing through the whole outage, on the last known set.
    for (let k = 1; k < okAt.length; k++) expect(okAt[k]!).toBeGreaterThan(okAt[k - 1]!);
    expect(resolver.endpoints).toHaveLength(3);

    etcd.resume();
    const resumedAt = Date.now();
    // etcd revokes the leases that expired while it was stopped; the survivors register again.
    await waitFor(() => resolver.state === 'synced' && resolver.syncs > syncsBefore, 'a resync', 10_000);
    const lateFirstCallAt = await within(late.firstCall, 10_000, 'a call on the server started during the outage');
    // Leases expired while etcd was stopped: the survivors put their keys again (within a keepalive interval).
    let survivors = await Promise.all([cluster[0]!, cluster[1]!].map((s) => s.count()));
    for (let k = 0; k < 100 && survivors.some((s) => s.registrations < 2); k++) {
      await sleep(100);
      survivors = await Promise.all([cluster[0]!, cluster[1]!].map((s) => s.count()));
    }
    // The dead server's key is gone; it is held through the grace, then dropped.
    await waitFor(() => !resolver.endpoints.some((e) => `${e.host}:${e.port}` === dead.key), 'the dead server dropped', graceMs + 5000);
    const droppedAfterMs = Date.now() - resumedAt;
    const okBefore = load.ok;
    await waitFor(() => load.ok > okBefore + 100, 'calls going on after the outage');
    const { ok, failures } = await load.stop();
    console.log(
      `etcd outage 30 s: ${ok} calls, ${failures.length} failed; new server's first call ${lateFirstCallAt - resumedAt} ms after etcd resumed; ` +
        `survivors registered ${survivors.map((s) => s.registrations).join(' and ')} times; dead server dropped ${droppedAfterMs} ms after resume`,
    );
    expect(failures).toEqual([]);
    for (const s of survivors) expect(s.registrations).toBeGreaterThanOrEqual(2);
    expect(droppedAfterMs).toBeGreaterThanOrEqual(graceMs - 500);
    expect(channel.instances.map((i) => i.key).sort()).toEqual([cluster[0]!.key, cluster[1]!.key, late.key].sort());
    expect(resolver.held).toEqual([]);
  },
  90_000,
);
