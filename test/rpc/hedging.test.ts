/**
 * Hedging: an idempotent call with no reply after `delayMs` gets a backup attempt on another
 * server; the first reply wins and the slow attempt is cancelled on its server. Not for
 * non-idempotent methods, not beyond the retry budget, not after the deadline.
 */
import { createServer as createNetServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createChannel, createServer, RpcError, silentLogger, type Balancer, type CallContext, type ChannelOptions } from 'skiff/runtime';
import { UserService, UserServiceClient, type CreateUserRequest, type User } from '../../generated/account/user_service.js';
import { rejection, waitFor } from './fixtures/harness.js';
import { UserHandler } from './fixtures/user-handler.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Resolves after `ms`, or rejects when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

/** A store whose ping and createUser take `delayMs`; counts calls and calls cancelled by the client. */
class Delayed extends UserHandler {
  cancelled = 0;
  constructor(private readonly delayMs: number) {
    super();
  }
  override async ping(ctx: CallContext): Promise<string> {
    await this.wait(ctx);
    return 'pong';
  }
  override async createUser(request: CreateUserRequest, ctx: CallContext): Promise<User> {
    await this.wait(ctx);
    return this.store.createUser(request);
  }
  private async wait(ctx: CallContext): Promise<void> {
    if (this.delayMs === 0) return;
    try {
      await pause(this.delayMs, ctx.signal);
    } catch (error) {
      this.cancelled++;
      throw error;
    }
  }
}

interface TestServer {
  readonly key: string;
  readonly store: Delayed;
  readonly calls: string[];
}

async function server(host: string, delayMs: number): Promise<TestServer> {
  const store = new Delayed(delayMs);
  const calls: string[] = [];
  const s = createServer({ logger: silentLogger, interceptors: [(next) => (call) => (calls.push(call.method.name), next(call))] }).addService(
    UserService,
    store,
  );
  const { port } = await s.listen({ port: 0, host });
  cleanups.push(() => s.close({ graceMs: 100 }));
  return { key: `${host}:${port}`, store, calls };
}

/** Prefers the instances in `order` (first ready one wins): the test decides where first attempts go. */
function prefer(order: readonly string[]): Balancer {
  return { pick: (candidates) => order.map((key) => candidates.find((c) => c.key === key)).find((c) => c !== undefined) ?? candidates[0]! };
}

async function client(servers: readonly TestServer[], options: Partial<ChannelOptions>): Promise<UserServiceClient> {
  const channel = createChannel({ endpoints: servers.map((s) => s.key), balancer: prefer(servers.map((s) => s.key)), ...options });
  cleanups.push(() => channel.close());
  // Connect every instance before measuring (a warm-up call to the fast one).
  const users = new UserServiceClient(channel);
  await users.health({ timeoutMs: 5000 });
  await waitFor(() => channel.instances.every((i) => i.state === 'ready'), 'all instances ready');
  for (const s of servers) s.calls.length = 0;
  return users;
}

it('no reply after delayMs: a backup goes to another server, its reply wins, the slow attempt is cancelled there', async () => {
  const slow = await server('127.0.0.1', 5000);
  const fast = await server('127.0.0.2', 0);
  const users = await client([slow, fast], { hedging: { delayMs: 50 } });
  expect(await users.ping({ timeoutMs: 10_000 })).toBe('pong');
  expect(slow.calls).toEqual(['ping']);
  expect(fast.calls).toEqual(['ping']);
  // The loser is told to stop (a cancel control frame), so its handler's signal fires.
  await waitFor(() => slow.store.cancelled === 1, 'the slow attempt cancelled on its server');
});

it('a reply within delayMs: no backup', async () => {
  const fast = await server('127.0.0.1', 0);
  const other = await server('127.0.0.2', 0);
  const users = await client([fast, other], { hedging: { delayMs: 1000 } });
  for (let i = 0; i < 20; i++) await users.ping({ timeoutMs: 5000 });
  expect(fast.calls).toHaveLength(20);
  expect(other.calls).toEqual([]);
});

