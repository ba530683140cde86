/**
 * The client side of etcd discovery: {@link etcdResolver} is a {@link Resolver} that follows the
 * instances {@link etcdRegistration} writes under `<prefix>/<service>/`.
 *
 * Lifecycle (`connecting` -> `synced` <-> `unavailable` -> `closed`):
 * 1. Sync: read the whole prefix (one range request) and publish that set; remember its revision.
 * 2. Watch the prefix from the next revision; every batch of puts and deletes is applied and the
 *    new set published (only when it changed). A watch stream the server ends is reopened from
 *    the next revision; a compacted start revision means a full sync again.
 * 3. While watching, a cheap probe (`count_only` range) runs every `probeIntervalMs`: a hung or
 *    partitioned etcd never closes the watch's TCP connection, the probe notices.
 * 4. When etcd cannot be reached (sync, watch or probe fails) the resolver keeps the last known
 *    set, so channels keep serving, and retries with backoff; when etcd answers again it starts
 *    over at step 1 (resync), which also catches every change it missed.
 * 5. For `outageGraceMs` after such a resync, instances that leave the set are held (still
 *    published, listed in `held`) and dropped only when the grace ends, unless they come back.
 *    Why: an etcd that was unreachable longer than the servers' lease TTL (a paused or
 *    partitioned etcd keeps counting lease time) revokes every expired lease as soon as it runs
 *    again, so all keys vanish at once, and the servers put them back at their next keepalive
 *    (within `ttlSec / 3`). Without the grace, clients would drop every instance in between and
 *    fail calls. Holding an instance that is really gone costs nothing: with no live connection
 *    it gets no calls. (Finagle's serverset stabilization and Dubbo's empty-list protection guard
 *    against the same registry artifact.)
 */
import { backoffDelayMs, type BackoffOptions } from '../internal/backoff.js';
import { ErrorCode, RpcError } from '../errors.js';
import { stderrLogger, type Logger } from '../logger.js';
import { EtcdClient, type EtcdKeyValue } from './etcd-client.js';
import { DEFAULT_ETCD_PREFIX, type EtcdInstanceValue } from './etcd-registration.js';
import type { Endpoint, Resolver } from './resolver.js';
import { sleepUnlessAborted } from '../internal/sleep.js';

/** Settings of {@link etcdResolver}. */
export interface EtcdResolverOptions {
  /** etcd client URLs, e.g. `['http://127.0.0.1:2379']`. */
  readonly etcd: readonly string[];
  /** Service name to resolve (as registered). */
  readonly service: string;
  /** Key prefix. Default {@link DEFAULT_ETCD_PREFIX}. */
  readonly prefix?: string;
  /** Give up one etcd request (sync read, probe) after this many milliseconds. Default 5,000. */
  readonly requestTimeoutMs?: number;
  /** Probe a watched etcd this often, in milliseconds. Default 5,000. */
  readonly probeIntervalMs?: number;
  /** Retry pacing while etcd cannot be reached. Default base 100 ms, max 5,000 ms. */
  readonly backoff?: BackoffOptions;
  /**
   * After etcd comes back from an outage, how long instances that leave the set are held, in
   * milliseconds (see the module comment). Make it longer than the servers' keepalive interval
   * (`ttlSec / 3`) plus their `requestTimeoutMs`. Default 15,000; 0 turns it off.
   */
  readonly outageGraceMs?: number;
  readonly logger?: Logger;
  /** The `fetch` to use. Default the global one. */
  readonly fetch?: typeof fetch;
}

/** State of an {@link EtcdResolver} (see the module comment). */
export type EtcdResolverState = 'connecting' | 'synced' | 'unavailable' | 'closed';

/** A {@link Resolver} backed by etcd. */
export interface EtcdResolver extends Resolver {
  readonly state: EtcdResolverState;
  /** The last known set (kept while etcd is unreachable), including {@link EtcdResolver.held}. */
  readonly endpoints: readonly Endpoint[];
  /** Instances gone from etcd but still published, during the grace after an outage. */
  readonly held: readonly Endpoint[];
  /** How many full syncs (range reads) succeeded: 1 after start, one more per resync. */
  readonly syncs: number;
  /** Resolves after the first sync (the set may be empty); rejects if closed before. */
  readonly ready: Promise<void>;
  /** Stops watching; subscribers get no more updates. */
  close(): void;
}

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

