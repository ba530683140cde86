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
 */
import { backoffDelayMs, type BackoffOptions } from '../internal/backoff.js';
import { ErrorCode, RpcError } from '../errors.js';
import { stderrLogger, type Logger } from '../logger.js';
import { EtcdClient } from './etcd-client.js';
import { sleepUnlessAborted } from '../internal/sleep.js';

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

/** Registers a server instance in etcd and keeps it registered (see the module comment). */
export function etcdRegistration(options: EtcdRegistrationOptions): EtcdRegistration {
  const prefix = (options.prefix ?? DEFAULT_ETCD_PREFIX).replace(/\/+$/, '');
  if (options.service.length === 0 || options.service.includes('/')) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `service name '${options.service}' must be non-empty and contain no '/'`);
  }
  const ttlSec = options.ttlSec ?? 10;
  if (!Number.isInteger(ttlSec) || ttlSec < 1) throw new RpcError(ErrorCode.INVALID_ARGUMENT, `ttlSec must be a whole number of seconds >= 1, got ${ttlSec}`);
  const key = `${prefix}/${options.service}/${options.host}:${options.port}`;
  const value: EtcdInstanceValue = {
    host: options.host,
    port: options.port,
    weight: options.weight ?? 1,
    protocol: options.protocol ?? 'compact',
    ...(options.zone === undefined ? {} : { zone: options.zone }),
    ...(options.version === undefined ? {} : { version: options.version }),
  };
  const logger = options.logger ?? stderrLogger;
  const backoff: BackoffOptions = { baseMs: 100, maxMs: 5000, ...options.backoff };
  const client = new EtcdClient({
    endpoints: options.etcd,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const stop = new AbortController();
  let state: EtcdRegistrationState = 'registering';
  let leaseId: string | undefined;
  let registrations = 0;
  let closing: Promise<void> | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {}); // closing before registration is not an unhandled rejection

  /** Sleeps, or returns early when the registration closes. */
  const sleep = (ms: number): Promise<void> => sleepUnlessAborted(ms, stop.signal);

  async function register(): Promise<void> {
    let attempt = 0;
    while (!stop.signal.aborted) {
      try {
        const lease = await client.leaseGrant(ttlSec, stop.signal);
        leaseId = lease.id;
        await client.put(key, JSON.stringify(value), { lease: lease.id, signal: stop.signal });
        if (stop.signal.aborted) return;
        registrations++;
        state = 'registered';
        logger.info({ key, lease: lease.id, ttlSec: lease.ttlSec }, 'registered in etcd');
        resolveReady();
        return;
      } catch (error) {
        if (stop.signal.aborted) return;
        logger.warn({ key, error: (error as Error).message }, 'etcd registration failed; retrying');
        await sleep(backoffDelayMs(attempt++, backoff));
      }
    }
  }

  async function run(): Promise<void> {
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
          const ttl = await client.leaseKeepAlive(leaseId!, stop.signal);
          failed = 0;
          if (ttl > 0) continue;
          logger.warn({ key, lease: leaseId }, 'etcd lease lost; registering again');
        } catch (error) {
          if (stop.signal.aborted) return;
          if (failed++ === 0) logger.warn({ key, lease: leaseId, error: (error as Error).message }, 'etcd keepalive failed');
          continue;
        }
        state = 'registering';
        leaseId = undefined;
        break;
      }
    }
  }
  void run();

  return {
    key,
    get state() {
      return state;
    },
    get leaseId() {
      return leaseId;
    },
    get registrations() {
      return registrations;
    },
    ready,
    close(closeOptions = {}) {
      closing ??= (async () => {
        const wasRegistered = state === 'registered';
        const lease = leaseId;
        state = 'closed';
        stop.abort();
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
        leaseId = undefined;
        const settleMs = closeOptions.settleMs ?? 0;
        if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
      })();
      return closing;
    },
  };
}
