/**
 * Many calls multiplexed on one connection, answered out of order: every reply must reach the
 * caller that sent the matching request (seqid matching), whatever order the server finishes in.
 */
import { afterEach, expect, it } from 'vitest';
import { silentLogger, type CallContext } from 'skiff/runtime';
import { User, UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserHandler } from './fixtures/user-handler.js';
import { Cleanup, deferred, openChannel, seededRandom, shuffled, startServer, within, type Deferred } from './fixtures/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const CALLS = 10_000;

/** Holds every getUser until all CALLS have arrived, then answers them in a shuffled order. */
class HoldingStore extends UserHandler {
  readonly held: Array<{ id: bigint; answer: Deferred<void> }> = [];
  readonly peers = new Set<string>();
  readonly releaseOrder: bigint[] = [];
  readonly allArrived = deferred();

  override async getUser(id: bigint, ctx: CallContext): Promise<User> {
    this.peers.add(ctx.peer);
    const answer = deferred();
    this.held.push({ id, answer });
    if (this.held.length === CALLS) this.allArrived.resolve();
    await answer.promise;
    // A value derived from the argument: a reply routed to the wrong caller cannot match.
    return User.create({ id, email: `user${id}@example.com`, createdAt: id * 3n });
  }

  release(random: () => number): void {
    for (const { id, answer } of shuffled(this.held, random)) {
      this.releaseOrder.push(id);
      answer.resolve();
    }
  }
}

it('10,000 concurrent calls on one connection, completed out of order, each answer reaches its caller', async () => {
  const store = new HoldingStore();
  // The server must hold all 10,000 calls at once to answer them out of order.
  const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, store), {
    logger: silentLogger,
    maxInFlightPerConnection: CALLS,
  });
  const client = new UserServiceClient(openChannel(cleanup, port, { connections: 1 }));

  const arrivals: bigint[] = [];
  const calls = Array.from({ length: CALLS }, (_, i) =>
    client.getUser(BigInt(i + 1), { timeoutMs: 30_000 }).then((user) => {
      arrivals.push(user.id);
      return user;
    }),
  );
  await within(store.allArrived.promise, 20_000, 'all calls reaching the server');
  expect(server.connectionCount).toBe(1);
  expect(store.peers.size).toBe(1);
  expect(new Set(store.held.map((h) => h.id)).size).toBe(CALLS);

  store.release(seededRandom(20240501));
  const users = await within(Promise.all(calls), 20_000, 'all replies');
  users.forEach((user, i) => {
    const id = BigInt(i + 1);
    expect(user.id).toBe(id);
    expect(user.email).toBe(`user${id}@example.com`);
    expect(user.createdAt).toBe(id * 3n);
  });
  // Replies arrived in the server's (shuffled) completion order, not in the order sent.
  expect(arrivals).toEqual(store.releaseOrder);
  expect(arrivals.slice(0, 100)).not.toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i + 1)));
});
