/**
 * Concurrency model 4, the worker-thread pool (runtime/server/worker-pool.ts and
 * worker-thread.ts): methods declared `(worker.thread)` run in threads that load
 * fixtures/password-thread.mjs, the rest on the event loop.
 */
import { pbkdf2Sync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BroadcastChannel } from 'node:worker_threads';
import { ErrorCode, RpcError, type Server, type ServerInterceptor, type ServerOptions } from 'skiff/runtime';
import { PasswordService, PasswordServiceClient, WeakParameters, type PasswordServiceHandler } from '../../generated/security/password_service.js';
import { buildChildBundle, type ChildBundle } from './fixtures/child-bundle.js';
import { capturingLogger, Cleanup, openChannel, rejection, startServer, waitFor, within } from './fixtures/harness.js';

const THREAD_MODULE = new URL('./fixtures/password-thread.mjs', import.meta.url);
const cleanup = new Cleanup();
let bundle: ChildBundle;

beforeAll(() => {
  bundle = buildChildBundle();
});
afterAll(() => bundle.dispose());
afterEach(() => cleanup.run());

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The event loop's handler: `derivations` runs here; `derive` here only if the pool is not used. */
class LoopHasher implements PasswordServiceHandler {
  derive(password: string): { key: Uint8Array; iterations: number } {
    return { key: new TextEncoder().encode(password === 'thread' ? 'event loop' : 'unexpected'), iterations: 1 };
  }
  verify(): boolean {
    throw new Error('verify should run on the worker threads');
  }
  derivations(): bigint {
    return 42n;
  }
}

async function start(options: Partial<ServerOptions> & { mode?: string; threads?: number } = {}): Promise<{ server: Server; client: PasswordServiceClient }> {
  const { mode, threads, ...serverOptions } = options;
  const { server, port } = await startServer(cleanup, (s) => s.addService(PasswordService, new LoopHasher()), {
    logger: capturingLogger(),
    workerThreads: { module: THREAD_MODULE, threads: threads ?? 2, argv: mode === undefined ? [bundle.dir] : [bundle.dir, mode] },
    ...serverOptions,
  });
  return { server, client: new PasswordServiceClient(openChannel(cleanup, port)) };
}

function threadEvents(): { next: () => Promise<{ aborted: string }> } {
  const channel = new BroadcastChannel('password-thread-events');
  const queue: Array<{ aborted: string }> = [];
  channel.onmessage = (event) => queue.push((event as { data: { aborted: string } }).data);
  cleanup.add(() => channel.close());
  return {
    async next() {
      await waitFor(() => queue.length > 0, 'an event from the worker thread');
      return queue.shift() as { aborted: string };
    },
  };
}

