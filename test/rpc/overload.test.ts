/**
 * Overload protection on the server: a server-wide in-flight limit that refuses calls at once
 * with RESOURCE_EXHAUSTED, calls whose deadline passed while they waited are dropped without
 * running, and the counters and event-loop delay a server reports.
 */
import { afterEach, expect, it } from 'vitest';
import { createChannel, createServer, RpcError, silentLogger, type ClientChannel, type Server, type ServerOptions } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';
import { waitFor } from './fixtures/harness.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: ServerOptions): Promise<{ server: Server; client: UserServiceClient }> {
  const server = createServer({ logger: silentLogger, ...options }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => server.close({ graceMs: 200 }));
  const channel: ClientChannel = createChannel({ host: '127.0.0.1', port, connections: 1, retry: false });
  cleanups.push(() => channel.close());
  return { server, client: new UserServiceClient(channel) };
}

const slow = (ms: number) => ({ page: { cursor: `slow:${ms}`, limit: 1 } });

it('beyond maxInFlight a call is refused at once with RESOURCE_EXHAUSTED, then served again when load drops', async () => {
  const { server, client } = await setup({ maxInFlight: 4 });
  const controller = new AbortController();
  const running = Array.from({ length: 4 }, () =>
    client.listUsers(slow(30_000), { timeoutMs: 60_000, signal: controller.signal }).catch((e: unknown) => e),
  );
  await waitFor(() => server.stats().inFlight === 4, '4 calls in flight');

  const started = Date.now();
  const error = await client.ping({ timeoutMs: 30_000 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RpcError);
  expect((error as RpcError).code).toBe('RESOURCE_EXHAUSTED');
  expect((error as RpcError).message).toMatch(/overloaded/);
  // Refused, not queued: far sooner than the call's deadline.
  expect(Date.now() - started).toBeLessThan(5000);
  expect(server.stats()).toMatchObject({ inFlight: 4, rejected: 1 });

  controller.abort();
  for (const outcome of await Promise.all(running)) expect((outcome as RpcError).code).toBe('CANCELLED');
  await waitFor(() => server.stats().inFlight === 0, 'no call in flight');
  expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
});

it('a call whose deadline passed while it waited behind a paused connection is dropped without running', async () => {
  const { server, client } = await setup({ maxInFlightPerConnection: 1 });
  // The first call holds the connection's only slot for 300 ms; the second waits, unread, in
  // the server's frame decoder while its 50 ms deadline passes.
  const first = client.listUsers(slow(300), { timeoutMs: 10_000 });
  const second = client.ping({ timeoutMs: 50 }).catch((e: unknown) => e);
  expect(((await second) as RpcError).code).toBe('DEADLINE_EXCEEDED');
  expect((await first).users).toEqual([]);
  await waitFor(() => server.stats().expired === 1, 'one expired call');
  expect(server.stats().inFlight).toBe(0);
  expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
  expect(server.stats().expired).toBe(1);
});

it('reports connections, in-flight calls and event-loop delay', async () => {
  const { server, client } = await setup({});
  expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
  const stats = server.stats();
  expect(stats).toMatchObject({ connections: 1, inFlight: 0, rejected: 0, expired: 0 });
  for (const value of Object.values(stats.eventLoopDelayMs)) {
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(0);
  }
});

it('event-loop delay shows a blocked loop, net of the monitor\'s 10 ms sampling period', async () => {
  const { server } = await setup({});
  await new Promise((resolve) => setTimeout(resolve, 50));
  const until = Date.now() + 150;
  while (Date.now() < until) {
    // A handler doing CPU work for 150 ms blocks every other call on this event loop.
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const { max } = server.stats().eventLoopDelayMs;
  expect(max).toBeGreaterThanOrEqual(120);
  expect(max).toBeLessThan(1000);
});
