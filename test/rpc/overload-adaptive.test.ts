/**
 * The adaptive limiter at ten times a server's capacity. The server's `ping` goes through a
 * simulated resource that serves CAPACITY calls at a time for SERVICE_MS each (a connection
 * pool, a disk...): beyond that, calls wait in its queue, so latency grows with concurrency.
 * Several clients send calls at ~10x the rate the resource can serve, for LOAD_MS, once with the
 * adaptive limiter and once with only the default `maxInFlight`:
 * - with it, admitted calls keep a bounded p99, the rest are refused with RESOURCE_EXHAUSTED
 *   within milliseconds, calls in flight stay few (bounded memory), the resource stays busy;
 * - without it, everything is admitted and latency balloons to the clients' deadline.
 */
import { afterEach, expect, it } from 'vitest';
import { createChannel, createServer, RpcError, silentLogger, type ClientChannel, type Server, type ServerInterceptor, type ServerOptions } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';

const CAPACITY = 4;
const SERVICE_MS = 10;
/** Calls per second the resource can serve. */
const CAPACITY_RATE = (CAPACITY * 1000) / SERVICE_MS;
const OFFERED_RATE = 10 * CAPACITY_RATE;
const CLIENTS = 4;
const LOAD_MS = 1500;
const TIMEOUT_MS = 2000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Serves CAPACITY calls at a time, each for SERVICE_MS; the rest wait in FIFO order (leaving when aborted). */
class Resource {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];

  async use(signal: AbortSignal): Promise<void> {
    if (this.busy >= CAPACITY) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const i = this.waiting.indexOf(grant);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal.reason as Error);
        };
        const grant = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiting.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.busy++;
    }
    try {
      await new Promise((resolve) => setTimeout(resolve, SERVICE_MS));
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.busy--;
      else next(); // the slot passes straight to the next waiter
    }
  }
}

interface RunResult {
  okLatencies: number[];
  /** Latencies of successful calls sent after the first 500 ms (the limiter has settled). */
  okSettled: number[];
  rejectedLatencies: number[];
  deadlineExceeded: number;
  other: string[];
  peakInFlight: number;
  limits: number[];
  elapsedMs: number;
}

