/**
 * Prefork with descriptor handoff (runtime/server/prefork.ts, model `handoff`): the primary
 * accepts and sends each connection's socket to a worker process chosen by a picker. The shared
 * contract (prefork-harness.ts) plus the worker choice: round robin and least connections.
 */
import { describe, expect, it } from 'vitest';
import { UserServiceClient } from '../../generated/account/user_service.js';
import { openChannel, waitFor } from './fixtures/harness.js';
import { cleanup, client, livePids, pidOf, preforkContract, start } from './fixtures/prefork-harness.js';

describe('prefork, handoff', () => preforkContract('handoff'));

describe('prefork, handoff worker choice', () => {
  it('round robin hands connections to each worker in turn', async () => {
    const { prefork } = await start('handoff', { pick: 'round-robin' });
    const [w0, w1] = livePids(prefork);
    const served: number[] = [];
    for (let i = 0; i < 4; i++) served.push(await pidOf(client(prefork)));
    expect(served).toEqual([w0, w1, w0, w1]);
  });

  it('least connections hands a new connection to the worker with fewer open connections', async () => {
    const { prefork } = await start('handoff', { pick: 'least-connections' });
    const [w0, w1] = livePids(prefork);
    const counts = (): number[] => prefork.workers().map((w) => w.connections);
    const open = async (): Promise<{ pid: number; close: () => Promise<void> }> => {
      const channel = openChannel(cleanup, prefork.port, { connections: 1 });
      const pid = Number(await new UserServiceClient(channel).ping({ timeoutMs: 10_000 }));
      return { pid, close: () => channel.close() };
    };

    const c1 = await open(); // 0/0 -> slot 0
    const c2 = await open(); // 1/0 -> slot 1
    const c3 = await open(); // 1/1 -> slot 0 (the lower slot among equals)
    expect([c1.pid, c2.pid, c3.pid]).toEqual([w0, w1, w0]);
    expect(counts()).toEqual([2, 1]);

    await c2.close();
    await waitFor(() => counts()[1] === 0, 'the primary to learn that the connection closed');
    const c4 = await open(); // 2/0 -> slot 1
    const c5 = await open(); // 2/1 -> slot 1 (round robin would pick slot 0 here)
    expect([c4.pid, c5.pid]).toEqual([w1, w1]);
    expect(counts()).toEqual([2, 2]);
  });
});
