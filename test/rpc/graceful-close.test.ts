/**
 * server.close({ graceMs }): calls in flight finish, nothing new gets in (new connections are
 * refused; a call on a draining connection is refused UNAVAILABLE after the `goaway`), and once
 * the grace period is over the calls still running fail UNAVAILABLE and their handlers are aborted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, MessageType, RpcError, type CallContext } from 'skiff/runtime';
import { UserService, UserServiceClient, UserServiceListUsersArgs, type ListUsersRequest, type ListUsersResponse } from '../../generated/account/user_service.js';
import {
  buildRequest,
  capturingLogger,
  Cleanup,
  deferred,
  openChannel,
  RawClient,
  readException,
  rejection,
  sleep,
  startServer,
  waitFor,
  within,
} from './fixtures/harness.js';
import { UserHandler } from './fixtures/user-handler.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/**
 * The demo store, counting listUsers calls and keeping their abort reasons; a listUsers with
 * cursor `gate` waits until the test opens the gate (no timing guesses).
 */
class CountingStore extends UserHandler {
  started = 0;
  readonly abortReasons: unknown[] = [];
  readonly gate = deferred();

  override async listUsers(request: ListUsersRequest, ctx: CallContext): Promise<ListUsersResponse> {
    this.started++;
    ctx.signal.addEventListener('abort', () => this.abortReasons.push(ctx.signal.reason), { once: true });
    if (request.page.cursor === 'gate') {
      await this.gate.promise;
      return { users: [], page: { totalCount: 0n } };
    }
    return super.listUsers(request, ctx);
  }
}

const slow = (ms: number): ListUsersRequest => ({ page: { cursor: `slow:${ms}`, limit: 1 } });
const gated: ListUsersRequest = { page: { cursor: 'gate', limit: 1 } };

/** A THeader gated listUsers request that announces control support, as a skiff client's first frame does. */
function rawGatedCall(seqId: number): Uint8Array {
  return buildRequest({
    framing: 'header',
    protocol: 'compact',
    name: 'listUsers',
    seqId,
    headers: new Map([['skiff-features', 'control']]),
    writeArgs: (w) => UserServiceListUsersArgs.write(w, { request: gated }),
  });
}