it('up to maxAttempts, each backup to a server not tried yet', async () => {
  const slow1 = await server('127.0.0.1', 5000);
  const slow2 = await server('127.0.0.2', 5000);
  const fast = await server('127.0.0.3', 0);
  const users = await client([slow1, slow2, fast], { hedging: { delayMs: 40, maxAttempts: 3 } });
  expect(await users.ping({ timeoutMs: 10_000 })).toBe('pong');
  expect([slow1.calls, slow2.calls, fast.calls]).toEqual([['ping'], ['ping'], ['ping']]);
  await waitFor(() => slow1.store.cancelled + slow2.store.cancelled === 2, 'both slow attempts cancelled');
});

it('never hedges a method that is not idempotent', async () => {
  const slow = await server('127.0.0.1', 300);
  const fast = await server('127.0.0.2', 0);
  const users = await client([slow, fast], { hedging: { delayMs: 20 } });
  const user = await users.createUser({ email: 'a@b.io', role: 1 }, { timeoutMs: 5000 });
  expect(user.email).toBe('a@b.io');
  expect(slow.calls).toEqual(['createUser']);
  expect(fast.calls).toEqual([]);
});

it('backups spend the retry budget: none once it is used up', async () => {
  const slow = await server('127.0.0.1', 300);
  const fast = await server('127.0.0.2', 0);
  const users = await client([slow, fast], { hedging: { delayMs: 20 }, retry: { budgetRatio: 0, maxBudget: 1 } });
  for (let i = 0; i < 3; i++) expect(await users.ping({ timeoutMs: 5000 })).toBe('pong');
  expect(slow.calls).toEqual(['ping', 'ping', 'ping']);
  expect(fast.calls).toEqual(['ping']);
});

it('no backup after the deadline: the call ends with DEADLINE_EXCEEDED', async () => {
  const slow = await server('127.0.0.1', 5000);
  const fast = await server('127.0.0.2', 0);
  const users = await client([slow, fast], { hedging: { delayMs: 200 } });
  const error = await rejection(users.ping({ timeoutMs: 50 }));
  expect(error).toBeInstanceOf(RpcError);
  expect((error as RpcError).code).toBe('DEADLINE_EXCEEDED');
  expect(fast.calls).toEqual([]);
});

it('with a single server there is no other instance: no backup, the call waits for its reply', async () => {
  const slow = await server('127.0.0.1', 100);
  const users = await client([slow], { hedging: { delayMs: 10 } });
  expect(await users.ping({ timeoutMs: 5000 })).toBe('pong');
  expect(slow.calls).toEqual(['ping']);
  expect(slow.store.cancelled).toBe(0);
});

it('an attempt whose connection dies is replaced at once on another server (not with retries off)', async () => {
  // Accepts connections and drops each one when a request arrives.
  const dropping = createNetServer((socket) => socket.once('data', () => socket.destroy()).on('error', () => {}));
  await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => dropping.close(resolve)));
  const droppingKey = `127.0.0.1:${(dropping.address() as { port: number }).port}`;
  const fast = await server('127.0.0.2', 0);
  const outcomes: string[] = [];
  for (const retry of [undefined, false] as const) {
    const channel = createChannel({
      endpoints: [droppingKey, fast.key],
      balancer: prefer([droppingKey, fast.key]),
      // Far beyond the deadline: only a replacement, never a backup, can answer in time.
      hedging: { delayMs: 60_000 },
      outlierDetection: false,
      backoff: { baseMs: 1, maxMs: 5 },
      ...(retry === undefined ? {} : { retry }),
    });
    cleanups.push(() => channel.close());
    const users = new UserServiceClient(channel);
    for (let k = 0; k < 100 && !channel.instances.every((i) => i.state === 'ready'); k++) {
      await users.health({ timeoutMs: 5000 }).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(channel.instances.map((i) => i.state)).toEqual(['ready', 'ready']);
    fast.calls.length = 0;
    const outcome = await users.ping({ timeoutMs: 2000 }).catch((e: unknown) => (e as RpcError).code);
    outcomes.push(`${outcome} ${fast.calls.join(',')}`);
  }
  expect(outcomes).toEqual(['pong ping', 'UNAVAILABLE ']);
});

it('rejects bad settings when the channel is created', () => {
  expect(() => createChannel({ host: '127.0.0.1', port: 1, hedging: { delayMs: 0 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  expect(() => createChannel({ host: '127.0.0.1', port: 1, hedging: { delayMs: 10, maxAttempts: 0 } })).toThrow(
    expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
  );
});
