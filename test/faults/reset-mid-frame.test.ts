/**
 * Connections that die in the middle of a frame, cut by the fault proxy after a chosen number of
 * bytes: replies cut short on their way to the client, requests cut short on their way to the
 * server, by a reset (RST) or a close (FIN). Every pending call must fail cleanly (UNAVAILABLE,
 * promptly, never a hang or a wrong answer), the server must let go of the connection and its
 * calls, and the next calls must reconnect and succeed.
 */
import { afterEach, expect, it } from 'vitest';
import { createChannel, ErrorCode, RpcError, silentLogger, type Server } from 'skiff/runtime';
import { KitchenSink, KitchenSinkClient } from '../../generated/kitchen_sink.js';
import { FuzzKitchenSink } from '../../fuzz/fuzz-handlers.js';
import { Cleanup, seededRandom, startServer, waitFor, within } from '../rpc/fixtures/harness.js';
import { startFaultProxy, type CutOptions, type FaultProxy } from './fault-proxy.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A large reply: its frame spans many TCP segments, so a cut lands inside it. */
const BIG = 'x'.repeat(256 * 1024);

async function setup(): Promise<{ server: Server; proxy: FaultProxy; kitchen: KitchenSinkClient }> {
  const { server, port } = await startServer(cleanup, (s) => s.addService(KitchenSink, new FuzzKitchenSink()), { logger: silentLogger });
  const proxy = await startFaultProxy({ port });
  cleanup.add(() => proxy.close());
  // No retries: each call caught by a cut must show how it ended.
  const channel = createChannel({ endpoints: [proxy.endpoint], retry: false, backoff: { baseMs: 10, maxMs: 50 } });
  cleanup.add(() => channel.close());
  return { server, proxy, kitchen: new KitchenSinkClient(channel) };
}

/** Starts `count` big echo calls and resolves with how each ended. */
function bigCalls(kitchen: KitchenSinkClient, count: number, tag: string): Promise<Array<{ ok: boolean; code?: string }>> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      kitchen.echo(`${tag} ${i} ${BIG}`, { timeoutMs: 10_000 }).then(
        (reply) => {
          // A reply that arrives must be this call's own, whole.
          expect(reply).toBe(`${tag} ${i} ${BIG}`);
          return { ok: true };
        },
        (error: unknown) => ({ ok: false, code: error instanceof RpcError ? error.code : String(error) }),
      ),
    ),
  );
}

const cuts: ReadonlyArray<{ name: string; cut: (afterBytes: number) => CutOptions }> = [
  { name: 'a reply reset mid-frame', cut: (afterBytes) => ({ direction: 'toClient', afterBytes, how: 'reset' }) },
  { name: 'a reply closed (FIN) mid-frame', cut: (afterBytes) => ({ direction: 'toClient', afterBytes, how: 'close' }) },
  { name: 'a request reset mid-frame', cut: (afterBytes) => ({ direction: 'toServer', afterBytes, how: 'reset' }) },
  { name: 'a request closed (FIN) mid-frame', cut: (afterBytes) => ({ direction: 'toServer', afterBytes, how: 'close' }) },
];

for (const { name, cut } of cuts) {
  it(`${name}: pending calls fail UNAVAILABLE, the server lets go, later calls reconnect`, async () => {
    const { server, proxy, kitchen } = await setup();
    const random = seededRandom(name.length);
    let failed = 0;
    for (let round = 0; round < 10; round++) {
      expect(await kitchen.echo(`before ${round}`)).toBe(`before ${round}`);
      // Somewhere inside the second frame or later: never on a frame boundary by design.
      const afterBytes = BIG.length + Math.floor(random() * 3 * BIG.length);
      proxy.cut(cut(afterBytes));
      const outcomes = await within(bigCalls(kitchen, 6, `round ${round}`), 10_000, `the calls of round ${round}`);
      const failures = outcomes.filter((o) => !o.ok);
      for (const f of failures) expect(f.code).toBe(ErrorCode.UNAVAILABLE);
      failed += failures.length;
      await waitFor(() => server.stats().inFlight === 0, 'the server to let go of the cut calls');
    }
    await waitFor(() => server.connectionCount <= 1, 'the server to close the cut connections');
    expect(failed).toBeGreaterThan(0);
    expect(proxy.accepted).toBeGreaterThanOrEqual(10);
    expect(await kitchen.echo('after')).toBe('after');
  });
}
