/**
 * Outlier ejection (a circuit breaker per instance): an instance whose calls keep failing is
 * taken out of the balancer's choices for a while, then tried again. Two detectors share one
 * backoff and one panic threshold:
 *
 * - A failure is a server-side failure of a call that reached it: `INTERNAL`, `UNAVAILABLE`,
 *   `UNKNOWN`, `DEADLINE_EXCEEDED`, or the connection dying under the call. Declared exceptions
 *   and caller mistakes are answers, not failures.
 * - Consecutive failures: after `consecutiveFailures` failures in a row (a success resets the
 *   count) the instance is ejected at once.
 * - Failure rate (Envoy's `failure_percentage`): every `intervalMs` the channel calls
 *   {@link OutlierDetector.sweep}; an instance that answered at least `minimumRequests` calls in
 *   that interval, `thresholdPercent` or more of them failures, is ejected, worst first. It
 *   catches instances that fail often but not many times in a row. Per call this costs two
 *   counter increments; the clock is read once per interval.
 * - Backoff: an ejection lasts `baseEjectionMs x 2^(ejections in a row)`, at most `maxEjectionMs`.
 *   Ejections are "in a row" unless the instance stayed in rotation for a whole `intervalMs`
 *   after its last one ended. A re-admitted instance is on probation: its first failure (before
 *   any success) ejects it again; its failure rate is judged again at the next sweep.
 * - Panic threshold: never more than `maxEjectedPercent` of the instances are ejected at once
 *   (at least one instance always stays), so a cluster-wide problem does not eject everything.
 */
import { ErrorCode, RpcError } from '../errors.js';

/** Settings of failure-rate ejection; `false` turns it off. */
export interface FailureRateOptions {
  /** Eject an instance when this share of its calls in an interval failed, in percent (0..100]. Default 50. */
  readonly thresholdPercent?: number;
  /** Calls an instance must have answered in the interval for its rate to be judged. Default 20. */
  readonly minimumRequests?: number;
}

/** Settings of outlier ejection; `false` on the channel turns it off. */
export interface OutlierDetectionOptions {
  /** Failures in a row that eject an instance. Default 5. */
  readonly consecutiveFailures?: number;
  /** Ejection by failure rate over each interval. Default `{ thresholdPercent: 50, minimumRequests: 20 }`; `false` for none. */
  readonly failureRate?: FailureRateOptions | false;
  /**
   * Length of a failure-rate interval in milliseconds, and how long a re-admitted instance must
   * stay in rotation before its ejection backoff starts over. Default 10,000.
   */
  readonly intervalMs?: number;
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

/** The failure record of one instance (plain counters: updated on every call). */
export class OutlierRecord {
  consecutiveFailures = 0;
  /** Ejections in a row: sets the length of the next one. */
  ejections = 0;
  /** While ejected, when the ejection ends (epoch ms); 0 otherwise (cleared once noticed over). */
  ejectedUntil = 0;
  /** When its last ejection ended (epoch ms); 0 if never ejected. */
  readmittedAt = 0;
  /** Re-admitted after an ejection and no success since: one failure ejects it again. */
  probation = false;
  /** Calls answered in the current failure-rate interval. */
  calls = 0;
  /** Of which failures. */
  failures = 0;
}

/** Outlier ejection over a set of instances (see the module comment). */
export class OutlierDetector {
  private readonly threshold: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxPercent: number;
  private readonly ratePercent: number | undefined;
  private readonly minimumRequests: number;
  /** Failure-rate interval in milliseconds. */
  readonly intervalMs: number;
  readonly now: () => number;

  /** @throws RpcError `INVALID_ARGUMENT` for a threshold or interval out of range. */
  constructor(options: OutlierDetectionOptions = {}) {
    this.threshold = options.consecutiveFailures ?? 5;
    this.baseMs = options.baseEjectionMs ?? 1000;
    this.maxMs = options.maxEjectionMs ?? 30_000;
    this.maxPercent = options.maxEjectedPercent ?? 50;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
    const rate = options.failureRate === false ? undefined : (options.failureRate ?? {});
    this.ratePercent = rate === undefined ? undefined : (rate.thresholdPercent ?? 50);
    this.minimumRequests = Math.max(1, rate === undefined ? 1 : (rate.minimumRequests ?? 20));
    if (this.ratePercent !== undefined && !(this.ratePercent > 0 && this.ratePercent <= 100)) {
      throw new RpcError(ErrorCode.INVALID_ARGUMENT, `outlierDetection.failureRate.thresholdPercent must be within (0, 100], got ${this.ratePercent}`);
    }
    if (!(this.intervalMs > 0 && Number.isFinite(this.intervalMs))) {
      throw new RpcError(ErrorCode.INVALID_ARGUMENT, `outlierDetection.intervalMs must be a positive number of milliseconds, got ${this.intervalMs}`);
    }
  }

  /** Whether {@link sweep} has anything to do (failure-rate ejection is on): the channel runs it every `intervalMs`. */
  get sweeps(): boolean {
    return this.ratePercent !== undefined;
  }

  /** Whether the instance is ejected at `now`; notices (and records) the end of an ejection. */
  isEjected(record: OutlierRecord, now: number): boolean {
    if (record.ejectedUntil === 0) return false;
    if (record.ejectedUntil > now) return true;
    record.readmittedAt = record.ejectedUntil;
    record.ejectedUntil = 0;
    return false;
  }

  /**
   * Records the outcome of a call that reached the instance of `record`; `all` are every
   * instance's records, read only when it comes to an ejection (for the panic threshold).
   */
  record(record: OutlierRecord, failed: boolean, all: Iterable<OutlierRecord>): void {
    record.calls++;
    if (!failed) {
      record.consecutiveFailures = 0;
      record.probation = false;
      return;
    }
    record.failures++;
    record.consecutiveFailures++;
    if (record.consecutiveFailures < (record.probation ? 1 : this.threshold)) return;
    this.eject(record, this.now(), all);
  }

  /**
   * Ends a failure-rate interval: ejects the instances whose failure share reached the
   * threshold (worst first, within the panic threshold), then starts every count afresh.
   */
  sweep(all: Iterable<OutlierRecord>): void {
    if (this.ratePercent === undefined) return;
    const now = this.now();
    let failing: OutlierRecord[] | undefined;
    for (const r of all) {
      if (r.calls >= this.minimumRequests && r.failures * 100 >= this.ratePercent * r.calls) (failing ??= []).push(r);
    }
    if (failing !== undefined) {
      failing.sort((a, b) => b.failures / b.calls - a.failures / a.calls);
      for (const r of failing) this.eject(r, now, all);
    }
    for (const r of all) {
      r.calls = 0;
      r.failures = 0;
    }
  }

  /** Ejects the instance unless it already is or the panic threshold forbids; returns whether it did. */
  private eject(record: OutlierRecord, now: number, all: Iterable<OutlierRecord>): boolean {
    if (this.isEjected(record, now)) return false;
    let total = 0;
    let ejected = 0;
    for (const r of all) {
      total++;
      if (this.isEjected(r, now)) ejected++;
    }
    if (ejected + 1 > Math.min(total - 1, Math.floor((total * this.maxPercent) / 100))) return false;
    // Back in rotation for a whole interval since the last ejection: this one is not "in a row".
    if (record.readmittedAt !== 0 && now - record.readmittedAt >= this.intervalMs) record.ejections = 0;
    record.ejectedUntil = now + Math.min(this.maxMs, this.baseMs * 2 ** record.ejections);
    record.ejections++;
    record.consecutiveFailures = 0;
    record.probation = true;
    return true;
  }
}
