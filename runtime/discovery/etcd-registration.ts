/**
 * The server side of etcd discovery: {@link etcdRegistration} announces one server instance
 * under `<prefix>/<service>/<host:port>` and keeps it there while the server runs.
 *
 * ```
 * key:   /skiff/services/UserService/127.0.0.2:9090
 * value: {"host":"127.0.0.2","port":9090,"weight":1,"protocol":"compact","zone":"a","version":"1.4.0"}
 * lease: TTL 10 s, refreshed every TTL/3
 * ```
 *
 * Lifecycle: `registering` (grant a lease, put the key) -> `registered` (keepalive every TTL/3)
 * -> back to `registering` when the lease is lost (it expired while etcd was unreachable, or was
 * revoked: the key went with it) -> `closed` ({@link EtcdRegistration.close}: delete the key,
 * revoke the lease). Failures are retried with backoff, never thrown; a server that cannot reach
 * etcd keeps serving the clients that already know it.
 *
 * Pair it with the server's drain: deregister first, give clients a moment to see the delete,
 * then drain.
 *
 * ```ts
 * const registration = etcdRegistration({ etcd: ['http://127.0.0.1:2379'], service: 'UserService', host, port });
 * await registration.ready;
 * // on shutdown:
 * await registration.close({ settleMs: 1000 }); // clients stop picking this instance
 * await server.close({ graceMs: 10_000 });      // calls still running finish
 * ```
 *
 * The registering and the keepalive run in `etcd-registration-loop.ts`, which
 * `etcdRegistration` loads (its first step is a request to etcd, which waits anyway): importing
 * the runtime does not parse it (issue 8).
 */
import type { BackoffOptions } from '../internal/backoff.js';
import { ErrorCode, RpcError } from '../errors.js';
import { stderrLogger, type Logger } from '../logger.js';
import { EtcdClient } from './etcd-client.js';

/** Default key prefix of {@link etcdRegistration} and {@link etcdResolver}. */
export const DEFAULT_ETCD_PREFIX = '/skiff/services';

/** What {@link etcdRegistration} stores as the key's value (JSON). */
export interface EtcdInstanceValue {
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** Wire protocol the instance serves (`'compact'`, `'binary'`). */
  readonly protocol: string;
  readonly zone?: string;
  readonly version?: string;
}

/** Settings of {@link etcdRegistration}. */
export interface EtcdRegistrationOptions {
  /** etcd client URLs, e.g. `['http://127.0.0.1:2379']`. */
  readonly etcd: readonly string[];
  /** Service name: the key's middle segment (clients resolve by it). */
  readonly service: string;
  /** Address clients should connect to (not `0.0.0.0`). */
  readonly host: string;
  readonly port: number;
  /** Relative share of traffic. Default 1. */
  readonly weight?: number;
  readonly zone?: string;
  readonly version?: string;
  /** Wire protocol the server speaks. Default `'compact'`. */
  readonly protocol?: string;
  /** Key prefix. Default {@link DEFAULT_ETCD_PREFIX}. */
  readonly prefix?: string;
  /** Lease TTL in whole seconds: how long the key outlives a crashed server. Default 10. */
  readonly ttlSec?: number;
  /** Give up one etcd request after this many milliseconds. Default 5,000. */
  readonly requestTimeoutMs?: number;
  /** Retry pacing while etcd cannot be reached. Default base 100 ms, max 5,000 ms. */
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
  /** The `fetch` to use. Default the global one. */
  readonly fetch?: typeof fetch;
}

/** State of an {@link EtcdRegistration} (see the module comment). */
export type EtcdRegistrationState = 'registering' | 'registered' | 'closed';

/** Options of {@link EtcdRegistration.close}. */
export interface EtcdDeregisterOptions {
  /**
   * Wait this many milliseconds after deleting the key before resolving, so that watching
   * clients stop picking the instance before its server starts refusing calls. Default 0.
   */
  readonly settleMs?: number;
}

