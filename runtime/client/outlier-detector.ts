/**
 * Outlier ejection (a circuit breaker per instance): an instance whose calls keep failing is
 * taken out of the balancer's choices for a while, then tried again.
 *
 * - A failure is a server-side failure of a call that reached it: `INTERNAL`, `UNAVAILABLE`,
 *   `UNKNOWN`, `DEADLINE_EXCEEDED`, or the connection dying under the call. Declared exceptions
 *   and caller mistakes are answers, not failures; a success resets the count.
 * - After `consecutiveFailures` failures in a row the instance is ejected for
 *   `baseEjectionMs x 2^(times ejected before)` (at most `maxEjectionMs`). When that passes it
 *   is offered again: one more failure ejects it for longer, a success clears its record.
 * - Panic threshold: never more than `maxEjectedPercent` of the instances are ejected at once
 *   (at least one instance always stays), so a cluster-wide problem does not eject everything.
 */
import { ErrorCode, RpcError } from '../errors.js';

/** Settings of outlier ejection; `false` on the channel turns it off. */
export interface OutlierDetectionOptions {
  /** Failures in a row that eject an instance. Default 5. */
  readonly consecutiveFailures?: number;
  /** First ejection time in milliseconds; doubles with each ejection in a row. Default 1,000. */
  readonly baseEjectionMs?: number;
  /** Longest ejection in milliseconds. Default 30,000. */
  readonly maxEjectionMs?: number;
  /** Largest share of instances ejected at once, in percent. Default 50. */
  readonly maxEjectedPercent?: number;
  /** Clock in epoch milliseconds; injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
}

const FAILURE_CODES: ReadonlySet<string> = new Set([ErrorCode.INTERNAL, ErrorCode.UNAVAILABLE, ErrorCode.UNKNOWN, ErrorCode.DEADLINE_EXCEEDED]);

/** Whether a call's outcome counts against the instance that served it. */
export function isServerFailure(error: unknown): boolean {
  return error instanceof RpcError && FAILURE_CODES.has(error.code);
}

/** The failure record of one instance. */
export class OutlierRecord {
  consecutiveFailures = 0;
  ejections = 0;
  ejectedUntil = 0;
}

/** Outlier ejection over a set of instances (see the module comment). */
export class OutlierDetector {
  private readonly threshold: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxPercent: number;
  readonly now: () => number;

  constructor(options: OutlierDetectionOptions = {}) {
    this.threshold = options.consecutiveFailures ?? 5;
    this.baseMs = options.baseEjectionMs ?? 1000;
    this.maxMs = options.maxEjectionMs ?? 30_000;
    this.maxPercent = options.maxEjectedPercent ?? 50;
    this.now = options.now ?? Date.now;
  }

  /** Whether the instance is ejected now. */
  isEjected(record: OutlierRecord, now: number): boolean {
    return record.ejectedUntil > now;
  }

  /**
   * Records a call's outcome on `record`; `all` are every instance's records, for the panic
   * threshold.
   */
  record(record: OutlierRecord, failed: boolean, all: Iterable<OutlierRecord>): void {
    if (!failed) {
      record.consecutiveFailures = 0;
      if (record.ejectedUntil <= this.now()) record.ejections = 0;
      return;
    }
    record.consecutiveFailures++;
    // A probe after an ejection gets one chance; a fresh instance gets `threshold`.
    const limit = record.ejections > 0 ? 1 : this.threshold;
    if (record.consecutiveFailures < limit) return;
    const now = this.now();
    if (record.ejectedUntil > now) return;
    let total = 0;
    let ejected = 0;
    for (const r of all) {
      total++;
      if (r.ejectedUntil > now) ejected++;
    }
    if (ejected + 1 > Math.min(total - 1, Math.floor((total * this.maxPercent) / 100))) return;
    record.ejectedUntil = now + Math.min(this.maxMs, this.baseMs * 2 ** record.ejections);
    record.ejections++;
    record.consecutiveFailures = 0;
  }
}
