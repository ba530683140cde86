/**
 * Deadline and cancellation propagation: a handler that calls another service passes on its
 * remaining deadline and its cancellation without doing anything, so the inner call never
 * outlives the outer one.
 */
import { afterEach, expect, it } from 'vitest';
import { createChannel, createServer, RpcError, silentLogger, type CallContext } from 'skiff/runtime';
import { UserService, UserServiceClient, type ListUsersRequest, type ListUsersResponse } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The inner server: records each listUsers call's deadline and when its signal aborts. */
class Inner extends UserStore {
  readonly seen: Array<{ deadline: number | undefined; aborted: Promise<unknown> }> = [];
  override listUsers(request: ListUsersRequest, ctx: CallContext): Promise<ListUsersResponse> {
    this.seen.push({ deadline: ctx.deadline, aborted: new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason))) });
    return super.listUsers(request, ctx);
  }
}

async function setup(): Promise<{ inner: Inner; outer: UserServiceClient }> {
  const inner = new Inner();
  const innerServer = createServer({ logger: silentLogger }).addService(UserService, inner);
  const { port: innerPort } = await innerServer.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => innerServer.close({ graceMs: 100 }));
  const innerChannel = createChannel({ host: '127.0.0.1', port: innerPort });
  cleanups.push(() => innerChannel.close());
  const downstream = new UserServiceClient(innerChannel);

  /** The outer server's listUsers calls the inner one, passing no options at all. */
  class Outer extends UserStore {
    override listUsers(request: ListUsersRequest): Promise<ListUsersResponse> {
      return downstream.listUsers(request);
    }
  }
  const outerServer = createServer({ logger: silentLogger }).addService(UserService, new Outer());
  const { port } = await outerServer.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => outerServer.close({ graceMs: 100 }));
  const channel = createChannel({ host: '127.0.0.1', port, retry: false });
  cleanups.push(() => channel.close());
  return { inner, outer: new UserServiceClient(channel) };
}

const slow = { page: { cursor: 'slow:20000', limit: 1 } };

it("the inner call gets the outer call's remaining deadline and is cancelled when it passes", async () => {
  const { inner, outer } = await setup();
  const sentAt = Date.now();
  const error = await outer.listUsers(slow, { timeoutMs: 400 }).catch((e: unknown) => e);
  expect((error as RpcError).code).toBe('DEADLINE_EXCEEDED');
  expect(inner.seen).toHaveLength(1);
  // Without propagation the inner call would carry the IDL's 500 ms default from its own start.
  const innerDeadline = inner.seen[0]!.deadline!;
  expect(innerDeadline).toBeLessThanOrEqual(sentAt + 400 + 50);
  const reason = await inner.seen[0]!.aborted;
  expect(['DEADLINE_EXCEEDED', 'CANCELLED']).toContain((reason as RpcError).code);
});

it('cancelling the outer call cancels the inner one', async () => {
  const { inner, outer } = await setup();
  const controller = new AbortController();
  const call = outer.listUsers(slow, { timeoutMs: 30_000, signal: controller.signal }).catch((e: unknown) => e);
  while (inner.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort();
  expect(((await call) as RpcError).code).toBe('CANCELLED');
  const reason = await inner.seen[0]!.aborted;
  expect((reason as RpcError).code).toBe('CANCELLED');
});