/** A live registration (see the module comment). */
export interface EtcdRegistration {
  /** The key this instance is registered under. */
  readonly key: string;
  readonly state: EtcdRegistrationState;
  /** The lease holding the key now (a decimal string), while registered. */
  readonly leaseId: string | undefined;
  /** How many times the key was put (1 after the first registration; more after lease losses). */
  readonly registrations: number;
  /** Resolves once the key is first in etcd; rejects if closed before that. */
  readonly ready: Promise<void>;
  /**
   * Deregisters: stops the keepalive, deletes the key and revokes the lease (each bounded by
   * `requestTimeoutMs`; when etcd is unreachable the key expires with its lease), then waits
   * `settleMs`. Never rejects. Calling it again returns the same promise.
   */
  close(options?: EtcdDeregisterOptions): Promise<void>;
}

/**
 * A registration's state, shared by its public object (made here) and its run loop
 * (`etcd-registration-loop.ts`), which alone changes it until `close()`.
 */
export interface EtcdRegistrationRecord {
  readonly key: string;
  readonly value: EtcdInstanceValue;
  readonly ttlSec: number;
  readonly backoff: BackoffOptions;
  readonly logger: Logger;
  state: EtcdRegistrationState;
  leaseId: string | undefined;
  registrations: number;
  /** Aborted by `close()`: the loop stops. */
  readonly stop: AbortController;
  /** Settles `ready` once the key is first in etcd. */
  readonly registered: () => void;
}

/** Registers a server instance in etcd and keeps it registered (see the module comment). */
export function etcdRegistration(options: EtcdRegistrationOptions): EtcdRegistration {
  const prefix = (options.prefix ?? DEFAULT_ETCD_PREFIX).replace(/\/+$/, '');
  if (options.service.length === 0 || options.service.includes('/')) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `service name '${options.service}' must be non-empty and contain no '/'`);
  }
  const ttlSec = options.ttlSec ?? 10;
  if (!Number.isInteger(ttlSec) || ttlSec < 1) throw new RpcError(ErrorCode.INVALID_ARGUMENT, `ttlSec must be a whole number of seconds >= 1, got ${ttlSec}`);
  const key = `${prefix}/${options.service}/${options.host}:${options.port}`;
  const logger = options.logger ?? stderrLogger;
  const client = new EtcdClient({
    endpoints: options.etcd,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  let closing: Promise<void> | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {}); // closing before registration is not an unhandled rejection
  const record: EtcdRegistrationRecord = {
    key,
    value: {
      host: options.host,
      port: options.port,
      weight: options.weight ?? 1,
      protocol: options.protocol ?? 'compact',
      ...(options.zone === undefined ? {} : { zone: options.zone }),
      ...(options.version === undefined ? {} : { version: options.version }),
    },
    ttlSec,
    backoff: { baseMs: 100, maxMs: 5000, ...options.backoff },
    logger,
    state: 'registering',
    leaseId: undefined,
    registrations: 0,
    stop: new AbortController(),
    registered: resolveReady,
  };
  import('./etcd-registration-loop.js').then(
    (loop) => loop.runEtcdRegistration(record, client),
    (error: unknown) => logger.error({ key, error: String(error) }, 'etcd registration: its module did not load'),
  );

  return {
    key,
    get state() {
      return record.state;
    },
    get leaseId() {
      return record.leaseId;
    },
    get registrations() {
      return record.registrations;
    },
    ready,
    close(closeOptions = {}) {
      closing ??= (async () => {
        const wasRegistered = record.state === 'registered';
        const lease = record.leaseId;
        record.state = 'closed';
        record.stop.abort();
        rejectReady(new RpcError(ErrorCode.CANCELLED, 'the etcd registration was closed before it registered'));
        if (wasRegistered || lease !== undefined) {
          try {
            await client.delete(key);
            if (lease !== undefined) await client.leaseRevoke(lease);
            logger.info({ key }, 'deregistered from etcd');
          } catch (error) {
            logger.warn({ key, ttlSec, error: (error as Error).message }, 'etcd deregistration failed; the key expires with its lease');
          }
        }
        record.leaseId = undefined;
        const settleMs = closeOptions.settleMs ?? 0;
        if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
      })();
      return closing;
    },
  };
}