/** Follows a service's instances in etcd (see the module comment). Starts at once. */
export function etcdResolver(options: EtcdResolverOptions): EtcdResolver {
  const prefix = `${(options.prefix ?? DEFAULT_ETCD_PREFIX).replace(/\/+$/, '')}/${options.service}/`;
  const logger = options.logger ?? stderrLogger;
  const backoff: BackoffOptions = { baseMs: 100, maxMs: 5000, ...options.backoff };
  const probeIntervalMs = options.probeIntervalMs ?? 5000;
  const outageGraceMs = options.outageGraceMs ?? 15_000;
  const client = new EtcdClient({
    endpoints: options.etcd,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const stop = new AbortController();
  const listeners = new Set<(endpoints: readonly Endpoint[]) => void>();
  /** Instances in etcd, by key. */
  const byKey = new Map<string, Endpoint>();
  /** Instances gone from etcd, held during the grace after an outage (see the module comment). */
  const held = new Map<string, Endpoint>();
  /** What was last published, by key. */
  let publishedByKey = new Map<string, Endpoint>();
  /** Within the grace after an outage. */
  let inGrace = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let published: readonly Endpoint[] = [];
  let signature = '';
  let known = false;
  let state: EtcdResolverState = 'connecting';
  let syncs = 0;
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});

  function publish(): void {
    if (inGrace) {
      for (const [key, endpoint] of publishedByKey) if (!byKey.has(key)) held.set(key, endpoint);
      for (const key of byKey.keys()) held.delete(key);
    }
    const merged = new Map([...held, ...byKey]);
    const list = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
    publishedByKey = merged;
    const next = JSON.stringify(list);
    if (known && next === signature) return;
    known = true;
    signature = next;
    published = list;
    for (const listener of [...listeners]) listener(published);
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

  async function run(): Promise<void> {
    let attempt = 0;
    while (!stop.signal.aborted) {
      try {
        const snapshot = await client.range(prefix, { prefix: true, signal: stop.signal });
        if (state === 'unavailable') startGrace();
        byKey.clear();
        for (const kv of snapshot.kvs) apply(kv, 'put');
        publish();
        if (held.size > 0)
          logger.info(
            { service: options.service, instances: held.size, graceMs: outageGraceMs },
            'etcd resolver: instances gone after the outage are held for the grace period',
          );
        syncs++;
        if (state !== 'synced') logger.info({ service: options.service, instances: byKey.size, revision: String(snapshot.revision) }, 'etcd resolver synced');
        state = 'synced';
        attempt = 0;
        resolveReady();
        await watchFrom(snapshot.revision);
      } catch (error) {
        if (stop.signal.aborted) return;
        if (error instanceof RpcError && error.code === ErrorCode.OUT_OF_RANGE) {
          logger.info({ service: options.service }, 'etcd watch revision compacted: syncing again');
          continue;
        }
        if (state !== 'unavailable') {
          logger.warn(
            { service: options.service, instances: byKey.size, error: (error as Error).message },
            'etcd unreachable: keeping the last known instances',
          );
        }
        state = 'unavailable';
        await sleep(backoffDelayMs(attempt++, backoff));
      }
    }
  }
  void run();

  return {
    get state() {
      return state;
    },
    get endpoints() {
      return published;
    },
    get held() {
      return [...held.values()];
    },
    get syncs() {
      return syncs;
    },
    ready,
    subscribe(listener) {
      listeners.add(listener);
      if (known) listener(published);
      return () => listeners.delete(listener);
    },
    close() {
      if (state === 'closed') return;
      state = 'closed';
      stop.abort();
      clearTimeout(graceTimer);
      listeners.clear();
      rejectReady(new RpcError(ErrorCode.CANCELLED, 'the etcd resolver was closed before its first sync'));
    },
  };
}
