/**
 * Server-side backpressure: a client that sends requests but does not read the replies (or that
 * has too many calls running) makes the server stop reading that connection, so the calls it
 * starts (and the reply bytes it buffers) stop growing; other clients are served meanwhile, and
 * everything is answered once the client catches up.
 */
import { afterEach, expect, it } from 'vitest';
import { MessageType, silentLogger, TType, type CallContext } from 'skiff/runtime';
import { UserStore } from '../../demo/user-store.js';
import { UserHandler } from './fixtures/user-handler.js';
import { User, UserService, UserServiceClient, UserServiceGetUserArgs } from '../../generated/account/user_service.js';
import { buildRequest, Cleanup, deferred, openChannel, parseReply, RawClient, sleep, startServer, waitFor, within } from './fixtures/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A getUser request padded with a 1 KiB info header, so one 64 KiB socket read holds few of them. */
function paddedGetUser(seqId: number): Uint8Array {
  return buildRequest({
    framing: 'header',
    protocol: 'compact',
    name: 'getUser',
    seqId,
    headers: new Map([['pad', 'p'.repeat(1024)]]),
    writeArgs: (w) => UserServiceGetUserArgs.write(w, { id: BigInt(seqId) }),
  });
}

/** Waits until `count()` has not changed for `quietMs`; returns that value (bounded by `timeoutMs`). */
async function plateau(count: () => number, quietMs: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let last = count();
  let stableSince = Date.now();
  while (Date.now() - stableSince < quietMs) {
    if (Date.now() > until) throw new Error(`still growing after ${timeoutMs} ms (at ${count()})`);
    await sleep(25);
    const now = count();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
  }
  return last;
}

/** Waits until `count()` reaches `target`; fails if it makes no progress for `stallMs` (or after `timeoutMs`). */
async function progressTo(count: () => number, target: number, stallMs: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = count();
  let progressAt = Date.now();
  while (count() < target) {
    if (Date.now() > until) throw new Error(`reached ${count()} of ${target} in ${timeoutMs} ms`);
    if (Date.now() - progressAt > stallMs) throw new Error(`stuck at ${count()} of ${target}: no progress for ${stallMs} ms`);
    await sleep(25);
    if (count() !== last) {
      last = count();
      progressAt = Date.now();
    }
  }
}

/** A server whose getUser replies are 64 KiB, and a raw client that sent REQUESTS getUser calls without reading. */
async function stalledClient(): Promise<{ port: number; stalled: RawClient; invocations: () => number }> {
  let invocations = 0;
  class BigReplies extends UserStore {
    override getUser(id: bigint): User {
      invocations++;
      return User.create({ id, email: `${id}@example.com`, createdAt: 0n, displayName: String(id).padEnd(REPLY_BYTES, '.') });
    }
  }
  const { port } = await startServer(cleanup, (s) => s.addService(UserService, new BigReplies()), {
    logger: silentLogger,
    maxBufferedBytesPerConnection: 256 * 1024,
  });
  const stalled = await RawClient.connect(cleanup, port, { paused: true });
  for (let seqId = 1; seqId <= REQUESTS; seqId++) stalled.send(paddedGetUser(seqId));
  return { port, stalled, invocations: () => invocations };
}

const REPLY_BYTES = 64 * 1024;
const REQUESTS = 2000;

it('a client that never reads its replies: the server stops reading it (handler calls stop growing) while another client is served', async () => {
  const { port, invocations } = await stalledClient();
  await waitFor(() => invocations() > 0, 'the server to start answering');
  // 2,000 replies of 64 KiB are 128 MiB; the kernel's socket buffers take a few MiB of them, the
  // server's own buffer 256 KiB, then it must stop reading requests.
  const stalledAt = await plateau(invocations, 800, 15_000);
  expect(stalledAt).toBeGreaterThan(0);
  expect(stalledAt).toBeLessThan(REQUESTS / 2);

  // Another connection is served normally meanwhile.
  const other = new UserServiceClient(openChannel(cleanup, port));
  expect(await other.ping({ timeoutMs: 5000 })).toBe('pong');
  const user = await other.getUser(424_242n, { timeoutMs: 5000 });
  expect(user.displayName?.startsWith('424242.')).toBe(true);
  expect(invocations()).toBe(stalledAt + 1);
});

// The server pauses reading when replies not yet taken by the kernel pass
// maxBufferedBytesPerConnection; it must resume even when a later flush is taken whole (no
// 'drain' event follows a write that returned true).
it('once the stalled client reads, the server resumes and answers every request, none lost', async () => {
  const { stalled, invocations } = await stalledClient();
  await waitFor(() => invocations() > 0, 'the server to start answering');
  await plateau(invocations, 300, 15_000);
  stalled.resume();
  await progressTo(() => stalled.frames.length, REQUESTS, 3000, 20_000);
  const frames = stalled.frames;
  const seqIds = new Set<number>();
  for (const frame of frames) {
    const reply = parseReply(frame);
    expect(reply.message?.type).toBe(MessageType.REPLY);
    // Each reply's bytes are its own: bytes the socket still held queued were never reused.
    expect(Buffer.from(frame).includes(`${reply.message!.seqId}@example.com`)).toBe(true);
    seqIds.add(reply.message!.seqId);
  }
  expect(seqIds.size).toBe(REQUESTS);
  expect(invocations()).toBe(REQUESTS);
});

it('at maxInFlightPerConnection running calls the server stops reading that connection until calls finish', async () => {
  const MAX_IN_FLIGHT = 16;
  const REQUESTS = 500;
  const release = deferred();
  let running = 0;
  let started = 0;
  let maxRunning = 0;
  class Blocking extends UserHandler {
    override async getUser(id: bigint, ctx: CallContext): Promise<User> {
      // The other client's calls (metadata `who: other`) are not held.
      if (ctx.metadata['who'] === 'other') return User.create({ id, email: 'other@example.com', createdAt: 0n });
      started++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await release.promise;
      running--;
      return User.create({ id, email: `${id}@example.com`, createdAt: 0n });
    }
  }
  const { port } = await startServer(cleanup, (s) => s.addService(UserService, new Blocking()), {
    logger: silentLogger,
    maxInFlightPerConnection: MAX_IN_FLIGHT,
  });
  const greedy = await RawClient.connect(cleanup, port);
  for (let seqId = 1; seqId <= REQUESTS; seqId++) greedy.send(paddedGetUser(seqId));

  await waitFor(() => started >= MAX_IN_FLIGHT, 'the first calls to start');
  const stalledAt = await plateau(() => started, 300, 10_000);
  // The limit is exact: frames of a socket read beyond it wait in the frame decoder.
  expect(stalledAt).toBe(MAX_IN_FLIGHT);

  const other = new UserServiceClient(openChannel(cleanup, port));
  expect((await other.getUser(7n, { timeoutMs: 5000, metadata: { who: 'other' } })).email).toBe('other@example.com');

  release.resolve();
  const frames = await within(greedy.waitForFrames(REQUESTS, 10_000), 15_000, 'every reply after the calls finish');
  const ids = frames.map((frame) => {
    const reply = parseReply(frame);
    expect(reply.message?.type).toBe(MessageType.REPLY);
    reply.reader.readStructBegin();
    expect(reply.reader.readFieldBegin()).toBe(TType.STRUCT);
    return User.read(reply.reader).id;
  });
  expect(new Set(ids).size).toBe(REQUESTS);
  expect(started).toBe(REQUESTS);
  // Reading resumed in steps, each bounded like the first.
  expect(maxRunning).toBe(MAX_IN_FLIGHT);
});