describe('graceful close', () => {
  it('calls in flight complete, new connections are refused, calls after goaway fail UNAVAILABLE, close resolves', async () => {
    const store = new CountingStore();
    const logger = capturingLogger();
    const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, store), { logger });
    const client = new UserServiceClient(openChannel(cleanup, port, { connections: 1 }));
    expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
    // A raw skiff-speaking connection, to see the goaway and use the draining connection after it.
    const raw = await RawClient.connect(cleanup, port);
    raw.send(rawGatedCall(1));

    const N = 20;
    const order: string[] = [];
    const calls = Array.from({ length: N }, () => client.listUsers(gated, { timeoutMs: 30_000 }).finally(() => order.push('call')));
    await waitFor(() => store.started === N + 1, 'every slow call to start');

    const closing = server.close({ graceMs: 10_000 }).finally(() => order.push('closed'));
    expect(server.state).toBe('draining');

    // The server announced its features as soon as it saw the client's...
    const announcement = await raw.reply(0);
    expect(announcement.message).toBeUndefined();
    expect(announcement.frame.headers.get('skiff-features')).toBe('control');
    // ...and, draining, tells skiff clients to go away...
    const goaway = await raw.reply(1);
    expect(goaway.message).toBeUndefined();
    expect(goaway.frame.headers.get('skiff-control')).toBe('goaway');
    // ...and refuses a call that still arrives on that connection.
    raw.send(buildRequest({ framing: 'header', protocol: 'compact', name: 'ping', seqId: 2 }));
    const refused = await raw.reply(2);
    expect(refused.message).toMatchObject({ name: 'ping', type: MessageType.EXCEPTION, seqId: 2 });
    expect(refused.frame.headers.get('skiff-status')).toBe(ErrorCode.UNAVAILABLE);
    readException(refused);

    // The channel: a call racing the goaway is refused by the server (UNAVAILABLE, "shutting
    // down"); once the channel has seen the goaway it sends nothing more on that connection and
    // does not retry by itself: it tries a new connection, which the draining server refuses
    // (UNAVAILABLE, "connection refused", then fail-fast backoff). Every attempt fails UNAVAILABLE.
    let sawReconnectRefused = false;
    for (let attempt = 0; attempt < 100 && !sawReconnectRefused; attempt++) {
      const error = await within(rejection(client.ping({ timeoutMs: 5000 })), 5000, 'a call after goaway');
      expect(error).toBeInstanceOf(RpcError);
      expect((error as RpcError).code).toBe(ErrorCode.UNAVAILABLE);
      if (/shutting down/.test((error as RpcError).message)) await sleep(10);
      else sawReconnectRefused = /refused|failed attempt/.test((error as RpcError).message);
    }
    expect(sawReconnectRefused).toBe(true);

    // New connections are refused.
    const newcomer = new UserServiceClient(openChannel(cleanup, port));
    const refusedNew = await within(rejection(newcomer.ping({ timeoutMs: 5000 })), 5000, 'a new connection during drain');
    expect((refusedNew as RpcError).code).toBe(ErrorCode.UNAVAILABLE);
    await expect(RawClient.connect(cleanup, port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // None of the calls in flight is lost, and close() waits for them.
    expect(order).toEqual([]);
    store.gate.resolve();
    const results = await within(Promise.all(calls), 10_000, 'the calls in flight');
    expect(results).toEqual(Array.from({ length: N }, () => ({ users: [], page: { totalCount: 0n } })));
    const rawReply = await raw.reply(3);
    expect(rawReply.message).toMatchObject({ name: 'listUsers', type: MessageType.REPLY, seqId: 1 });

    await within(closing, 5000, 'close() resolving');
    expect(order).toEqual([...Array.from({ length: N }, () => 'call'), 'closed']);
    expect(server.state).toBe('closed');
    expect(server.connectionCount).toBe(0);
    await within(raw.closed, 5000, 'the raw connection closing after its last reply');
    expect(store.abortReasons).toEqual([]);
    // Nothing went wrong, so the only log line is the drain report.
    expect(logger.entries.filter((e) => e.level !== 'debug')).toEqual([
      { level: 'info', message: 'server closed', fields: expect.objectContaining({ inFlightAtClose: N + 1, completed: N + 1, cutOff: 0 }) },
    ]);
  });

  it('when the grace period expires, calls still running fail UNAVAILABLE and their server signals abort', async () => {
    const store = new CountingStore();
    const logger = capturingLogger();
    const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, store), { logger });
    const client = new UserServiceClient(openChannel(cleanup, port, { connections: 1 }));
    const N = 5;
    const calls = Array.from({ length: N }, () => rejection(client.listUsers(slow(60_000), { timeoutMs: 120_000 })));
    await waitFor(() => store.started === N, 'every slow call to start');

    const closedAt = Date.now();
    await within(server.close({ graceMs: 300 }), 5000, 'close() resolving after the grace period');
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(250);
    expect(server.state).toBe('closed');

    const errors = await within(Promise.all(calls), 5000, 'the cut-off calls failing');
    for (const error of errors) {
      expect(error).toBeInstanceOf(RpcError);
      expect((error as RpcError).code).toBe(ErrorCode.UNAVAILABLE);
    }
    expect(store.abortReasons).toHaveLength(N);
    for (const reason of store.abortReasons) {
      expect(reason).toBeInstanceOf(RpcError);
      expect((reason as RpcError).code).toBe(ErrorCode.UNAVAILABLE);
    }
    expect(logger.entries.some((e) => e.level === 'warn' && e.message.includes('grace period'))).toBe(true);
  });

  it('a handler that answers at once while starting the close still gets its reply out', async () => {
    let closing: Promise<unknown> | undefined;
    class ClosingStore extends UserHandler {
      override listUsers(request: ListUsersRequest, ctx: CallContext): ListUsersResponse | Promise<ListUsersResponse> {
        if (request.page.cursor !== 'close') return super.listUsers(request, ctx);
        // Synchronously: the call is still being served when the close starts draining.
        closing = server.close({ graceMs: 5000 });
        return { users: [], page: { totalCount: 7n } };
      }
    }
    const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, new ClosingStore()));
    const client = new UserServiceClient(openChannel(cleanup, port, { connections: 1 }));
    const reply = await within(client.listUsers({ page: { cursor: 'close', limit: 1 } }), 5000, 'the reply of the call that started the close');
    expect(reply.page.totalCount).toBe(7n);
    await within(closing!, 5000, 'close() resolving');
    expect(server.state).toBe('closed');
  });
});
