/**
 * Keepalive pings find a server that went silent without closing TCP (a crashed host, a
 * partition): a proxy on loopback stops forwarding, and the pending call fails `UNAVAILABLE`
 * instead of waiting forever.
 */
import { createServer as createNetServer, connect, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createChannel, createServer, RpcError, silentLogger, type ClientChannel, type Server } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';

/** A TCP proxy that can be switched into a black hole: it keeps both connections open but forwards nothing. */
async function startProxy(targetPort: number): Promise<{ port: number; blackhole(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let forwarding = true;
  const proxy: NetServer = createNetServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    inbound.on('data', (chunk) => forwarding && outbound.write(chunk));
    outbound.on('data', (chunk) => forwarding && inbound.write(chunk));
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as { port: number }).port,
    blackhole: () => {
      forwarding = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => resolve());
      }),
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(keepalive: { keepaliveMs: number; keepaliveTimeoutMs: number } | undefined) {
  const peers: string[] = [];
  const server: Server = createServer({
    logger: silentLogger,
    interceptors: [(next) => (call) => (peers.push(call.ctx.peer), next(call))],
  }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => server.close({ graceMs: 100 }));
  const proxy = await startProxy(port);
  cleanups.push(() => proxy.close());
  const channel: ClientChannel = createChannel({ host: '127.0.0.1', port: proxy.port, connections: 1, retry: false, ...keepalive });
  cleanups.push(() => channel.close());
  const client = new UserServiceClient(channel);
  expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
  return { proxy, client, peers };
}

it('a pending call fails UNAVAILABLE when keepalive pings go unanswered', async () => {
  const { proxy, client } = await setup({ keepaliveMs: 50, keepaliveTimeoutMs: 150 });
  proxy.blackhole();
  const started = Date.now();
  const error = await client.listUsers({ page: { limit: 1 } }, { timeoutMs: 30_000 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RpcError);
  expect((error as RpcError).code).toBe('UNAVAILABLE');
  expect((error as RpcError).message).toMatch(/keepalive/);
  // Far sooner than the call's own 30 s deadline.
  expect(Date.now() - started).toBeLessThan(10_000);
});

it('without keepalive the same call waits for its deadline', async () => {
  const { proxy, client } = await setup(undefined);
  proxy.blackhole();
  const error = await client.listUsers({ page: { limit: 1 } }, { timeoutMs: 400 }).catch((e: unknown) => e);
  expect((error as RpcError).code).toBe('DEADLINE_EXCEEDED');
});

it('answered pings keep an idle connection open', async () => {
  const { client, peers } = await setup({ keepaliveMs: 20, keepaliveTimeoutMs: 100 });
  // Many keepalive periods and several ping timeouts long: unanswered pings would have closed it.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
  // Both calls came over the same connection (a reconnect would show another proxy port).
  expect(peers).toHaveLength(2);
  expect(peers[1]).toBe(peers[0]);
});
