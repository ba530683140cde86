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
 *   With failure-rate ejection on, a timer (unref'd) ends each detection interval.
 * - Slow start ({@link SlowStart}): an instance warms up, its weight ramping to the configured
 *   one, when it connects for the first time after being added by a resolver update (those of
 *   the resolver's first list are not new to the service, only to this client), and when it
 *   connects again after it could not be reached (a restarted server is cold again). Losing a
 *   connection and reconnecting at once does not count. The clock is read only while some
 *   instance warms up.
 */
import { ErrorCode, RpcError } from '../errors.js';
import { endpointKey, type Endpoint, type Resolver } from '../discovery/resolver.js';
import type { ConnectionPool } from '../transport/pool.js';
import type { Balancer, BalancerCandidate } from './balancer.js';
import { CallConnection } from './call-connection.js';
import { OutlierRecord, type OutlierDetector } from './outlier-detector.js';
import type { SlowStart } from './slow-start.js';

/** What the endpoint set wants to hear from the connections of one instance. */
export interface SubchannelHooks {
  /** How a call that reached the server ended: `failed` for a server-side failure. */
  readonly onOutcome: (failed: boolean) => void;
  /** A connect attempt ended; `ok` when it made a connection. Called before the pool takes the connection. */
  readonly onConnect: (ok: boolean) => void;
}

/** One instance: its pool, and what a balancer needs to know about it. */
class Subchannel implements BalancerCandidate {
  readonly key: string;
  configuredWeight: number;
  /** The weight now: `configuredWeight`, scaled down while warming up. */
  weight: number;
  readonly outliers = new OutlierRecord();
  /** When warm-up began (epoch ms, the slow-start clock), or -1 when not warming. */
  warmingSince = -1;
  /** Warm up on the next successful connect (see the module comment). */
  warmOnConnect: boolean;
  pool!: ConnectionPool<CallConnection>;

  constructor(
    endpoint: Endpoint,
    isNew: boolean,
  ) {
    this.key = endpointKey(endpoint);
    this.configuredWeight = endpoint.weight ?? 1;
    this.weight = this.configuredWeight;
    this.warmOnConnect = isNew;
  }

  get pending(): number {
    return this.pool.inFlight;
  }
}

/** One instance as status pages and tests see it. */
export interface EndpointInstance {
  /** `host:port`. */
  readonly key: string;
  /** Pool state: `idle`, `connecting`, `ready`, `backoff`, `closed`. */
  readonly state: string;
  /** Calls in flight to it. */
  readonly pending: number;
  /** Ejected as an outlier now. */
  readonly ejected: boolean;
  /** Its weight now: the configured weight, lower while it warms up (slow start). */
  readonly weight: number;
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
  /** Every instance's outlier record, for the detector's panic threshold (one object, not one per call). */
  private readonly records: Iterable<OutlierRecord> = { [Symbol.iterator]: () => this.outlierRecords() };
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  /** Some instance is warming up: `acquire` updates weights. */
  private warming = false;

  constructor(
    private readonly resolver: Resolver,
    private readonly createPool: (endpoint: Endpoint, hooks: SubchannelHooks) => ConnectionPool<CallConnection>,
    private readonly balancer: Balancer,
    private readonly outliers: OutlierDetector | undefined,
    private readonly slowStart: SlowStart | undefined = undefined,
  ) {
    this.firstUpdate = new Promise((resolve) => (this.markResolved = resolve));
    if (outliers?.sweeps) {
      this.sweepTimer = setInterval(() => outliers.sweep(this.records), outliers.intervalMs);
      // Detection alone must not keep a process alive.
      this.sweepTimer.unref();
    }
    this.unsubscribe = resolver.subscribe((endpoints) => this.update(endpoints));
  }

  /** Instances known now, with their state and current weight (for status pages and tests). */
  get instances(): ReadonlyArray<EndpointInstance> {
    const now = this.outliers?.now() ?? 0;
    if (this.warming) this.updateWeights();
    return [...this.subchannels.values()].map((s) => ({
      key: s.key,
      state: s.pool.state,
      pending: s.pending,
      ejected: this.outliers?.isEjected(s.outliers, now) ?? false,
      weight: s.weight,
    }));
  }

  /**
   * A connection for one call: synchronously when an instance is ready, a promise while the
   * first connects. Throws `UNAVAILABLE` when no instance can be reached now. Instances in
   * `avoid` (tried already by this call) are passed over unless no other is ready; with
   * `othersOnly` (a hedge: pointless on an instance already tried) the result is then `undefined`.
   */
  acquire(routingKey: string | undefined, avoid?: readonly string[]): CallConnection | Promise<CallConnection>;
  acquire(routingKey: string | undefined, avoid: readonly string[], othersOnly: true): CallConnection | Promise<CallConnection> | undefined;
  acquire(routingKey: string | undefined, avoid?: readonly string[], othersOnly = false): CallConnection | Promise<CallConnection> | undefined {
    if (this.closed) throw new RpcError(ErrorCode.UNAVAILABLE, 'the channel is closed');
    if (this.warming) this.updateWeights();
    let ready: Subchannel[] | undefined;
    let only: Subchannel | undefined;
    let avoided: Subchannel | undefined;
    const outliers = this.outliers;
    // Read the clock only while an instance is ejected: none, usually, so no clock read per call.
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
    if (othersOnly) return undefined;
    if (avoided !== undefined) return avoided.pool.acquire();
    return this.firstToConnect();
  }

  /** Stops following the resolver and closes every connection (calls in flight fail). */
  close(): void {
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.unsubscribe();
    this.resolver.close?.();
    for (const s of this.subchannels.values()) s.pool.close();
    this.subchannels.clear();
  }

  private update(endpoints: readonly Endpoint[]): void {
    if (this.closed) return;
    const isNew = this.resolved;
    this.resolved = true;
    this.markResolved();
    const next = new Map(endpoints.map((e) => [endpointKey(e), e]));
    for (const [key, s] of this.subchannels) {
      const endpoint = next.get(key);
      if (endpoint === undefined) {
        this.subchannels.delete(key);
        s.pool.drain();
      } else if ((endpoint.weight ?? 1) !== s.configuredWeight) {
        // A new weight keeps the connections (and any warm-up under way).
        s.configuredWeight = endpoint.weight ?? 1;
        if (s.warmingSince < 0) s.weight = s.configuredWeight;
        else this.updateWeights();
      }
    }
    for (const [key, endpoint] of next) {
      if (this.subchannels.has(key)) continue;
      const subchannel = new Subchannel(endpoint, isNew);
      const outliers = this.outliers;
      subchannel.pool = this.createPool(endpoint, {
        onOutcome: outliers === undefined ? () => {} : (failed) => outliers.record(subchannel.outliers, failed, this.records),
        onConnect: (ok) => this.onConnect(subchannel, ok),
      });
      this.subchannels.set(key, subchannel);
    }
  }

  private *outlierRecords(): Iterator<OutlierRecord> {
    for (const s of this.subchannels.values()) yield s.outliers;
  }

  /** Starts a warm-up when a connect succeeds for an instance that is new or was unreachable. */
  private onConnect(s: Subchannel, ok: boolean): void {
    if (!ok) {
      // Unreachable: when it answers again it is most likely a server that (re)started.
      s.warmOnConnect = true;
      return;
    }
    // A further connection to an instance already ready, or a reconnect after a clean close: no warm-up.
    if (!s.warmOnConnect || s.pool.state === 'ready') {
      s.warmOnConnect = false;
      return;
    }
    s.warmOnConnect = false;
    if (this.slowStart === undefined) return;
    s.warmingSince = this.slowStart.now();
    s.weight = s.configuredWeight * this.slowStart.factor(0);
    this.warming = true;
  }

  /** Moves warming instances along their ramp; ends the warm-up of those past the window. */
  private updateWeights(): void {
    const slowStart = this.slowStart!;
    const now = slowStart.now();
    let still = false;
    for (const s of this.subchannels.values()) {
      if (s.warmingSince < 0) continue;
      const factor = slowStart.factor(now - s.warmingSince);
      s.weight = s.configuredWeight * factor;
      if (factor >= 1) s.warmingSince = -1;
      else still = true;
    }
    this.warming = still;
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
