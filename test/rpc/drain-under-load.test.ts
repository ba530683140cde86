/**
 * Graceful drain under continuous load (issue 6): several clients keep calling while the server
 * closes. Every call the server accepted (its handler ran) is answered; every other call is
 * refused with a retryable code. Also: the drain report, and draining on SIGTERM.
 */
import { afterEach, expect, it } from 'vitest';
import { createChannel, createServer, RpcError, silentLogger, type ClientChannel, type ServerInterceptor } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('closing under load from several clients loses no accepted call', async () => {
  const accepted = new Set<string>();
  const record: ServerInterceptor = (next) => (call) => {
    accepted.add(call.ctx.metadata['call-id']!);
    return next(call);
  };
  const server = createServer({ logger: silentLogger, interceptors: [record] }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });

  const succeeded = new Set<string>();
  const refused = new Map<string, string>();
  let stop = false;
  let serial = 0;
  /** One client: calls back to back (4 in flight) until the server is gone. */
  async function client(name: string): Promise<void> {
    const channel: ClientChannel = createChannel({ host: '127.0.0.1', port, connections: 1 });
    cleanups.push(() => channel.close());
    const users = new UserServiceClient(channel);
    const lane = async (): Promise<void> => {
      for (let i = 0; i < 100_000 && !stop; i++) {
        const id = `${name}-${serial++}`;
        // 0-20 ms of handler time each, so calls are always running when close() starts.
        const cursor = `slow:${serial % 21}`;
        try {
          await users.listUsers({ page: { cursor, limit: 1 } }, { timeoutMs: 10_000, metadata: { 'call-id': id } });
          succeeded.add(id);
        } catch (error) {
          refused.set(id, (error as RpcError).code);
          if (server.state === 'closed') return;
          // A refused call fails fast (no I/O): pause like a real client before retrying.
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  }
  const clients = Promise.all(['a', 'b', 'c'].map(client));

  // Let the load build up, then close while calls are running.
  while (succeeded.size < 150) await new Promise((resolve) => setTimeout(resolve, 5));
  const report = await server.close({ graceMs: 10_000 });
  stop = true;
  await clients;

  expect(report.inFlightAtClose).toBeGreaterThan(0);
  expect(report).toMatchObject({ cutOff: 0, completed: report.inFlightAtClose });
  // Every call whose handler ran was answered...
  for (const id of accepted) expect(succeeded.has(id), `accepted call ${id} was lost: ${refused.get(id)}`).toBe(true);
  // ...and every other call was refused with a code that says "retry elsewhere".
  expect(refused.size).toBeGreaterThan(0);
  for (const [id, code] of refused) {
    expect(accepted.has(id)).toBe(false);
    expect(['UNAVAILABLE', 'RESOURCE_EXHAUSTED']).toContain(code);
  }
});

it('when the grace period runs out, the report counts the calls cut off', async () => {
  const server = createServer({ logger: silentLogger }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  const channel = createChannel({ host: '127.0.0.1', port });
  cleanups.push(() => channel.close());
  const users = new UserServiceClient(channel);
  const slow = Array.from({ length: 3 }, () => users.listUsers({ page: { cursor: 'slow:30000', limit: 1 } }, { timeoutMs: 60_000 }).catch((e: unknown) => e));
  while (server.stats().inFlight < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  const report = await server.close({ graceMs: 100 });
  expect(report).toMatchObject({ inFlightAtClose: 3, completed: 0, cutOff: 3 });
  for (const outcome of await Promise.all(slow)) expect((outcome as RpcError).code).toBe('UNAVAILABLE');
});

it('closeOnSignals drains on SIGTERM and removes its listeners once closed', async () => {
  const server = createServer({ logger: silentLogger }).addService(UserService, new UserStore());
  await server.listen({ port: 0, host: '127.0.0.1' });
  const before = process.listenerCount('SIGTERM');
  server.closeOnSignals(['SIGTERM'], { graceMs: 1000 });
  expect(process.listenerCount('SIGTERM')).toBe(before + 1);
  // Delivered as an event, so the test process itself is not terminated.
  process.emit('SIGTERM', 'SIGTERM');
  expect(server.state).toBe('draining');
  const report = await server.close();
  expect(report.cutOff).toBe(0);
  expect(server.state).toBe('closed');
  expect(process.listenerCount('SIGTERM')).toBe(before);
});
