/**
 * Restarts under load with a static list of servers (no discovery: a restarted server comes back
 * on the same host and port), with continuous idempotent calls from 12 lanes that must all
 * succeed:
 *
 * - a rolling restart: each of three servers in turn is drained (SIGTERM: goaway, running calls
 *   finish, late ones are refused and retried elsewhere), exits, and is started again;
 * - kill -9 of a server (its calls in flight are lost with the connection and retried
 *   elsewhere), then a restart on the same port.
 *
 * test/discovery/failover.test.ts covers kill -9 with the servers found through etcd.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createChannel, type ClientChannel } from 'skiff/runtime';
import { UserServiceClient } from '../../generated/account/user_service.js';
import { Cleanup, waitFor } from '../rpc/fixtures/harness.js';
import { closedLoopLoad, type ClosedLoopLoad } from '../discovery/fixtures/closed-loop-load.js';
import { FaultServers, type FaultServer } from './fixtures/server-processes.js';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

let servers: FaultServers;
const cleanup = new Cleanup();

beforeAll(() => {
  servers = FaultServers.create();
});

afterEach(() => cleanup.run());

afterAll(async () => {
  await servers?.dispose();
});

/** Three servers and a channel to them, with every instance connected. */
async function cluster(): Promise<{ started: FaultServer[]; users: UserServiceClient; channel: ClientChannel }> {
  const started = await Promise.all(HOSTS.map((host) => servers.start(host)));
  const channel = createChannel({ endpoints: started.map((s) => s.key), backoff: { baseMs: 20, maxMs: 200 } });
  cleanup.add(() => channel.close());
  const users = new UserServiceClient(channel);
  for (let i = 0; i < 30; i++) await users.listUsers({ page: { limit: 1 } });
  await waitFor(() => channel.instances.filter((i) => i.state === 'ready').length === HOSTS.length, 'every server connected');
  return { started, users, channel };
}

/**
 * Calls the idempotent `listUsers` from `lanes` loops, back to back, until `stop()`; each call
 * spends 5 ms in the handler, so every server always has calls in flight.
 */
function load(users: UserServiceClient, lanes: number): ClosedLoopLoad {
  return closedLoopLoad(() => users.listUsers({ page: { cursor: 'slow:5', limit: 1 } }, { timeoutMs: 5000 }), lanes);
}

/** Waits until `server` has run `calls` more calls than it had. */
async function serving(server: FaultServer, calls: number): Promise<void> {
  const start = (await server.count()).calls;
  const until = Date.now() + 10_000;
  while ((await server.count()).calls < start + calls) {
    if (Date.now() > until) throw new Error(`${server.key} did not get ${calls} calls within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('rolling restart of three servers under load (SIGTERM drain, restart on the same port): zero failed calls', async () => {
  const { started, users } = await cluster();
  const calls = load(users, 12);
  cleanup.add(() => calls.stop());
  const drains: string[] = [];
  const current = [...started];
  for (let i = 0; i < current.length; i++) {
    const old = current[i]!;
    await serving(old, 50);
    const { report } = await old.terminate();
    drains.push(`${old.key}: ${report.inFlightAtClose} in flight, ${report.cutOff} cut off`);
    expect(report.cutOff).toBe(0);
    const okAtRestart = calls.ok;
    current[i] = await servers.start(old.host, old.port);
    // Back in rotation: the client reconnects to it on its own.
    await serving(current[i]!, 50);
    expect(calls.ok).toBeGreaterThan(okAtRestart);
  }
  const { ok, failures } = await calls.stop();
  console.log(`rolling restart: ${ok} calls, ${failures.length} failed; drains: ${drains.join('; ')}`);
  expect(failures).toEqual([]);
  expect(ok).toBeGreaterThan(1000);
  await Promise.all(current.map((s) => s.kill()));
}, 60_000);

it('kill -9 of one of three servers under load, then a restart on the same port: zero failed calls', async () => {
  const { started, users, channel } = await cluster();
  const calls = load(users, 12);
  cleanup.add(() => calls.stop());
  const victim = started[1]!;
  await waitFor(() => (channel.instances.find((i) => i.key === victim.key)?.pending ?? 0) >= 2, 'calls in flight on the victim');
  const inFlightAtKill = channel.instances.find((i) => i.key === victim.key)?.pending ?? 0;
  await victim.kill();
  const okAtKill = calls.ok;
  await waitFor(() => calls.ok > okAtKill + 500, 'calls going on without it', 10_000);
  const restarted = await servers.start(victim.host, victim.port);
  await serving(restarted, 50);
  const { ok, failures } = await calls.stop();
  console.log(`kill -9: ${inFlightAtKill} calls in flight on the killed server; ${ok} calls, ${failures.length} failed`);
  expect(failures).toEqual([]);
  expect(inFlightAtKill).toBeGreaterThanOrEqual(2);
  await Promise.all([started[0]!, started[2]!, restarted].map((s) => s.kill()));
}, 60_000);
