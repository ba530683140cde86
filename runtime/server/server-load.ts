/**
 * Server-wide overload accounting: how many calls run across all connections, the limit beyond
 * which new calls are refused at once with `RESOURCE_EXHAUSTED` (so a client can retry another
 * server instead of queueing here), and counters of what was shed. With an
 * {@link AdaptiveLimiter} the limit in force is the limiter's (never above `maxInFlight`), fed by
 * the latency of each completed call.
 */
import type { AdaptiveLimiter } from './adaptive-limiter.js';

/** Counters a server exposes through `Server.stats()`. */
export interface LoadCounters {
  /** Calls running now (oneway calls excluded). */
  readonly inFlight: number;
  /**
   * Calls allowed to run at once now: `maxInFlight`, or with `adaptiveLimit` the limiter's
   * current limit (never above `maxInFlight`).
   */
  readonly limit: number;
  /** Calls refused with `RESOURCE_EXHAUSTED` because `limit` calls were running. */
  readonly rejected: number;
  /** Calls dropped without running because their deadline had passed before they could start. */
  readonly expired: number;
}

/** The shared in-flight count of one server (see the module comment). */
export class ServerLoad implements LoadCounters {
  inFlight = 0;
  rejected = 0;
  expired = 0;

  constructor(
    private readonly maxInFlightCap: number,
    private readonly limiter?: AdaptiveLimiter,
  ) {}

  /** Whether completed calls' latencies are wanted (an adaptive limiter is on). */
  get measuresLatency(): boolean {
    return this.limiter !== undefined;
  }

  /** The limit in force now (see {@link LoadCounters.limit}). */
  get limit(): number {
    return this.limiter === undefined ? this.maxInFlightCap : Math.min(this.maxInFlightCap, this.limiter.limit);
  }

  /** Takes a slot for a call; `false` (and counts a rejection) when the server is full. */
  tryAcquire(): boolean {
    const limiter = this.limiter;
    if (this.inFlight >= this.maxInFlightCap || (limiter !== undefined && this.inFlight >= limiter.limit)) {
      this.rejected++;
      limiter?.onLimited();
      return false;
    }
    this.inFlight++;
    return true;
  }

  /**
   * Gives back a slot taken by {@link tryAcquire}. `latencyMs` is how long the call ran, for
   * the adaptive limiter; omit it for a call that did not run or whose end says nothing about
   * the server's speed (its connection closed).
   */
  release(latencyMs?: number): void {
    if (latencyMs !== undefined && this.limiter !== undefined) this.limiter.onSample(latencyMs, this.inFlight);
    this.inFlight--;
  }
}