function p(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function run(options: ServerOptions): Promise<{ server: Server; result: RunResult }> {
  const resource = new Resource();
  const useResource: ServerInterceptor = (next) => async (call) => {
    if (call.method.name === 'ping') await resource.use(call.ctx.signal);
    return next(call);
  };
  const server = createServer({ logger: silentLogger, interceptors: [useResource], ...options }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => server.close({ graceMs: 500 }));
  const clients: UserServiceClient[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const channel: ClientChannel = createChannel({ host: '127.0.0.1', port, connections: 1 });
    cleanups.push(() => channel.close());
    clients.push(new UserServiceClient(channel));
  }
  for (const client of clients) expect(await client.health({ timeoutMs: 10_000 })).toBeDefined();

  const result: RunResult = { okLatencies: [], okSettled: [], rejectedLatencies: [], deadlineExceeded: 0, other: [], peakInFlight: 0, limits: [], elapsedMs: 0 };
  const calls: Array<Promise<void>> = [];
  let start = 0;
  const one = (client: UserServiceClient): void => {
    const started = performance.now();
    calls.push(
      client.ping({ timeoutMs: TIMEOUT_MS }).then(
        () => {
          result.okLatencies.push(performance.now() - started);
          if (started - start >= 500) result.okSettled.push(performance.now() - started);
        },
        (error: unknown) => {
          const code = error instanceof RpcError ? error.code : String(error);
          if (code === 'RESOURCE_EXHAUSTED') result.rejectedLatencies.push(performance.now() - started);
          else if (code === 'DEADLINE_EXCEEDED') result.deadlineExceeded++;
          else result.other.push(code);
        },
      ),
    );
  };

  // Open loop: each tick sends what the offered rate owes since the start, whatever the replies.
  start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - start;
      const stats = server.stats();
      result.peakInFlight = Math.max(result.peakInFlight, stats.inFlight);
      result.limits.push(stats.limit);
      const owed = Math.floor((Math.min(elapsed, LOAD_MS) * OFFERED_RATE) / 1000);
      for (; sent < owed; sent++) one(clients[sent % CLIENTS]!);
      if (elapsed >= LOAD_MS) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  await Promise.all(calls);
  result.elapsedMs = performance.now() - start;
  result.okLatencies.sort((a, b) => a - b);
  result.rejectedLatencies.sort((a, b) => a - b);
  result.okSettled.sort((a, b) => a - b);
  return { server, result };
}

function summary(name: string, r: RunResult): string {
  const f = (n: number): string => n.toFixed(1);
  const total = r.okLatencies.length + r.rejectedLatencies.length + r.deadlineExceeded + r.other.length;
  return (
    `${name}: ${total} calls in ${f(r.elapsedMs)} ms; ok ${r.okLatencies.length} (p50 ${f(p(r.okLatencies, 0.5))} ms, p99 ${f(p(r.okLatencies, 0.99))} ms, ` +
    `max ${f(r.okLatencies.at(-1) ?? NaN)} ms; after 500 ms: p50 ${f(p(r.okSettled, 0.5))} ms, p99 ${f(p(r.okSettled, 0.99))} ms); RESOURCE_EXHAUSTED ${r.rejectedLatencies.length} (p99 ${f(p(r.rejectedLatencies, 0.99))} ms); ` +
    `DEADLINE_EXCEEDED ${r.deadlineExceeded}; other ${r.other.length}; peak in flight ${r.peakInFlight}; ` +
    `final limit ${r.limits.at(-1)}`
  );
}

it('at 10x capacity the adaptive limiter keeps admitted latency near its minimum and refuses the rest fast', { timeout: 20_000 }, async () => {
  const adaptive = await run({ adaptiveLimit: true });
  const baseline = await run({});
  console.log(`capacity ${CAPACITY_RATE} calls/s, offered ${OFFERED_RATE} calls/s from ${CLIENTS} clients for ${LOAD_MS} ms`);
  console.log(summary('adaptive', adaptive.result));
  console.log(summary('baseline', baseline.result));
  const a = adaptive.result;
  const b = baseline.result;

  // Nothing but successes, fast refusals (and, at worst, a few deadlines) with the limiter.
  expect(a.other).toEqual([]);
  expect(a.deadlineExceeded).toBeLessThan(a.okLatencies.length * 0.01 + 1);
  // Most calls were shed, fast: the limiter refuses instead of queueing.
  expect(a.rejectedLatencies.length).toBeGreaterThan(a.okLatencies.length);
  expect(p(a.rejectedLatencies, 0.99)).toBeLessThan(500);
  // The limiter did not collapse: the resource served a good share of its capacity (about 90%
  // on an idle 2-core machine; the bound leaves room for a loaded one).
  expect(a.okLatencies.length).toBeGreaterThan(0.25 * CAPACITY_RATE * (LOAD_MS / 1000));
  // Admitted calls: bounded p99, far below the baseline's (which nears the clients' deadline).
  expect(p(a.okLatencies, 0.99)).toBeLessThan(1000);
  expect(p(a.okLatencies, 0.99) * 2).toBeLessThan(p(b.okLatencies, 0.99));
  expect(p(a.okLatencies, 0.5) * 10).toBeLessThan(p(b.okLatencies, 0.5));
  // Bounded memory: few calls in flight, and a limit near the resource's capacity.
  expect(a.peakInFlight).toBeLessThanOrEqual(64);
  expect(a.limits.at(-1)).toBeGreaterThanOrEqual(CAPACITY / 2);
  expect(a.limits.at(-1)).toBeLessThanOrEqual(8 * CAPACITY);

  // Without the limiter everything queues: latency balloons toward the deadline, calls time out.
  expect(b.peakInFlight).toBeGreaterThan(10 * a.peakInFlight);
  expect(b.deadlineExceeded + b.okLatencies.filter((l) => l > TIMEOUT_MS / 2).length).toBeGreaterThan(100);

  // The server stays up.
  for (const { server } of [adaptive, baseline]) expect(server.state).toBe('listening');
});
