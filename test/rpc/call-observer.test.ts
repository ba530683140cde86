/**
 * `server.observe()`: one record per call, however it ended (runtime/server/call-observer.ts),
 * plus the server's listings of its services and connections.
 */
import { afterEach, expect, it } from 'vitest';
import { ErrorCode, RpcError, type CallContext, type CallRecord } from 'skiff/runtime';
import { UserServiceClient, UserService } from '../../generated/account/user_service.js';
import { OrderServiceClient } from '../../generated/shop/order_service.js';
import { UserHandler } from './fixtures/user-handler.js';
import { capturingLogger, Cleanup, openChannel, rejection, startServer, waitFor } from './fixtures/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

class ObservedHandler extends UserHandler {
  override getUser(id: bigint, ctx: CallContext) {
    if (id === 500n) throw new Error('boom');
    if (id === 403n) throw new RpcError(ErrorCode.PERMISSION_DENIED, 'no');
    if (id === 999n) return new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    return super.getUser(id, ctx);
  }
}

async function observed(options: { maxInFlight?: number } = {}) {
  const records: CallRecord[] = [];
  const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, new ObservedHandler()), { logger: capturingLogger(), ...options });
  const stop = server.observe((record) => records.push(record));
  const channel = openChannel(cleanup, port, { retry: false });
  return { server, port, records, stop, users: new UserServiceClient(channel), channel };
}

it('records each call with its service, method, code, duration, peer and metadata', async () => {
  const { records, users } = await observed();
  await users.ping({ metadata: { 'x-request-id': 'r1' } });
  await rejection(users.getUser(12345n)); // NotFound: a declared exception
  await rejection(users.getUser(500n));
  await rejection(users.getUser(403n));
  await waitFor(() => records.length === 4, 'four records');
  expect(records.map((r) => [r.service, r.method, r.code, r.exception, r.answered])).toEqual([
    ['UserService', 'ping', 'OK', undefined, true],
    ['UserService', 'getUser', 'OK', 'NotFound', true],
    ['UserService', 'getUser', ErrorCode.INTERNAL, undefined, true],
    ['UserService', 'getUser', ErrorCode.PERMISSION_DENIED, undefined, true],
  ]);
  expect(records[0]!.metadata).toEqual({ 'x-request-id': 'r1' });
  expect(records[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
  for (const record of records) {
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    expect(record.durationMs).toBeLessThan(5000);
    expect(Math.abs(record.startedAt - Date.now())).toBeLessThan(5000);
  }
});

it('records calls that never ran or ended unanswered', async () => {
  const { records, users, port } = await observed();
  await rejection(new OrderServiceClient(openChannel(cleanup, port, { retry: false })).getOrder(1n));
  await rejection(users.getUser(999n, { timeoutMs: 50 }));
  const controller = new AbortController();
  const cancelled = rejection(users.getUser(999n, { signal: controller.signal }));
  setTimeout(() => controller.abort(), 20);
  await cancelled;
  await users.recordLogin(1n, 2n);
  await waitFor(() => records.length === 4, 'four records');
  const byCode = new Map(records.map((r) => [r.code, r]));
  expect(byCode.get(ErrorCode.UNIMPLEMENTED)).toMatchObject({ service: undefined, method: 'getOrder', answered: true });
  expect(byCode.get(ErrorCode.DEADLINE_EXCEEDED)).toMatchObject({ service: 'UserService', method: 'getUser', answered: false });
  expect(byCode.get(ErrorCode.CANCELLED)).toMatchObject({ method: 'getUser', answered: false });
  expect(byCode.get('OK')).toMatchObject({ method: 'recordLogin', oneway: true, answered: false });
});

it('records refusals under overload, and stops when asked', async () => {
  const { records, users, stop } = await observed({ maxInFlight: 1 });
  const held = rejection(users.getUser(999n, { timeoutMs: 300 }));
  await waitFor(() => records.length === 0, 'nothing yet');
  expect(await rejection(users.ping())).toMatchObject({ code: ErrorCode.RESOURCE_EXHAUSTED });
  await held;
  await waitFor(() => records.length === 2, 'two records');
  expect(records.map((r) => r.code).sort()).toEqual([ErrorCode.DEADLINE_EXCEEDED, ErrorCode.RESOURCE_EXHAUSTED]);
  stop();
  await users.ping();
  expect(records).toHaveLength(2);
});

it('an observer that throws breaks nothing', async () => {
  const { server, users } = await observed();
  server.observe(() => {
    throw new Error('observer bug');
  });
  expect(await users.ping()).toBe('pong');
});

it('lists its services and open connections', async () => {
  const { server, users } = await observed();
  await users.ping();
  const userService = server.services().find((s) => s.name === 'UserService');
  expect(userService?.methods.find((m) => m.name === 'getUser')).toEqual({ name: 'getUser', oneway: false, idempotent: true, workerThread: false });
  expect(userService?.methods.find((m) => m.name === 'recordLogin')?.oneway).toBe(true);
  const connections = server.connections();
  expect(connections).toHaveLength(1);
  expect(connections[0]).toMatchObject({ inFlight: 0 });
  expect(connections[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
});
