/**
 * Deadlines and cancellation end to end: the client gives up with DEADLINE_EXCEEDED or CANCELLED,
 * and the server's handler learns of it through `ctx.signal` (its own deadline timer, or the
 * `cancel` control frame). The IDL's `timeout.ms` is the default deadline.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, RpcError, silentLogger, type CallContext, type ClientChannel, type Server } from 'skiff/runtime';
import { User, UserService, UserServiceClient, type ListUsersRequest, type ListUsersResponse, type UserPatch } from '../../generated/account/user_service.js';
import { UserHandler } from './fixtures/user-handler.js';
import { Cleanup, deferred, openChannel, rejection, sleep, startServer, within, type Deferred } from './fixtures/harness.js';

/** What a handler saw of one call. */
interface Observed {
  readonly ctx: CallContext;
  /** `ctx.deadline - Date.now()` when the handler started. */
  readonly remainingMs: number | undefined;
  /** Resolves with the signal's reason when it aborts. */
  readonly aborted: Promise<unknown>;
}

function observe(ctx: CallContext): Observed {
  const aborted = deferred<unknown>();
  if (ctx.signal.aborted) aborted.resolve(ctx.signal.reason);
  else ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason), { once: true });
  return { ctx, remainingMs: ctx.deadline === undefined ? undefined : ctx.deadline - Date.now(), aborted: aborted.promise };
}

/** The demo store, reporting each call's context; getUser(0) and deleteUser wait for their signal. */
class ObservingStore extends UserHandler {
  readonly calls: Observed[] = [];
  private waiters: Array<Deferred<Observed>> = [];
  getUserDelayMs = 0;

  /** The next call to start (or one that already started and was not taken yet). */
  nextCall(): Promise<Observed> {
    const waiter = deferred<Observed>();
    this.waiters.push(waiter);
    this.flush();
    return waiter.promise;
  }

  private taken = 0;
  private record(ctx: CallContext): Observed {
    const observed = observe(ctx);
    this.calls.push(observed);
    this.flush();
    return observed;
  }

  private flush(): void {
    while (this.waiters.length > 0 && this.taken < this.calls.length) this.waiters.shift()!.resolve(this.calls[this.taken++]!);
  }

  override listUsers(request: ListUsersRequest, ctx: CallContext): ListUsersResponse | Promise<ListUsersResponse> {
    this.record(ctx);
    return super.listUsers(request, ctx);
  }

  override async getUser(id: bigint, ctx: CallContext): Promise<User> {
    const observed = this.record(ctx);
    if (id === 0n) {
      await observed.aborted;
      throw observed.ctx.signal.reason;
    }
    if (this.getUserDelayMs > 0) await sleep(this.getUserDelayMs);
    return User.create({ id, email: `${id}@example.com`, createdAt: 0n });
  }

  override deleteUser(_id: bigint, ctx: CallContext): void {
    this.record(ctx);
  }

  override updateUser(id: bigint, _patch: UserPatch, ctx: CallContext): User {
    this.record(ctx);
    return User.create({ id, email: 'x@example.com', createdAt: 0n });
  }
}

const cleanup = new Cleanup();
let store: ObservingStore;
let server: Server;
let port: number;
let channel: ClientChannel;
let client: UserServiceClient;

beforeEach(async () => {
  store = new ObservingStore();
  ({ server, port } = await startServer(cleanup, (s) => s.addService(UserService, store), { logger: silentLogger }));
  channel = openChannel(cleanup, port, { connections: 1 });
  client = new UserServiceClient(channel);
});
afterEach(() => cleanup.run());

const slow = (ms: number): ListUsersRequest => ({ page: { cursor: `slow:${ms}`, limit: 1 } });

