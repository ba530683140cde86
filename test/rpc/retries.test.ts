/**
 * Retries: calls that never ran go to another server whatever the method; idempotent calls are
 * retried after a connection failure, others are not; a budget bounds retries.
 */
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createChannel, createServer, roundRobin, RpcError, silentLogger, type ChannelOptions, type Server } from 'skiff/runtime';
import { CompactReader, CompactWriter, MessageType } from '../../runtime/index.js';
import { FrameDecoder } from '../../runtime/protocol/frame-decoder.js';
import { unwrapFrame } from '../../runtime/protocol/framing.js';
import { beginHeaderFrame, endFrame, HeaderProtocolId } from '../../runtime/protocol/header.js';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';
import { waitFor } from './fixtures/harness.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(host: string, maxInFlight?: number): Promise<{ server: Server; port: number; calls: string[] }> {
  const calls: string[] = [];
  const s = createServer({
    logger: silentLogger,
    ...(maxInFlight === undefined ? {} : { maxInFlight }),
    interceptors: [(next) => (call) => (calls.push(call.method.name), next(call))],
  }).addService(UserService, new UserStore());
  const { port } = await s.listen({ port: 0, host });
  cleanups.push(() => s.close({ graceMs: 100 }));
  return { server: s, port, calls };
}

function client(options: ChannelOptions): UserServiceClient & { instances: () => ReadonlyArray<{ state: string }> } {
  const channel = createChannel(options);
  cleanups.push(() => channel.close());
  return Object.assign(new UserServiceClient(channel), { instances: () => channel.instances });
}

/** A server that answers `ping` and drops the connection on any other call, after reading it. */
async function droppingServer(host: string): Promise<{ port: number; dropped: string[] }> {
  const dropped: string[] = [];
  const s: NetServer = createNetServer((socket) => {
    const decoder = new FrameDecoder();
    socket.on('error', () => {});
    socket.on('data', (chunk) =>
      decoder.push(chunk, (frame) => {
        const incoming = unwrapFrame(frame);
        if (incoming.payload.length === 0) return;
        const call = new CompactReader(incoming.payload).readMessageBegin();
        if (call.name !== 'ping') {
          dropped.push(call.name);
          socket.destroy();
          return false;
        }
        const w = new CompactWriter();
        const mark = beginHeaderFrame(w, call.seqId, HeaderProtocolId.COMPACT);
        w.writeMessageBegin('ping', MessageType.REPLY, call.seqId);
        w.writeStructBegin();
        w.writeFieldBegin(11, 0);
        w.writeString('pong');
        w.writeFieldStop();
        w.writeStructEnd();
        endFrame(w, mark);
        socket.write(w.finish());
        return true;
      }),
    );
  });
  await new Promise<void>((resolve) => s.listen(0, host, resolve));
  cleanups.push(() => new Promise((resolve) => s.close(resolve)));
  return { port: (s.address() as { port: number }).port, dropped };
}

it('a call the server refused before running it is retried on another server, whatever the method', async () => {
  const full = await server('127.0.0.1', 0);
  const ok = await server('127.0.0.2');
  const users = client({ endpoints: [`127.0.0.1:${full.port}`, `127.0.0.2:${ok.port}`], balancer: roundRobin() });
  await users.ping({ timeoutMs: 5000 });
  await waitFor(() => users.instances().every((i) => i.state === 'ready'), 'all instances ready');
  // createUser is not idempotent: only the refusal (the handler never ran) makes it safe to retry.
  for (let i = 0; i < 6; i++) await users.createUser({ email: `u${i}@x.io`, role: 1 }, { timeoutMs: 5000 });
  expect(full.server.stats().rejected).toBeGreaterThanOrEqual(3);
  expect(full.calls).toEqual([]);
  expect(ok.calls.filter((name) => name === 'createUser')).toHaveLength(6);
});

it('after a connection failure, an idempotent call is retried elsewhere and a non-idempotent one is not', async () => {
  const dropping = await droppingServer('127.0.0.1');
  const ok = await server('127.0.0.2');
  // Outlier ejection off: it would (rightly) take the dropping server out of rotation.
  const users = client({
    endpoints: [`127.0.0.1:${dropping.port}`, `127.0.0.2:${ok.port}`],
    balancer: roundRobin(),
    backoff: { baseMs: 1, maxMs: 5 },
    outlierDetection: false,
  });

  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) {
    await users.ping({ timeoutMs: 5000 });
    await waitFor(() => users.instances().every((inst) => inst.state === 'ready'), 'all instances ready');
    // getUser is (idempotent): a call lost with its connection is sent again to the other server.
    const user = await users.getUser(1n, { timeoutMs: 5000 }).catch((e: unknown) => e);
    outcomes.push(user instanceof RpcError ? user.code : (user as { constructor: { name: string } }).constructor.name);
  }
  // The store is empty, so every getUser that ran ends in the declared NotFound, never UNAVAILABLE.
  expect(outcomes.every((o) => o === 'NotFound')).toBe(true);
  expect(dropping.dropped.filter((n) => n === 'getUser').length).toBeGreaterThan(0);

  const created: string[] = [];
  for (let i = 0; i < 6; i++) {
    await users.ping({ timeoutMs: 5000 });
    await waitFor(() => users.instances().every((inst) => inst.state === 'ready'), 'all instances ready');
    const result = await users.createUser({ email: `c${i}@x.io`, role: 1 }, { timeoutMs: 5000 }).catch((e: unknown) => e);
    created.push(result instanceof RpcError ? result.code : 'ok');
  }
  // createUser might have run before its connection died: it is not retried, the caller decides.
  expect(created).toContain('UNAVAILABLE');
  expect(created).toContain('ok');
  expect(created.filter((c) => c === 'UNAVAILABLE')).toHaveLength(dropping.dropped.filter((n) => n === 'createUser').length);
});

it('retries are bounded by the budget', async () => {
  const full = await server('127.0.0.1', 0);
  const users = client({ host: '127.0.0.1', port: full.port, retry: { maxAttempts: 5, budgetRatio: 0, maxBudget: 2 } });
  const first = await users.ping({ timeoutMs: 5000 }).catch((e: unknown) => e);
  expect((first as RpcError).code).toBe('RESOURCE_EXHAUSTED');
  // One attempt plus the two retries the budget held.
  expect(full.server.stats().rejected).toBe(3);
  await users.ping({ timeoutMs: 5000 }).catch(() => {});
  expect(full.server.stats().rejected).toBe(4);
});
