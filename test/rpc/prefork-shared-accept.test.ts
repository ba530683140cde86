/**
 * Prefork with shared accept (runtime/server/prefork.ts, model `shared-accept`): node:cluster
 * with SCHED_NONE, every worker process accepts on the one listening socket. The shared contract
 * (prefork-harness.ts), plus: a worker module that fails to start fails `startPrefork` and leaves
 * no process behind.
 */
import cluster from 'node:cluster';
import { describe, expect, it } from 'vitest';
import { pidOf, client, preforkContract, start } from './fixtures/prefork-harness.js';

describe('prefork, shared-accept', () => {
  preforkContract('shared-accept');

  it('uses cluster with SCHED_NONE (workers accept; the primary does not hand out connections)', async () => {
    const { prefork } = await start('shared-accept');
    expect(cluster.schedulingPolicy).toBe(cluster.SCHED_NONE);
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(2);
    expect(prefork.workers().map((w) => w.pid)).toContain(await pidOf(client(prefork)));
  });

  it('a worker that fails to start fails startPrefork, and no worker is left running', async () => {
    const before = Object.keys(cluster.workers ?? {}).length;
    const error = await start('shared-accept', { env: { PREFORK_TEST_FAIL: 'boom at start' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).toContain('boom at start');
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(before);
  });
});
