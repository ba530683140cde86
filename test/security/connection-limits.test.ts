/**
 * Per-server connection limits: `maxConnections`, `frameTimeoutMs` (a frame that never
 * completes: slowloris) and `idleTimeoutMs`, enforced by the server's sweep.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { ErrorCode, type CallContext, type ServerOptions } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserHandler } from '../rpc/fixtures/user-handler.js';
import { capturingLogger, Cleanup, HOST, openChannel, rejection, sleep, startServer, waitFor } from '../rpc/fixtures/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

class SlowPingHandler extends UserHandler {
  override async ping(_ctx: CallContext): Promise<string> {
    await sleep(400);
    return 'slow pong';
  }
}

async function serve(options: ServerOptions, handler = new UserHandler()) {
  const logger = capturingLogger();
  const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, handler), { logger, ...options });
  return { server, port, logger };
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, HOST, () => resolve(socket));
    socket.on('error', () => {});
    socket.once('error', reject);
    cleanup.add(() => socket.destroy());
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

it('maxConnections: connections beyond it are closed at once; the open ones keep working', async () => {
  const { server, port, logger } = await serve({ maxConnections: 2 });
  const users = new UserServiceClient(openChannel(cleanup, port, { connections: 1 }));
  await users.ping();
  const second = await rawSocket(port);
  await waitFor(() => server.connectionCount === 2, 'two connections');
  const third = await rawSocket(port);
  await closed(third);
  expect(second.destroyed).toBe(false);
  expect(server.stats().connectionsRefused).toBe(1);
  expect(await users.ping()).toBe('pong');
  expect(logger.entries.filter((e) => e.message.startsWith('refusing connections'))).toHaveLength(1);
});

it('frameTimeoutMs: a frame trickling in closes its connection; a busy connection with many frames stays', async () => {
  const { server, port, logger } = await serve({ frameTimeoutMs: 200 });
  const users = new UserServiceClient(openChannel(cleanup, port, { connections: 1 }));
  const slow = await rawSocket(port);
  // A frame announced as 100 bytes, delivered a byte every 50 ms: it would take 5 s.
  const trickle = setInterval(() => slow.writable && slow.write(Buffer.from([0])), 50);
  cleanup.add(() => clearInterval(trickle));
  slow.write(Buffer.from([0, 0, 0, 100]));
  const started = Date.now();
  // Meanwhile the well-behaved connection keeps calling for longer than the frame timeout.
  let calls = 0;
  while (Date.now() - started < 600) {
    await users.ping();
    calls++;
  }
  await closed(slow);
  expect(Date.now() - started).toBeLessThan(5000);
  expect(calls).toBeGreaterThan(10);
  expect(server.stats().slowFramesClosed).toBe(1);
  expect(server.connectionCount).toBe(1);
  expect(logger.entries.some((e) => e.message === 'closed a connection whose frame did not complete in time')).toBe(true);
});

it('idleTimeoutMs: an idle connection is closed, a call still running keeps its connection, and the client reconnects', async () => {
  const { server, port } = await serve({ idleTimeoutMs: 150 }, new SlowPingHandler());
  const users = new UserServiceClient(openChannel(cleanup, port, { connections: 1 }));
  // 400 ms running: longer than the idle timeout, but not idle.
  expect(await users.ping({ timeoutMs: 5000 })).toBe('slow pong');
  expect(server.stats().idleClosed).toBe(0);
  await waitFor(() => server.connectionCount === 0, 'the idle connection to close', 2000);
  expect(server.stats().idleClosed).toBe(1);
  expect(await users.ping({ timeoutMs: 5000 })).toBe('slow pong');
});

it('limits of 0 turn the frame and idle timeouts off', async () => {
  const { server, port } = await serve({ idleTimeoutMs: 0, frameTimeoutMs: 0 });
  const slow = await rawSocket(port);
  slow.write(Buffer.from([0, 0, 0, 100, 1]));
  await sleep(300);
  expect(slow.destroyed).toBe(false);
  expect(server.connectionCount).toBe(1);
});

it('maxHeaders and maxHeaderBytes: a request with too much metadata closes its connection, logged; others go on', async () => {
  const { port, logger } = await serve({ maxHeaders: 8, maxHeaderBytes: 1024 });
  const ok = new UserServiceClient(openChannel(cleanup, port, { connections: 1 }));
  expect(await ok.ping({ metadata: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, 'v'])) })).toBe('pong');
  const many = new UserServiceClient(openChannel(cleanup, port, { connections: 1, retry: false }));
  const tooMany = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v']));
  expect(await rejection(many.ping({ metadata: tooMany }))).toMatchObject({ code: ErrorCode.UNAVAILABLE });
  const big = new UserServiceClient(openChannel(cleanup, port, { connections: 1, retry: false }));
  expect(await rejection(big.ping({ metadata: { blob: 'x'.repeat(2000) } }))).toMatchObject({ code: ErrorCode.UNAVAILABLE });
  const reasons = logger.entries.filter((e) => e.message === 'closed a connection that sent malformed data').map((e) => String(e.fields?.['reason']));
  expect(reasons).toEqual([expect.stringContaining('exceed the limit of 8'), expect.stringContaining('exceeds the limit of 1024')]);
  expect(await ok.ping()).toBe('pong');
});