describe('deadlines', () => {
  it('a call past its deadline fails DEADLINE_EXCEEDED on the client and aborts ctx.signal on the server', async () => {
    // Connect first: the deadline below is short, and should not be spent connecting.
    expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
    const started = store.nextCall();
    const sentAt = Date.now();
    const call = client.listUsers(slow(20_000), { timeoutMs: 150 });
    const observed = await within(started, 5000, 'the handler starting');
    // ctx.deadline is the client's deadline, relative to when the request arrived.
    expect(observed.remainingMs).toBeGreaterThan(0);
    expect(observed.remainingMs).toBeLessThanOrEqual(150);
    expect(observed.ctx.deadline).toBeGreaterThanOrEqual(sentAt);

    const error = await within(rejection(call), 5000, 'the client giving up');
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    expect(Date.now() - sentAt).toBeLessThan(5000);

    // The server aborts the handler: by its own deadline timer or by the client's cancel frame,
    // whichever comes first; either way the reason is the deadline.
    const reason = await within(observed.aborted, 5000, 'the handler signal aborting');
    expect(reason).toBeInstanceOf(RpcError);
    expect((reason as RpcError).code).toBe(ErrorCode.DEADLINE_EXCEEDED);

    // The connection survives a timed-out call.
    expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
    expect(server.connectionCount).toBe(1);
  });

  it("the IDL's timeout.ms (getUser: 200 ms) is the deadline when the call sets none", async () => {
    expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
    const started = store.nextCall();
    const sentAt = Date.now();
    const error = await within(rejection(client.getUser(0n)), 5000, 'getUser timing out');
    const elapsedMs = Date.now() - sentAt;
    expect((error as RpcError).code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    expect(elapsedMs).toBeGreaterThanOrEqual(180);

    const observed = await started;
    expect(observed.ctx.deadline).toBeDefined();
    // The server was told 200 ms (not some other default), measured from the request's arrival.
    expect(observed.remainingMs).toBeGreaterThan(100);
    expect(observed.remainingMs).toBeLessThanOrEqual(200);
    const reason = await within(observed.aborted, 5000, 'the handler signal aborting');
    expect((reason as RpcError).code).toBe(ErrorCode.DEADLINE_EXCEEDED);
  });

  it('a per-call timeoutMs overrides the IDL default', async () => {
    store.getUserDelayMs = 400;
    const started = store.nextCall();
    // 400 ms of work would exceed getUser's 200 ms default; the call's 5,000 ms applies instead.
    const user = await client.getUser(9n, { timeoutMs: 5000 });
    expect(user.id).toBe(9n);
    const observed = await started;
    expect(observed.remainingMs).toBeGreaterThan(4000);
    expect(observed.remainingMs).toBeLessThanOrEqual(5000);
  });

  it("a method without timeout.ms gets the channel's defaultTimeoutMs, or no deadline at all; the IDL wins over the channel", async () => {
    // deleteUser declares no timeout.ms.
    const plainCall = store.nextCall();
    await client.deleteUser(1n);
    const plain = await plainCall;
    expect(plain.ctx.deadline).toBeUndefined();
    expect(plain.remainingMs).toBeUndefined();

    const defaulted = new UserServiceClient(openChannel(cleanup, port, { defaultTimeoutMs: 1234 }));
    const defaultedCall = store.nextCall();
    await defaulted.deleteUser(1n);
    const withDefault = await defaultedCall;
    expect(withDefault.remainingMs).toBeGreaterThan(1000);
    expect(withDefault.remainingMs).toBeLessThanOrEqual(1234);

    // updateUser declares 500 ms: that beats the channel's 1,234.
    const idlCall = store.nextCall();
    await defaulted.updateUser(1n, {});
    const idl = await idlCall;
    expect(idl.remainingMs).toBeGreaterThan(300);
    expect(idl.remainingMs).toBeLessThanOrEqual(500);
  });
});

describe('cancellation', () => {
  /** Starts a slow call, aborts it once the handler runs, checks both ends. */
  async function abortAndCheck(): Promise<void> {
    const started = store.nextCall();
    const controller = new AbortController();
    // A far deadline: only the cancel control frame can abort the handler within this test.
    const call = client.listUsers(slow(30_000), { timeoutMs: 60_000, signal: controller.signal });
    const observed = await within(started, 5000, 'the handler starting');
    expect(observed.ctx.signal.aborted).toBe(false);

    const abortedAt = Date.now();
    controller.abort(new Error('user navigated away'));
    const error = await within(rejection(call), 2000, 'the client rejecting');
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(ErrorCode.CANCELLED);
    expect((error as RpcError).cause).toEqual(new Error('user navigated away'));

    const reason = await within(observed.aborted, 3000, 'the server handler signal aborting');
    expect(reason).toBeInstanceOf(RpcError);
    expect((reason as RpcError).code).toBe(ErrorCode.CANCELLED);
    // Cancelling one call leaves the connection (and the other calls on it) alone.
    expect(server.connectionCount).toBe(1);
    expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
    expect(server.connectionCount).toBe(1);
  }

  it('aborting the signal rejects CANCELLED promptly and aborts the server handler (cancel frame), on a connection that has had a reply', async () => {
    expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
    await abortAndCheck();
  });

  // The server announces control support as soon as the client's first frame does (not with its
  // first reply), so even the first call on a connection can be cancelled on the server.
  it('aborting the signal of the first call on a fresh connection also reaches the server handler', async () => {
    await abortAndCheck();
  });

  it('an already aborted signal rejects with CANCELLED without reaching the server', async () => {
    expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
    const before = store.calls.length;
    const error = await rejection(client.listUsers(slow(10), { signal: AbortSignal.abort() }));
    expect((error as RpcError).code).toBe(ErrorCode.CANCELLED);
    expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
    expect(store.calls.length).toBe(before);
  });
});
