/**
 * The instances a channel talks to: one connection pool per endpoint of its {@link Resolver},
 * kept in step with the resolver's updates, and the choice of an instance for each call.
 *
 * - Readiness: only instances with a live connection are offered to the balancer. Every call
 *   nudges idle instances (never connected, or past their reconnect backoff) to connect in the
 *   background, so new and recovered instances join the rotation without waiting for a failure.
 * - With no instance ready, a call waits for the first one to connect (within its deadline), or
 *   fails at once with `UNAVAILABLE` when every instance is inside its backoff window.
 * - An endpoint that leaves the resolver's set is drained: no new calls, calls in flight finish.
 * - An instance ejected by the {@link OutlierDetector} is passed over like one already tried.
 */
import { ErrorCode, RpcError } from '../errors.js';
import { endpointKey, type Endpoint, type Resolver } from '../discovery/resolver.js';
import type { ConnectionPool } from '../transport/pool.js';
import type { Balancer, BalancerCandidate } from './balancer.js';
import { CallConnection } from './call-connection.js';
import { OutlierRecord, type OutlierDetector } from './outlier-detector.js';

/** One instance: its pool, and what a balancer needs to know about it. */
class Subchannel implements BalancerCandidate {
  readonly key: string;
  readonly weight: number;
  readonly outliers = new OutlierRecord();

  constructor(
    readonly endpoint: Endpoint,
    readonly pool: ConnectionPool<CallConnection>,
  ) {
    this.key = endpointKey(endpoint);
    this.weight = endpoint.weight ?? 1;
  }

  get pending(): number {
    return this.pool.inFlight;
  }
}

/** Instances of one channel (see the module comment). */
export class EndpointSet {
  private readonly subchannels = new Map<string, Subchannel>();
  private readonly unsubscribe: () => void;
  private closed = false;
  /** Settles with the resolver's first update: calls made before it wait instead of failing. */
  private resolved = false;
  private readonly firstUpdate: Promise<void>;
  private markResolved: () => void = () => {};

  constructor(
    private readonly resolver: Resolver,
    private readonly createPool: (endpoint: Endpoint, onOutcome: (failed: boolean) => void) => ConnectionPool<CallConnection>,
    private readonly balancer: Balancer,
    private readonly outliers: OutlierDetector | undefined,
  ) {
    this.firstUpdate = new Promise((resolve) => (this.markResolved = resolve));
    this.unsubscribe = resolver.subscribe((endpoints) => this.update(endpoints));
  }

  /** Instances known now, with their state (for status pages and tests). */
  get instances(): ReadonlyArray<{ readonly key: string; readonly state: string; readonly pending: number; readonly ejected: boolean }> {
    const now = this.outliers?.now() ?? 0;
    return [...this.subchannels.values()].map((s) => ({
      key: s.key,
      state: s.pool.state,
      pending: s.pending,
      ejected: this.outliers?.isEjected(s.outliers, now) ?? false,
    }));
  }

  /**
   * A connection for one call: synchronously when an instance is ready, a promise while the
   * first connects. Throws `UNAVAILABLE` when no instance can be reached now. Instances in
   * `avoid` (tried already by this call) are passed over unless no other is ready.
   */
  acquire(routingKey: string | undefined, avoid?: readonly string[]): CallConnection | Promise<CallConnection> {
    if (this.closed) throw new RpcError(ErrorCode.UNAVAILABLE, 'the channel is closed');
    let ready: Subchannel[] | undefined;
    let only: Subchannel | undefined;
    let avoided: Subchannel | undefined;
    const outliers = this.outliers;
    // Read the clock only for an instance ever ejected: none, usually, so no clock read per call.
    let now = -1;
    for (const s of this.subchannels.values()) {
      const state = s.pool.state;
      const ejected = outliers !== undefined && s.outliers.ejectedUntil !== 0 && outliers.isEjected(s.outliers, now < 0 ? (now = outliers.now()) : now);
      if (state === 'ready' && (ejected || (avoid !== undefined && avoid.includes(s.key)))) {
        avoided ??= s;
      } else if (state === 'ready') {
        if (only === undefined) only = s;
        else (ready ??= [only]).push(s);
      } else if (state === 'idle') {
        this.connectInBackground(s);
      }
    }
    if (ready !== undefined) return this.balancer.pick(ready, { routingKey }).pool.acquire();
    if (only !== undefined) return only.pool.acquire();
    if (avoided !== undefined) return avoided.pool.acquire();
    return this.firstToConnect();
  }

  /** Stops following the resolver and closes every connection (calls in flight fail). */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.resolver.close?.();
    for (const s of this.subchannels.values()) s.pool.close();
    this.subchannels.clear();
  }

  private update(endpoints: readonly Endpoint[]): void {
    if (this.closed) return;
    this.resolved = true;
    this.markResolved();
    const next = new Map(endpoints.map((e) => [endpointKey(e), e]));
    for (const [key, s] of this.subchannels) {
      const endpoint = next.get(key);
      if (endpoint === undefined || (endpoint.weight ?? 1) !== s.weight) {
        this.subchannels.delete(key);
        s.pool.drain();
      }
    }
    for (const [key, endpoint] of next) {
      if (this.subchannels.has(key)) continue;
      let subchannel: Subchannel | undefined;
      const onOutcome = (failed: boolean): void => {
        if (subchannel !== undefined && this.outliers !== undefined) {
          this.outliers.record(subchannel.outliers, failed, this.records());
        }
      };
      subchannel = new Subchannel(endpoint, this.createPool(endpoint, onOutcome));
      this.subchannels.set(key, subchannel);
    }
  }

  private *records(): Iterable<OutlierRecord> {
    for (const s of this.subchannels.values()) yield s.outliers;
  }

  private connectInBackground(s: Subchannel): void {
    try {
      const pending = s.pool.acquire();
      // A failure is recorded by the pool (its backoff window); nobody waits for this attempt.
      if (!(pending instanceof CallConnection)) pending.catch(() => {});
    } catch {
      // Inside its backoff window: nothing to do.
    }
  }

  /** The first instance to connect, or the first error when none can. */
  private firstToConnect(): Promise<CallConnection> {
    const attempts: Promise<CallConnection>[] = [];
    let lastError: unknown;
    for (const s of this.subchannels.values()) {
      try {
        const connection = s.pool.acquire();
        attempts.push(Promise.resolve(connection));
      } catch (error) {
        lastError = error;
      }
    }
    if (attempts.length === 0) {
      // A resolver still fetching its first list (a registry): wait for it, within the call's deadline.
      if (!this.resolved) return this.firstUpdate.then(() => this.acquire(undefined));
      throw lastError ?? new RpcError(ErrorCode.UNAVAILABLE, 'the resolver knows no endpoints');
    }
    return Promise.any(attempts).catch((error: AggregateError) => {
      throw error.errors[0];
    });
  }
}
