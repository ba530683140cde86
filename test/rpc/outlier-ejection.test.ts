/**
 * Outlier ejection: a server whose calls keep failing (in a row, or at a high rate) is taken out
 * of rotation, tried again once its ejection ends, and never more than the panic threshold of
 * servers is ejected.
 */
import { afterEach, expect, it } from 'vitest';
import { createChannel, createServer, roundRobin, RpcError, silentLogger, type ClientChannel, type OutlierDetectionOptions } from 'skiff/runtime';
import { UserService, UserServiceClient, type User } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A store whose getUser crashes (the client sees INTERNAL). */
class Broken extends UserStore {
  override getUser(): User {
    throw new Error('disk on fire');
  }
}

/** A store whose getUser crashes every other call: never two failures in a row. */
class Flaky extends UserStore {
  private n = 0;
  override getUser(id: bigint): User {
    if (this.n++ % 2 === 0) throw new Error('flaky disk');
    return super.getUser(id);
  }
}

async function start(host: string, kind: boolean | 'flaky'): Promise<{ port: number; calls: () => number }> {
  let calls = 0;
  const server = createServer({ logger: silentLogger, interceptors: [(next) => (call) => (calls++, next(call))] }).addService(
    UserService,
    kind === 'flaky' ? new Flaky() : kind ? new Broken() : new UserStore(),
  );
  const { port } = await server.listen({ port: 0, host });
  cleanups.push(() => server.close({ graceMs: 100 }));
  return { port, calls: () => calls };
}

async function setup(brokenHosts: ReadonlyArray<boolean | 'flaky'>, outlierDetection: OutlierDetectionOptions) {
  const hosts = brokenHosts.map((_, i) => `127.0.0.${i + 1}`);
  const servers = await Promise.all(hosts.map((host, i) => start(host, brokenHosts[i]!)));
  const channel: ClientChannel = createChannel({
    endpoints: servers.map((s, i) => `${hosts[i]}:${s.port}`),
    balancer: roundRobin(),
    retry: false,
    outlierDetection,
  });
  cleanups.push(() => channel.close());
  const users = new UserServiceClient(channel);
  await users.ping({ timeoutMs: 5000 });
  for (let i = 0; i < 100 && !channel.instances.every((x) => x.state === 'ready'); i++) await new Promise((r) => setTimeout(r, 5));
  return { servers, channel, users };
}

/** Runs `n` getUser calls one after another; returns how many failed with INTERNAL. */
async function failures(users: UserServiceClient, n: number): Promise<number> {
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const outcome = await users.getUser(1n, { timeoutMs: 5000 }).catch((e: unknown) => e);
    if (outcome instanceof RpcError && outcome.code === 'INTERNAL') failed++;
  }
  return failed;
}

it('a server failing every call is ejected after the configured failures in a row', async () => {
  const { channel, users } = await setup([false, true, false], { consecutiveFailures: 3, baseEjectionMs: 60_000 });
  expect(await failures(users, 60)).toBe(3);
  expect(channel.instances.map((i) => i.ejected)).toEqual([false, true, false]);
});

it('an ejected server is tried again when its ejection ends, and one more failure ejects it again', async () => {
  // 1 s of ejection: far longer than 30 quick calls take, even on a loaded machine.
  const { channel, users } = await setup([false, true, false], { consecutiveFailures: 3, baseEjectionMs: 1000 });
  expect(await failures(users, 30)).toBe(3);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  expect(channel.instances[1]!.ejected).toBe(false);
  // The probe: a single failure is enough the second time.
  expect(await failures(users, 30)).toBe(1);
  expect(channel.instances[1]!.ejected).toBe(true);
});

it('never ejects more than the panic threshold allows, even when every server fails', async () => {
  const { channel, users } = await setup([true, true], { consecutiveFailures: 2, baseEjectionMs: 60_000, maxEjectedPercent: 50 });
  await failures(users, 20);
  expect(channel.instances.filter((i) => i.ejected)).toHaveLength(1);
  // The other one still gets the calls (and fails them): the client is not cut off entirely.
  expect(await failures(users, 5)).toBe(5);
});

it('a server failing half its calls, never twice in a row, is ejected by its failure rate at the end of an interval', async () => {
  const { channel, users } = await setup([false, 'flaky', false], {
    consecutiveFailures: 2,
    intervalMs: 300,
    failureRate: { thresholdPercent: 40, minimumRequests: 10 },
    baseEjectionMs: 60_000,
  });
  let failed = 0;
  for (let i = 0; i < 500 && !channel.instances[1]!.ejected; i++) {
    failed += await failures(users, 3);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(channel.instances.map((i) => i.ejected)).toEqual([false, true, false]);
  // Ejected: the failures stop.
  expect(await failures(users, 60)).toBe(0);
  expect(failed).toBeGreaterThanOrEqual(5);
});

it('with failure-rate ejection off, the same server stays in rotation', async () => {
  const { channel, users } = await setup([false, 'flaky', false], { consecutiveFailures: 2, intervalMs: 100, failureRate: false });
  expect(await failures(users, 90)).toBe(15);
  await new Promise((resolve) => setTimeout(resolve, 250));
  expect(await failures(users, 90)).toBe(15);
  expect(channel.instances.map((i) => i.ejected)).toEqual([false, false, false]);
});
