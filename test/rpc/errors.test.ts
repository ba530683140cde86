/**
 * How failures reach the caller: declared exceptions as instances of the generated classes with
 * their fields, handler crashes as INTERNAL without leaking the server's message or stack,
 * RpcErrors thrown by handlers with their code, unknown methods as UNIMPLEMENTED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, RpcError, type Framing, type WireProtocol } from 'skiff/runtime';
import { UserStore } from '../../demo/user-store.js';
import { EmailTaken, Role, User, UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { InvalidArgument, NotFound } from '../../generated/common/types.js';
import { OrderServiceClient } from '../../generated/shop/order_service.js';
import { capturingLogger, Cleanup, openChannel, rejection, startServer, type CapturingLogger } from './fixtures/harness.js';

const SECRET = 'db password is hunter2';

/** getUser ids with a special failure. */
class FailingStore extends UserStore {
  override getUser(id: bigint): User {
    switch (id) {
      case 13n:
        throw new Error(SECRET);
      case 14n:
        return Promise.reject(new TypeError(`${SECRET} (async)`)) as never;
      case 15n:
        throw `${SECRET} (not an Error)`;
      case 16n:
        // A value the IDL does not allow (required email missing): it cannot be encoded.
        return { id } as User;
      case 404n:
        throw new RpcError(ErrorCode.NOT_FOUND, 'shard 7 has no such user');
      case 403n:
        throw new RpcError(ErrorCode.PERMISSION_DENIED, 'not in this tenant');
      default:
        return super.getUser(id);
    }
  }
}

const COMBINATIONS: ReadonlyArray<{ framing: Framing; protocol: WireProtocol }> = [
  { framing: 'header', protocol: 'compact' },
  { framing: 'framed', protocol: 'binary' },
];
const generous = { timeoutMs: 10_000 };

describe.each(COMBINATIONS)('errors over $framing framing, $protocol protocol', ({ framing, protocol }) => {
  const cleanup = new Cleanup();
  let logger: CapturingLogger;
  let users: UserServiceClient;
  let orders: OrderServiceClient;

  beforeAll(async () => {
    logger = capturingLogger();
    const { port } = await startServer(cleanup, (s) => s.addService(UserService, new FailingStore(() => 1n)), { logger });
    const channel = openChannel(cleanup, port, { framing, protocol });
    users = new UserServiceClient(channel);
    orders = new OrderServiceClient(channel);
  });
  afterAll(() => cleanup.run());

  it('declared exceptions arrive as instances of the generated classes, fields intact', async () => {
    const notFound = await rejection(users.getUser(77n, generous));
    expect(notFound).toBeInstanceOf(NotFound);
    expect(notFound).toBeInstanceOf(Error);
    expect(notFound).not.toBeInstanceOf(RpcError);
    expect(notFound).toMatchObject({ name: 'NotFound', message: 'no user 77', entity: 'user', id: '77' });

    await users.createUser({ email: 'taken@example.com', role: Role.VIEWER }, generous);
    const taken = await rejection(users.createUser({ email: 'taken@example.com', role: Role.VIEWER }, generous));
    expect(taken).toBeInstanceOf(EmailTaken);
    expect(taken).toMatchObject({ name: 'EmailTaken', message: 'taken@example.com is taken', email: 'taken@example.com' });

    const invalid = await rejection(users.createUser({ email: 'nope', role: Role.VIEWER }, generous));
    expect(invalid).toBeInstanceOf(InvalidArgument);
    expect(invalid).toMatchObject({ message: 'email needs an @', field: 'email' });
  });

  it.each([
    ['a thrown Error', 13n],
    ['a rejected promise', 14n],
    ['a thrown non-Error', 15n],
  ])('a handler crash (%s) is INTERNAL on the client, without the original message or stack', async (_, id) => {
    const before = logger.entries.length;
    const error = await rejection(users.getUser(id, generous));
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(ErrorCode.INTERNAL);
    const message = (error as RpcError).message;
    expect(message).not.toContain('hunter2');
    expect(message).not.toMatch(/\bat .*:\d+:\d+/);
    expect(message).not.toContain('.ts');
    // The server logs what it did not send.
    const logged = logger.entries.slice(before).filter((e) => e.level === 'error');
    expect(logged).toHaveLength(1);
    expect(String(logged[0]!.fields?.['error'])).toContain('hunter2');
  });

  it('a handler result that does not encode is INTERNAL on the client and logged on the server', async () => {
    const before = logger.entries.length;
    const error = await rejection(users.getUser(16n, generous));
    expect((error as RpcError).code).toBe(ErrorCode.INTERNAL);
    expect(logger.entries.slice(before).some((e) => e.level === 'error')).toBe(true);
    // The connection is fine afterwards.
    expect(await users.ping(generous)).toBe('pong');
  });

  it('an RpcError thrown by a handler reaches the client with its code', async () => {
    const notFound = await rejection(users.getUser(404n, generous));
    const denied = await rejection(users.getUser(403n, generous));
    expect(notFound).toBeInstanceOf(RpcError);
    expect(denied).toBeInstanceOf(RpcError);
    if (framing === 'header') {
      // The skiff-status header carries the exact code.
      expect((notFound as RpcError).code).toBe(ErrorCode.NOT_FOUND);
      expect((denied as RpcError).code).toBe(ErrorCode.PERMISSION_DENIED);
    } else {
      // A bare framed reply has only TApplicationException's type (docs/protocol.md, "Errors"):
      // NOT_FOUND travels as UNKNOWN_METHOD (-> UNIMPLEMENTED), PERMISSION_DENIED as UNKNOWN.
      expect((notFound as RpcError).code).toBe(ErrorCode.UNIMPLEMENTED);
      expect((denied as RpcError).code).toBe(ErrorCode.UNKNOWN);
    }
    expect((notFound as RpcError).message).toContain('shard 7 has no such user');
  });

  it('calling a method the server does not serve is UNIMPLEMENTED, and the connection goes on', async () => {
    const error = await rejection(orders.getOrder(1n, generous));
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(ErrorCode.UNIMPLEMENTED);
    expect((error as RpcError).message).toContain('getOrder');
    expect(await orders.ping(generous)).toBe('pong');
  });
});
