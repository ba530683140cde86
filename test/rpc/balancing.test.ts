/**
 * A channel over several servers (127.0.0.1, .2, .3 as three "hosts"): calls spread by the
 * balancer over instances with a live connection, a server that leaves is skipped, resolver
 * updates are followed live (a removed instance drains), consistent hashing pins keys, and a
 * server that joins warms up (slow start).
 */
import { afterEach, expect, it } from 'vitest';
import {
  consistentHash,
  createChannel,
  createServer,
  leastPending,
  roundRobin,
  silentLogger,
  type ClientChannel,
  type Endpoint,
  type Resolver,
  type Server,
} from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';
import { seededRandom, waitFor } from './fixtures/harness.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Instance {
  readonly server: Server;
  readonly endpoint: Endpoint;
  calls: number;
}

async function startInstance(host: string, atPort = 0): Promise<Instance> {
  const instance = { calls: 0 } as { server: Server; endpoint: Endpoint; calls: number };
  const server = createServer({
    logger: silentLogger,
    interceptors: [(next) => (call) => (instance.calls++, next(call))],
  }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: atPort, host });
  instance.server = server;
  instance.endpoint = { host, port };
  cleanups.push(() => server.close({ graceMs: 200 }));
  return instance;
}

function channel(options: Parameters<typeof createChannel>[0]): UserServiceClient & { channel: ClientChannel } {
  const ch = createChannel(options);
  cleanups.push(() => ch.close());
  return Object.assign(new UserServiceClient(ch), { channel: ch });
}

/** A resolver whose endpoints the test sets. */
class TestResolver implements Resolver {
  private listeners = new Set<(endpoints: readonly Endpoint[]) => void>();
  constructor(private endpoints: readonly Endpoint[]) {}
  set(endpoints: readonly Endpoint[]): void {
    this.endpoints = endpoints;
    for (const listener of this.listeners) listener(endpoints);
  }
  subscribe(listener: (endpoints: readonly Endpoint[]) => void): () => void {
    this.listeners.add(listener);
    listener(this.endpoints);
    return () => this.listeners.delete(listener);
  }
}

it('spreads calls over every server it has a live connection to', async () => {
  const instances = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map(startInstance));
  const client = channel({ endpoints: instances.map((i) => i.endpoint), balancer: roundRobin() });
  expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
  // The first call started connections to all three; once they are up, round robin spreads evenly.
  await waitFor(() => client.channel.instances.every((i) => i.state === 'ready'), 'all instances ready');
  for (const i of instances) i.calls = 0;
  for (let k = 0; k < 300; k++) await client.ping({ timeoutMs: 5000 });
  expect(instances.map((i) => i.calls)).toEqual([100, 100, 100]);
});

it('status() reports the target, the balancer and each instance, for status pages', async () => {
  const instances = await Promise.all(['127.0.0.1', '127.0.0.2'].map((host) => startInstance(host)));
  const client = channel({ endpoints: instances.map((i) => i.endpoint) });
  const keys = instances.map((i) => `${i.endpoint.host}:${i.endpoint.port}`);
  await client.ping({ timeoutMs: 5000 });
  await waitFor(() => client.channel.instances.every((i) => i.state === 'ready'), 'both instances ready');
  const status = client.channel.status();
  expect(status.target).toBe(keys.join(','));
  expect(status.balancer).toBe('least-pending');
  expect(status.instances).toEqual(keys.map((endpoint) => ({ endpoint, ready: true, ejected: false, weight: 1, inFlight: 0 })));
});

it('concurrent calls with the default balancer reach every server', async () => {
  const instances = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map(startInstance));
  const client = channel({ endpoints: instances.map((i) => `${i.endpoint.host}:${i.endpoint.port}`) });
  await client.ping({ timeoutMs: 5000 });
  await waitFor(() => client.channel.instances.every((i) => i.state === 'ready'), 'all instances ready');
  await Promise.all(Array.from({ length: 600 }, () => client.ping({ timeoutMs: 5000 })));
  for (const i of instances) expect(i.calls).toBeGreaterThan(50);
});

it('a server that shuts down is skipped: the calls after it left all succeed on the others', async () => {
  const instances = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map(startInstance));
  const client = channel({ endpoints: instances.map((i) => i.endpoint), balancer: roundRobin() });
  await client.ping({ timeoutMs: 5000 });
  await waitFor(() => client.channel.instances.every((i) => i.state === 'ready'), 'all instances ready');
  await instances[1]!.server.close({ graceMs: 1000 });
  await waitFor(() => client.channel.instances.filter((i) => i.state === 'ready').length === 2, 'the closed server to drop out');
  for (const i of instances) i.calls = 0;
  for (let k = 0; k < 100; k++) expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
  expect(instances[1]!.calls).toBe(0);
  expect(instances[0]!.calls + instances[2]!.calls).toBe(100);
});

