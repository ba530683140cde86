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
  readonly logger?: Logger;
  /** The `fetch` to use. Default the global one. */
  readonly fetch?: typeof fetch;
}

/** State of an {@link EtcdResolver} (see the module comment). */
export type EtcdResolverState = 'connecting' | 'synced' | 'unavailable' | 'closed';

/** A {@link Resolver} backed by etcd. */
export interface EtcdResolver extends Resolver {
  readonly state: EtcdResolverState;
  /** The last known set (kept while etcd is unreachable). */
  readonly endpoints: readonly Endpoint[];
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
    logger.warn('ignoring an etcd entry that is not an instance', { key: kv.key });
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
  const client = new EtcdClient({
    endpoints: options.etcd,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const stop = new AbortController();
  const listeners = new Set<(endpoints: readonly Endpoint[]) => void>();
  /** Instances by key. */
  const byKey = new Map<string, Endpoint>();
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
    const list = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
    const next = JSON.stringify(list);
    if (known && next === signature) return;
    known = true;
    signature = next;
    published = list;
    for (const listener of [...listeners]) listener(published);
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
        byKey.clear();
        for (const kv of snapshot.kvs) apply(kv, 'put');
        publish();
        syncs++;
        if (state !== 'synced') logger.info('etcd resolver synced', { service: options.service, instances: byKey.size, revision: String(snapshot.revision) });
        state = 'synced';
        attempt = 0;
        resolveReady();
        await watchFrom(snapshot.revision);
      } catch (error) {
        if (stop.signal.aborted) return;
        if (error instanceof RpcError && error.code === ErrorCode.OUT_OF_RANGE) {
          logger.info('etcd watch revision compacted: syncing again', { service: options.service });
          continue;
        }
        if (state !== 'unavailable') {
          logger.warn('etcd unreachable: keeping the last known instances', { service: options.service, instances: byKey.size, error: (error as Error).message });
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
      listeners.clear();
      rejectReady(new RpcError(ErrorCode.CANCELLED, 'the etcd resolver was closed before its first sync'));
    },
  };
}
