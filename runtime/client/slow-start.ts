/**
 * Slow start (warm-up weight), after Envoy's `slow_start_config`: an instance that has just joined
 * gets a small share of traffic that grows to its full weight over a window, so a cold server
 * (empty caches, unoptimized code) is not handed a full share at once.
 *
 * ```
 * factor(t) = max(minWeightPercent / 100, (max(t, 1) / windowMs) ^ (1 / aggression))   for t < windowMs
 * factor(t) = 1                                                                     for t >= windowMs
 * effective weight = configured weight x factor(time since the instance warmed up)
 * ```
 *
 * With `aggression` 1 the ramp is linear; above 1 the weight rises faster at first, below 1
 * slower. What counts as "joined" is decided by the channel (`endpoint-set.ts`): an instance
 * added after the resolver's first list, on its first connection, and any instance connecting
 * again after it could not be reached (a server that restarted is cold again).
 */
import { ErrorCode, RpcError } from '../errors.js';

/** Settings of slow start; off unless given on the channel. */
export interface SlowStartOptions {
  /** How long a new instance takes to reach its full weight, in milliseconds. Required; must be > 0. */
  readonly windowMs: number;
  /** Shape of the ramp: the time fraction is raised to `1 / aggression`. 1 is linear. Default 1; must be > 0. */
  readonly aggression?: number;
  /** The smallest share of its weight a warming instance gets, in percent (0..100). Default 10. */
  readonly minWeightPercent?: number;
  /** Clock in epoch milliseconds; injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** The warm-up curve of a channel (see the module comment). */
export class SlowStart {
  readonly windowMs: number;
  readonly now: () => number;
  private readonly exponent: number;
  private readonly minFactor: number;

  /** @throws RpcError `INVALID_ARGUMENT` for a window, aggression or percentage out of range. */
  constructor(options: SlowStartOptions) {
    const { windowMs } = options;
    const aggression = options.aggression ?? 1;
    const minPercent = options.minWeightPercent ?? 10;
    if (!(windowMs > 0 && Number.isFinite(windowMs))) {
      throw new RpcError(ErrorCode.INVALID_ARGUMENT, `slowStart.windowMs must be a positive number of milliseconds, got ${windowMs}`);
    }
    if (!(aggression > 0 && Number.isFinite(aggression))) {
      throw new RpcError(ErrorCode.INVALID_ARGUMENT, `slowStart.aggression must be a positive number, got ${aggression}`);
    }
    if (!(minPercent >= 0 && minPercent <= 100)) {
      throw new RpcError(ErrorCode.INVALID_ARGUMENT, `slowStart.minWeightPercent must be within 0..100, got ${minPercent}`);
    }
    this.windowMs = windowMs;
    this.exponent = 1 / aggression;
    this.minFactor = minPercent / 100;
    this.now = options.now ?? Date.now;
  }

  /** The share of its weight an instance warming for `elapsedMs` gets: in (0, 1], 1 once the window has passed. */
  factor(elapsedMs: number): number {
    if (elapsedMs >= this.windowMs) return 1;
    return Math.max(this.minFactor, (Math.max(elapsedMs, 1) / this.windowMs) ** this.exponent);
  }
}