it('follows resolver updates: a new instance gets calls, a removed one drains its calls in flight', async () => {
  const [a, b] = await Promise.all(['127.0.0.1', '127.0.0.2'].map(startInstance));
  const resolver = new TestResolver([a!.endpoint]);
  const client = channel({ resolver, balancer: roundRobin() });
  await client.ping({ timeoutMs: 5000 });
  expect(b!.calls).toBe(0);

  resolver.set([a!.endpoint, b!.endpoint]);
  await client.ping({ timeoutMs: 5000 });
  await waitFor(() => client.channel.instances.length === 2 && client.channel.instances.every((i) => i.state === 'ready'), 'b ready');
  for (let k = 0; k < 10; k++) await client.ping({ timeoutMs: 5000 });
  expect(b!.calls).toBeGreaterThanOrEqual(5);

  // A slow call is running on each; then a leaves the set.
  const slow = [client.listUsers({ page: { cursor: 'slow:300', limit: 1 } }, { timeoutMs: 5000 }), client.listUsers({ page: { cursor: 'slow:300', limit: 1 } }, { timeoutMs: 5000 })];
  await waitFor(() => a!.server.stats().inFlight === 1 && b!.server.stats().inFlight === 1, 'a slow call on each');
  resolver.set([b!.endpoint]);
  expect(client.channel.instances.map((i) => i.key)).toEqual([`127.0.0.2:${b!.endpoint.port}`]);
  const callsOnA = a!.calls;
  for (let k = 0; k < 10; k++) await client.ping({ timeoutMs: 5000 });
  expect(a!.calls).toBe(callsOnA);
  // The call in flight on the removed instance still completes.
  for (const result of await Promise.all(slow)) expect(result.users).toEqual([]);
  await waitFor(() => a!.server.connectionCount === 0, 'the drained connection to close');
});

it('consistent hashing sends a routing key to the same server every time', async () => {
  const instances = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map(startInstance));
  const client = channel({ endpoints: instances.map((i) => i.endpoint), balancer: consistentHash() });
  await client.ping({ timeoutMs: 5000 });
  await waitFor(() => client.channel.instances.every((i) => i.state === 'ready'), 'all instances ready');
  const owners = new Set<number>();
  for (let user = 0; user < 30; user++) {
    for (const i of instances) i.calls = 0;
    for (let k = 0; k < 5; k++) await client.ping({ timeoutMs: 5000, routingKey: `user-${user}` });
    const hit = instances.findIndex((i) => i.calls === 5);
    expect(hit).toBeGreaterThanOrEqual(0);
    owners.add(hit);
  }
  // Thirty keys land on more than one server.
  expect(owners.size).toBeGreaterThan(1);
});

it('slow start: a server that joins gets a share ramping from 10% of its weight to a full share; again after a restart', async () => {
  const [a, b, c] = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((host) => startInstance(host)));
  const clock = { now: 0 };
  // Reseeded before each measurement: the picks are then the same on every run, whatever came before.
  let random = seededRandom(1);
  const resolver = new TestResolver([a!.endpoint, b!.endpoint]);
  const client = channel({
    resolver,
    balancer: leastPending(() => random()),
    slowStart: { windowMs: 60_000, now: () => clock.now },
    backoff: { baseMs: 50, maxMs: 1000 },
  });
  await client.ping({ timeoutMs: 5000 });
  await waitFor(() => client.channel.instances.every((i) => i.state === 'ready'), 'a and b ready');
  // The resolver's first list is not new to the service: no warm-up.
  expect(client.channel.instances.map((i) => i.weight)).toEqual([1, 1]);

  resolver.set([a!.endpoint, b!.endpoint, c!.endpoint]);
  const cKey = `127.0.0.3:${c!.endpoint.port}`;
  const cState = () => client.channel.instances.find((i) => i.key === cKey);
  for (let k = 0; k < 200 && cState()?.state !== 'ready'; k++) await client.ping({ timeoutMs: 5000 });
  expect(cState()?.weight).toBeCloseTo(0.1, 10);

  /** c's share of 600 calls made one after another (nothing in flight: the share follows the weights). */
  const shareOfC = async (): Promise<number> => {
    random = seededRandom(42);
    for (const i of [a!, b!, c!]) i.calls = 0;
    for (let k = 0; k < 600; k++) await client.ping({ timeoutMs: 5000 });
    expect(a!.calls + b!.calls + c!.calls).toBe(600);
    return c!.calls / 600;
  };
  const shares: number[] = [];
  for (const t of [0, 15_000, 30_000, 45_000, 60_000]) {
    clock.now = t;
    shares.push(await shareOfC());
  }
  // Weights 0.1, 0.25, 0.5, 0.75, 1 next to two of 1: shares 4.8%, 11%, 20%, 27%, 33%.
  const expected = [0.1, 0.25, 0.5, 0.75, 1].map((w) => w / (2 + w));
  shares.forEach((share, k) => expect(Math.abs(share - expected[k]!)).toBeLessThan(0.05));
  for (let k = 1; k < shares.length; k++) expect(shares[k]!).toBeGreaterThan(shares[k - 1]!);
  expect(cState()?.weight).toBe(1);

  // c goes down; once the channel could not reach it, coming back (same address) warms it up again.
  await c!.server.close({ graceMs: 200 });
  for (let k = 0; k < 400 && cState()?.state !== 'backoff'; k++) {
    await client.ping({ timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(cState()?.state).toBe('backoff');
  await startInstance('127.0.0.3', c!.endpoint.port);
  clock.now = 100_000;
  // Calls nudge idle instances to connect (after the backoff window, 1 s at most here).
  for (let k = 0; k < 300 && cState()?.state !== 'ready'; k++) {
    await client.ping({ timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(cState()?.weight).toBeCloseTo(0.1, 10);
  clock.now = 130_000;
  expect(cState()?.weight).toBeCloseTo(0.5, 10);
});