describe('worker-thread pool', () => {
  it('runs (worker.thread) methods in the threads and the others on the event loop', async () => {
    const { server, client } = await start();
    const threadId = Number(text((await client.derive('thread', new Uint8Array(0), 1)).key));
    expect(threadId).toBeGreaterThan(0);
    expect(await client.derivations()).toBe(42n);
    const salt = new Uint8Array([1, 2, 3, 4]);
    const derived = await client.derive('hunter2', salt, 1000);
    expect(Buffer.from(derived.key)).toEqual(pbkdf2Sync('hunter2', salt, 1000, 32, 'sha256'));
    expect(await client.verify('hunter2', salt, derived)).toBe(true);
    expect(await client.verify('hunter3', salt, derived)).toBe(false);
    expect(server.stats().workerThreads).toEqual({ threads: 2, ready: 2, inFlight: 0, restarts: 0 });
  });

  it('spreads concurrent calls over the threads, each reply matching its own arguments', async () => {
    const { client } = await start();
    const calls = Array.from({ length: 200 }, (_, i) => {
      const salt = new Uint8Array(1024 + i).fill(i & 0xff);
      return client.derive(`password-${i}`, salt, 10 + i).then((result) => ({ i, salt, result }));
    });
    for (const { i, salt, result } of await Promise.all(calls)) {
      expect(result.iterations).toBe(10 + i);
      expect(Buffer.from(result.key)).toEqual(pbkdf2Sync(`password-${i}`, salt, 10 + i, 32, 'sha256'));
    }
    // Least loaded first: two calls at once go to the two threads.
    const busy = await Promise.all([client.derive('block:100', new Uint8Array(0), 1), client.derive('block:100', new Uint8Array(0), 1)]);
    expect(new Set(busy.map((k) => text(k.key))).size).toBe(2);
  });

  it('keeps the event loop answering while every thread is busy', async () => {
    const { server, client } = await start();
    let heavyDone = 0;
    const heavy = Array.from({ length: 4 }, () => client.derive('block:300', new Uint8Array(0), 1).then(() => heavyDone++));
    await waitFor(() => server.stats().workerThreads?.inFlight === 4, 'the heavy calls to reach the threads');
    for (let i = 0; i < 20; i++) expect(await client.derivations()).toBe(42n);
    expect(heavyDone).toBe(0);
    await Promise.all(heavy);
  });

  it('answers declared exceptions, RpcErrors and crashes from a thread like the event loop does', async () => {
    const logger = capturingLogger();
    const { client } = await start({ logger });
    const weak = await rejection(client.derive('x', new Uint8Array(0), 0));
    expect(weak).toBeInstanceOf(WeakParameters);
    expect((weak as WeakParameters).message).toBe('iterations must be at least 1, not 0');
    const denied = await rejection(client.derive('denied', new Uint8Array(0), 1));
    expect(denied).toMatchObject({ code: ErrorCode.PERMISSION_DENIED, message: 'not for you' });
    const crash = await rejection(client.derive('crash', new Uint8Array(0), 1));
    expect(crash).toMatchObject({ code: ErrorCode.INTERNAL, message: 'internal error in PasswordService.derive' });
    expect(String((crash as RpcError).message)).not.toContain('secret');
    expect(logger.entries.some((e) => e.level === 'error' && String(e.fields?.['error']).includes('secret detail of the thread'))).toBe(true);
  });

  it('passes metadata and the deadline to the thread; a passed deadline or a cancel aborts the handler there', async () => {
    const { client } = await start();
    const events = threadEvents();
    expect(text((await client.derive('x', new Uint8Array(0), 1, { metadata: { echo: 'from the client' } })).key)).toBe('from the client');

    const late = await rejection(client.derive('wait-for-abort', new Uint8Array(0), 1, { timeoutMs: 100 }));
    expect(late).toMatchObject({ code: ErrorCode.DEADLINE_EXCEEDED });
    expect(await events.next()).toEqual({ aborted: ErrorCode.DEADLINE_EXCEEDED });

    const controller = new AbortController();
    const cancelled = rejection(client.derive('wait-for-abort', new Uint8Array(0), 1, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect(await cancelled).toMatchObject({ code: ErrorCode.CANCELLED });
    expect(await events.next()).toEqual({ aborted: ErrorCode.CANCELLED });
  });

  it('a thread that dies fails its calls with UNAVAILABLE and is replaced', async () => {
    const { server } = await start({ threads: 1 });
    // Without retries: derive is idempotent, and a retry would meet the same fate.
    const client = new PasswordServiceClient(openChannel(cleanup, (server.address() as { port: number }).port, { retry: false }));
    const dying = rejection(client.derive('exit', new Uint8Array(0), 1));
    expect(await within(dying, 5000, 'the call on the dying thread')).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    await waitFor(() => server.stats().workerThreads?.ready === 1, 'the replacement thread');
    expect(server.stats().workerThreads?.restarts).toBe(1);
    expect((await client.derive('y', new Uint8Array([9]), 5)).iterations).toBe(5);
  });

  it('close() lets running calls finish in the threads, then stops them', async () => {
    const { server, client } = await start();
    const running = client.derive('block:300', new Uint8Array(0), 7);
    await waitFor(() => server.stats().workerThreads?.inFlight === 1, 'the call to reach a thread');
    const report = await server.close({ graceMs: 5000 });
    expect((await running).iterations).toBe(7);
    expect(report).toMatchObject({ inFlightAtClose: 1, completed: 1, cutOff: 0 });
    expect(server.stats().workerThreads?.inFlight).toBe(0);
  });

  it('runs server interceptors on the event loop, before a call reaches a thread', async () => {
    const seen: unknown[] = [];
    const auth: ServerInterceptor = (next) => async (call) => {
      seen.push(call.args);
      if (call.ctx.metadata['token'] !== 'secret') throw new RpcError(ErrorCode.UNAUTHENTICATED, 'no token');
      return next(call);
    };
    const { server, client } = await start({ interceptors: [auth] });
    expect(await rejection(client.derive('thread', new Uint8Array(0), 1))).toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    expect(server.stats().workerThreads?.inFlight).toBe(0);
    const key = await client.derive('thread', new Uint8Array(0), 1, { metadata: { token: 'secret' } });
    expect(Number(text(key.key))).toBeGreaterThan(0);
    expect(await client.derivations({ metadata: { token: 'secret' } })).toBe(42n);
    // Offloaded arguments are decoded in the thread; the event loop's interceptors do not see them.
    expect(seen).toEqual([undefined, undefined, {}]);
  });

  it('serves stock framed clients in Binary on the threads too', async () => {
    const { server } = await start();
    const { port } = server.address() as { port: number };
    const client = new PasswordServiceClient(openChannel(cleanup, port, { framing: 'framed', protocol: 'binary' }));
    const salt = new Uint8Array([7, 7]);
    expect(Buffer.from((await client.derive('pw', salt, 3)).key)).toEqual(pbkdf2Sync('pw', salt, 3, 32, 'sha256'));
  });

  it('listen fails with a clear error when the threads cannot serve what they should', async () => {
    const setupFails = rejection(start({ mode: 'setup-fails' }));
    expect(await setupFails).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION, message: 'the worker-thread module failed to set up: the key store is unreachable' });
    const servesNothing = rejection(start({ mode: 'serves-nothing' }));
    expect(await servesNothing).toMatchObject({
      code: ErrorCode.FAILED_PRECONDITION,
      message: 'the worker-thread module does not serve PasswordService.derive, PasswordService.verify, which should run on the worker threads',
    });
    const unknown = rejection(start({ workerThreads: { module: THREAD_MODULE, methods: ['PasswordService.hash'], argv: [bundle.dir] } }));
    expect(await unknown).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, message: "workerThreads.methods names 'PasswordService.hash', which no registered service has" });
  });

  it('offloads methods named in the options, whatever the IDL says', async () => {
    const { client } = await start({ workerThreads: { module: THREAD_MODULE, threads: 1, methods: ['PasswordService.derivations'], argv: [bundle.dir] } });
    expect(await client.derivations()).toBe(-1n);
  });
});

describe('without a pool', () => {
  it('(worker.thread) methods run on the event loop', async () => {
    const { port } = await startServer(cleanup, (s) => s.addService(PasswordService, new LoopHasher()));
    const client = new PasswordServiceClient(openChannel(cleanup, port));
    expect(text((await client.derive('thread', new Uint8Array(0), 1)).key)).toBe('event loop');
  });

  it('serveInWorkerThread refuses to run on the main thread', async () => {
    const { serveInWorkerThread } = await import('skiff/runtime');
    await expect(serveInWorkerThread(() => {})).rejects.toMatchObject({ code: ErrorCode.FAILED_PRECONDITION });
  });
});
