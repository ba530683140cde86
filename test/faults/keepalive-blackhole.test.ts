/**
 * A connection black-holed by the fault proxy (nothing forwarded, nothing closed: TCP reports
 * nothing) is found by the client's keepalive within its bound, keepaliveMs (when the next ping
 * goes out, at most two intervals after the last frame) plus keepaliveTimeoutMs: the calls
 * pending on it fail UNAVAILABLE, and new calls go to the other server.
 */
import { afterEach, expect, it } from 'vitest';
import { createChannel, ErrorCode, RpcError, silentLogger } from 'skiff/runtime';
import { KitchenSink, KitchenSinkClient } from '../../generated/kitchen_sink.js';
import { FuzzKitchenSink } from '../../fuzz/fuzz-handlers.js';
import { Cleanup, startServer, waitFor, within } from '../rpc/fixtures/harness.js';
import { startFaultProxy } from './fault-proxy.js';

const KEEPALIVE_MS = 200;
const KEEPALIVE_TIMEOUT_MS = 300;
/** Latest a dead connection may be found: the ping waits up to two intervals, then its timeout; plus timer slack. */
const DETECTION_BOUND_MS = 2 * KEEPALIVE_MS + KEEPALIVE_TIMEOUT_MS + 200;

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A KitchenSink server counting the calls it ran. */
async function countingServer(): Promise<{ port: number; calls: () => number }> {
  let calls = 0;
  const { port } = await startServer(cleanup, (s) => s.addService(KitchenSink, new FuzzKitchenSink()), {
    logger: silentLogger,
    interceptors: [(next) => (call) => (calls++, next(call))],
  });
  return { port, calls: () => calls };
}

it('a black-holed connection: keepalive finds it within its bound, pending calls fail UNAVAILABLE, new calls go to the other server', async () => {
  const behindProxy = await countingServer();
  const direct = await countingServer();
  const proxy = await startFaultProxy({ port: behindProxy.port });
  cleanup.add(() => proxy.close());
  // No retries: a call caught on the dead connection must show how it ended.
  const channel = createChannel({
    endpoints: [proxy.endpoint, `127.0.0.1:${direct.port}`],
    keepaliveMs: KEEPALIVE_MS,
    keepaliveTimeoutMs: KEEPALIVE_TIMEOUT_MS,
    retry: false,
  });
  cleanup.add(() => channel.close());
  const kitchen = new KitchenSinkClient(channel);
  // The first call starts connections to both; the balancer spreads the rest.
  for (let i = 0; i < 20; i++) await kitchen.echo(`warm-up ${i}`);
  await waitFor(() => channel.instances.filter((i) => i.state === 'ready').length === 2, 'both servers connected');
  for (let i = 0; i < 20; i++) await kitchen.echo(`warm-up ${i}`);
  expect(behindProxy.calls()).toBeGreaterThan(0);

  proxy.blackhole();
  const blackholedAt = Date.now();
  // Calls without a deadline: only keepalive can end the ones that land on the dead connection.
  const outcomes = await within(
    Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        kitchen.echo(`during ${i}`).then(
          () => ({ ok: true, code: undefined, afterMs: Date.now() - blackholedAt }),
          (error: unknown) => ({ ok: false, code: error instanceof RpcError ? error.code : String(error), afterMs: Date.now() - blackholedAt }),
        ),
      ),
    ),
    5000,
    'the calls made during the black hole',
  );
  const failed = outcomes.filter((o) => !o.ok);
  console.log(`black hole: ${failed.length} of ${outcomes.length} calls were on the dead connection, failed after ${failed.map((o) => o.afterMs).join(', ')} ms`);
  expect(failed.length).toBeGreaterThan(0);
  for (const outcome of failed) {
    expect(outcome.code).toBe(ErrorCode.UNAVAILABLE);
    expect(outcome.afterMs).toBeLessThanOrEqual(DETECTION_BOUND_MS);
  }

  // The failures took the proxied server out of rotation: new calls all reach the direct one.
  const directBefore = direct.calls();
  for (let i = 0; i < 30; i++) expect(await kitchen.echo(`after ${i}`, { timeoutMs: 2000 })).toBe(`after ${i}`);
  expect(direct.calls() - directBefore).toBe(30);
});

it('a connection black-holed from its first byte is closed by keepalive too, not left to the deadline', async () => {
  // Known gap (runtime/client/call-connection.ts, startKeepalive): pings go out only after the
  // server has announced control support, and a connection that never received a byte never
  // heard that announcement, so nothing is ever pinged and the call waits for its deadline.
  const server = await countingServer();
  const proxy = await startFaultProxy({ port: server.port });
  cleanup.add(() => proxy.close());
  proxy.blackhole();
  const channel = createChannel({ endpoints: [proxy.endpoint], keepaliveMs: KEEPALIVE_MS, keepaliveTimeoutMs: KEEPALIVE_TIMEOUT_MS, retry: false });
  cleanup.add(() => channel.close());
  const startedAt = Date.now();
  const error = await new KitchenSinkClient(channel).echo('into the void', { timeoutMs: 5000 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RpcError);
  expect((error as RpcError).code).toBe(ErrorCode.UNAVAILABLE);
  expect(Date.now() - startedAt).toBeLessThanOrEqual(DETECTION_BOUND_MS + KEEPALIVE_MS);
});
