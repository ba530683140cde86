/**
 * The run loop of an {@link etcdResolver} (steps 1-5 of `etcd-resolver.ts`'s module comment):
 * sync, watch, probe, retry, and the grace after an outage. `etcdResolver` loads this module
 * when it starts, so that importing the runtime does not parse it (issue 8).
 */
import { backoffDelayMs, type BackoffOptions } from '../internal/backoff.js';
import { ErrorCode, RpcError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EtcdClient, EtcdKeyValue } from './etcd-client.js';
import { DEFAULT_ETCD_PREFIX, type EtcdInstanceValue } from './etcd-registration.js';
import type { EtcdResolverOptions, EtcdResolverRecord, etcdResolver } from './etcd-resolver.js';
import type { Endpoint } from './resolver.js';
import { sleepUnlessAborted } from '../internal/sleep.js';

/** Reads an instance from its key's value; `undefined` (logged) for a value that is not one. */
function endpointOf(kv: EtcdKeyValue, logger: Logger): Endpoint | undefined {
  let parsed: Partial<EtcdInstanceValue>;
  try {
    parsed = JSON.parse(kv.value) as Partial<EtcdInstanceValue>;
  } catch {
    parsed = {};
  }
  const { host, port } = parsed;
  if (typeof host !== 'string' || host.length === 0 || typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    logger.warn({ key: kv.key }, 'ignoring an etcd entry that is not an instance');
    return undefined;
  }
  const metadata: Record<string, string> = {};
  for (const field of ['protocol', 'zone', 'version'] as const) {
    const v = parsed[field];
    if (typeof v === 'string') metadata[field] = v;
  }
  const weight = typeof parsed.weight === 'number' && parsed.weight > 0 ? parsed.weight : 1;
  return { host, port, weight, metadata };
}

/**
 * Runs `record`'s resolver until `record.stop` is aborted: the state it publishes is what the
 * object {@link etcdResolver} returned reads.
 */
export async function runEtcdResolver(record: EtcdResolverRecord, client: EtcdClient, options: EtcdResolverOptions, logger: Logger): Promise<void> {
  const prefix = `${(options.prefix ?? DEFAULT_ETCD_PREFIX).replace(/\/+$/, '')}/${options.service}/`;
  const backoff: BackoffOptions = { baseMs: 100, maxMs: 5000, ...options.backoff };
  const probeIntervalMs = options.probeIntervalMs ?? 5000;
  const outageGraceMs = options.outageGraceMs ?? 15_000;
  const { stop, held, listeners } = record;
  /** Instances in etcd, by key. */
  const byKey = new Map<string, Endpoint>();
  /** What was last published, by key. */
  let publishedByKey = new Map<string, Endpoint>();
  /** Within the grace after an outage. */
  let inGrace = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let signature = '';
  stop.signal.addEventListener('abort', () => clearTimeout(graceTimer), { once: true });

  function publish(): void {
    if (inGrace) {
      for (const [key, endpoint] of publishedByKey) if (!byKey.has(key)) held.set(key, endpoint);
      for (const key of byKey.keys()) held.delete(key);
    }
    const merged = new Map([...held, ...byKey]);
    const list = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
    publishedByKey = merged;
    const next = JSON.stringify(list);
    if (record.known && next === signature) return;
    record.known = true;
    signature = next;
    record.published = list;
    for (const listener of [...listeners]) listener(list);
  }

  /** Starts the grace after an outage; when it ends, instances still gone are dropped. */
  function startGrace(): void {
    if (outageGraceMs <= 0) return;
    inGrace = true;
    clearTimeout(graceTimer);
    graceTimer = setTimeout(endGrace, outageGraceMs);
    // The grace alone must not keep a process alive.
    graceTimer.unref();
  }

  function endGrace(): void {
    inGrace = false;
    graceTimer = undefined;
    if (held.size === 0) return;
    logger.info({ service: options.service, instances: held.size }, 'etcd resolver: instances that did not come back after the outage are dropped');
    held.clear();
    publish();
  }

  function apply(kv: EtcdKeyValue, type: 'put' | 'delete'): void {
    const endpoint = type === 'put' ? endpointOf(kv, logger) : undefined;
    if (endpoint === undefined) byKey.delete(kv.key);
    else byKey.set(kv.key, endpoint);
  }

  const sleep = (ms: number): Promise<void> => sleepUnlessAborted(ms, stop.signal);

  /** Watches from `revision + 1` until the watch fails (throws) or the resolver closes. */
  async function watchFrom(revision: bigint): Promise<void> {
    while (!stop.signal.aborted) {
      const watch = new AbortController();
      const onStop = (): void => watch.abort();
      stop.signal.addEventListener('abort', onStop, { once: true });
      let probeError: unknown;
      const probe = setInterval(() => {
        client.range(prefix, { prefix: true, countOnly: true, signal: watch.signal }).catch((error: unknown) => {
          if (watch.signal.aborted) return;
          probeError = error;
          watch.abort();
        });
      }, probeIntervalMs);
      try {
        await client.watchPrefix(
          prefix,
          revision + 1n,
          (batch) => {
            for (const event of batch.events) apply(event.kv, event.type);
            if (batch.revision > revision) revision = batch.revision;
            publish();
          },
          watch.signal,
        );
        // The server ended the stream (or an idle body timed out): watch on from where we are.
      } catch (error) {
        if (stop.signal.aborted) return;
        throw probeError ?? error;
      } finally {
        clearInterval(probe);
        stop.signal.removeEventListener('abort', onStop);
        watch.abort();
      }
    }
  }

  let attempt = 0;
  while (!stop.signal.aborted) {
    try {
      const snapshot = await client.range(prefix, { prefix: true, signal: stop.signal });
      if (record.state === 'unavailable') startGrace();
      byKey.clear();
      for (const kv of snapshot.kvs) apply(kv, 'put');
      publish();
      if (held.size > 0)
        logger.info(
          { service: options.service, instances: held.size, graceMs: outageGraceMs },
          'etcd resolver: instances gone after the outage are held for the grace period',
        );
      record.syncs++;
      if (record.state !== 'synced') logger.info({ service: options.service, instances: byKey.size, revision: String(snapshot.revision) }, 'etcd resolver synced');
      record.state = 'synced';
      attempt = 0;
      record.synced();
      await watchFrom(snapshot.revision);
    } catch (error) {
      if (stop.signal.aborted) return;
      if (error instanceof RpcError && error.code === ErrorCode.OUT_OF_RANGE) {
        logger.info({ service: options.service }, 'etcd watch revision compacted: syncing again');
        continue;
      }
      if (record.state !== 'unavailable') {
        logger.warn(
          { service: options.service, instances: byKey.size, error: (error as Error).message },
          'etcd unreachable: keeping the last known instances',
        );
      }
      record.state = 'unavailable';
      await sleep(backoffDelayMs(attempt++, backoff));
    }
  }
}
