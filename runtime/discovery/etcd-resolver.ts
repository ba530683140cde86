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
import type { BackoffOptions } from '../internal/backoff.js';
import { ErrorCode, RpcError } from '../errors.js';
import { stderrLogger, type Logger } from '../logger.js';
import { EtcdClient } from './etcd-client.js';
import { DEFAULT_ETCD_PREFIX } from './etcd-registration.js';
import type { Endpoint, Resolver } from './resolver.js';

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

/**
 * A resolver's state, shared by its public object (made here) and its run loop
 * (`etcd-resolver-loop.ts`), which alone changes it until `close()`.
 */
export interface EtcdResolverRecord {
  state: EtcdResolverState;
  /** The set last published (sorted by key), including held instances. */
  published: readonly Endpoint[];
  /** Whether a set was published yet (subscribers get it at once). */
  known: boolean;
  /** Instances gone from etcd, held during the grace after an outage, by key. */
  readonly held: Map<string, Endpoint>;
  syncs: number;
  readonly listeners: Set<(endpoints: readonly Endpoint[]) => void>;
  /** Aborted by `close()`: the loop stops, its timers with it. */
  readonly stop: AbortController;
  /** Settles `ready` after the first sync. */
  readonly synced: () => void;
}

/** Follows a service's instances in etcd (see the module comment). Starts at once. */
export function etcdResolver(options: EtcdResolverOptions): EtcdResolver {
  const logger = options.logger ?? stderrLogger;
  const client = new EtcdClient({
    endpoints: options.etcd,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});
  const record: EtcdResolverRecord = {
    state: 'connecting',
    published: [],
    known: false,
    held: new Map(),
    syncs: 0,
    listeners: new Set(),
    stop: new AbortController(),
    synced: resolveReady,
  };
  import('./etcd-resolver-loop.js').then(
    (loop) => loop.runEtcdResolver(record, client, options, logger),
    (error: unknown) => logger.error({ service: options.service, error: String(error) }, 'etcd resolver: its module did not load'),
  );

  return {
    get state() {
      return record.state;
    },
    get endpoints() {
      return record.published;
    },
    get held() {
      return [...record.held.values()];
    },
    get syncs() {
      return record.syncs;
    },
    ready,
    subscribe(listener) {
      record.listeners.add(listener);
      if (record.known) listener(record.published);
      return () => record.listeners.delete(listener);
    },
    close() {
      if (record.state === 'closed') return;
      record.state = 'closed';
      record.stop.abort();
      record.listeners.clear();
      rejectReady(new RpcError(ErrorCode.CANCELLED, 'the etcd resolver was closed before its first sync'));
    },
  };
}
