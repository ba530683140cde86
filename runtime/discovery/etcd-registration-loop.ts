/**
 * The run loop of an {@link etcdRegistration} (see `etcd-registration.ts`): grant a lease, put
 * the key, keep the lease alive, register again when it is lost; failures are retried with
 * backoff. `etcdRegistration` loads this module when it starts, so that importing the runtime
 * does not parse it (issue 8).
 */
import { backoffDelayMs } from '../internal/backoff.js';
import { sleepUnlessAborted } from '../internal/sleep.js';
import type { EtcdClient } from './etcd-client.js';
import type { EtcdRegistrationRecord, etcdRegistration } from './etcd-registration.js';

/** Runs `record`'s registration until `record.stop` is aborted (`close()` deregisters). */
export async function runEtcdRegistration(record: EtcdRegistrationRecord, client: EtcdClient): Promise<void> {
  const { key, value, ttlSec, backoff, logger, stop } = record;
  /** Sleeps, or returns early when the registration closes. */
  const sleep = (ms: number): Promise<void> => sleepUnlessAborted(ms, stop.signal);

  async function register(): Promise<void> {
    let attempt = 0;
    while (!stop.signal.aborted) {
      try {
        const lease = await client.leaseGrant(ttlSec, stop.signal);
        record.leaseId = lease.id;
        await client.put(key, JSON.stringify(value), { lease: lease.id, signal: stop.signal });
        if (stop.signal.aborted) return;
        record.registrations++;
        record.state = 'registered';
        logger.info({ key, lease: lease.id, ttlSec: lease.ttlSec }, 'registered in etcd');
        record.registered();
        return;
      } catch (error) {
        if (stop.signal.aborted) return;
        logger.warn({ key, error: (error as Error).message }, 'etcd registration failed; retrying');
        await sleep(backoffDelayMs(attempt++, backoff));
      }
    }
  }

  const intervalMs = (ttlSec * 1000) / 3;
  while (!stop.signal.aborted) {
    await register();
    // Keep the lease alive until it is lost. A failed keepalive is retried sooner (backoff,
    // at most the interval): the lease survives `ttlSec`, so a short outage costs nothing, and
    // after a long one (the lease expired) the key is back soon after etcd is.
    let failed = 0;
    while (!stop.signal.aborted) {
      await sleep(failed === 0 ? intervalMs : Math.min(intervalMs, backoffDelayMs(failed - 1, backoff)));
      if (stop.signal.aborted) return;
      try {
        const ttl = await client.leaseKeepAlive(record.leaseId!, stop.signal);
        failed = 0;
        if (ttl > 0) continue;
        logger.warn({ key, lease: record.leaseId }, 'etcd lease lost; registering again');
      } catch (error) {
        if (stop.signal.aborted) return;
        if (failed++ === 0) logger.warn({ key, lease: record.leaseId, error: (error as Error).message }, 'etcd keepalive failed');
        continue;
      }
      record.state = 'registering';
      record.leaseId = undefined;
      break;
    }
  }
}
