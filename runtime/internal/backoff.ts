/**
 * Exponential backoff with jitter for reconnects: attempt n waits
 * `min(maxMs, baseMs * 2^n)`, scaled by a random factor in `[1 - jitter, 1 + jitter]` so that
 * many clients that lost the same server do not reconnect in lockstep.
 */

/** Backoff settings; every field has a default. */
export interface BackoffOptions {
  /** First delay in milliseconds. Default 100. */
  readonly baseMs?: number;
  /** Largest delay in milliseconds. Default 10,000. */
  readonly maxMs?: number;
  /** Relative jitter, 0..1. Default 0.2. */
  readonly jitter?: number;
  /** Source of randomness in [0, 1); injectable for deterministic tests. Default `Math.random`. */
  readonly random?: () => number;
}

/** Delay before reconnect attempt `attempt` (0 = the first retry), in milliseconds. */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 10_000;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  const raw = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.max(0, Math.round(raw * (1 - jitter + 2 * jitter * random())));
}
