/**
 * Per-method call statistics of one server, fed one {@link CallRecord} at a time (from
 * `server.observe`): call and error counts by code, declared exceptions, a latency histogram
 * since start (for Prometheus) and the same over a sliding window (for the status page's rates
 * and percentiles). Recording is O(1) and allocates nothing once a method has been seen; memory
 * is bounded by the number of registered methods, because calls to methods no service registered
 * (whose names come from the client) share one entry.
 */
import type { CallRecord } from '../server/call-observer.js';
import { bucketIndex, LatencyHistogram } from './latency-histogram.js';
import { SlidingWindow } from './sliding-window.js';

/** The method name under which calls to unregistered methods are counted (service `''`). */
export const UNREGISTERED_METHOD = '(unregistered)';

/** Settings of {@link CallMetrics}. */
export interface CallMetricsOptions {
  /** Length of the recent window for rates and percentiles, in milliseconds. Default 60,000. */
  readonly windowMs?: number;
  /** Slots the window is made of (its edge moves in steps of `windowMs / windowSlots`). Default 6. */
  readonly windowSlots?: number;
  /** The clock for reads, epoch milliseconds. Default `Date.now`. Records carry their own times. */
  readonly now?: () => number;
}

interface WindowSlot {
  readonly latency: LatencyHistogram;
  errors: number;
}

/** Everything counted for one method. */
class MethodStats {
  calls = 0;
  errors = 0;
  readonly codes = new Map<string, number>();
  readonly exceptions = new Map<string, number>();
  readonly latency = new LatencyHistogram();

  constructor(readonly recent: SlidingWindow<WindowSlot>) {}
}

/** Latency percentiles, in milliseconds. */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

/** One method's numbers at a point in time (see {@link CallMetrics.summary}). */
export interface MethodSummary {
  /** The service (`''` for {@link UNREGISTERED_METHOD}). */
  readonly service: string;
  readonly method: string;
  /** Calls ended since start, however they ended. */
  readonly calls: number;
  /** Of those, calls whose code was not `OK`. */
  readonly errors: number;
  /** Calls by code (`OK` included); codes never seen are absent. */
  readonly codes: Readonly<Record<string, number>>;
  /** Declared exceptions thrown by the handler, by name (these calls count as `OK`). */
  readonly exceptions: Readonly<Record<string, number>>;
  /** Latency of every call since start. Shared, not a copy: read it, do not change it. */
  readonly latency: LatencyHistogram;
  /** The same over the recent window. */
  readonly window: {
    readonly calls: number;
    readonly errors: number;
    /** Calls per second over the part of the window since recording began. */
    readonly perSecond: number;
    /** `undefined` when no call ended in the window. */
    readonly latencyMs: LatencySummary | undefined;
  };
}

/** Call statistics of one server (see the module comment). */
export class CallMetrics {
  /** When recording began, epoch milliseconds. */
  readonly startedAt: number;
  private readonly byService = new Map<string, Map<string, MethodStats>>();
  private unregistered: MethodStats | undefined;
  private readonly windowMs: number;
  private readonly windowSlots: number;
  private readonly now: () => number;

  constructor(options: CallMetricsOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.windowSlots = options.windowSlots ?? 6;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    // Fail at construction, not at the first call, on a bad window.
    this.newStats();
  }

  /** Counts one call. */
  record(record: CallRecord): void {
    const stats = record.service === undefined ? (this.unregistered ??= this.newStats()) : this.statsOf(record.service, record.method);
    const failed = record.code !== 'OK';
    stats.calls++;
    if (failed) stats.errors++;
    stats.codes.set(record.code, (stats.codes.get(record.code) ?? 0) + 1);
    if (record.exception !== undefined) stats.exceptions.set(record.exception, (stats.exceptions.get(record.exception) ?? 0) + 1);
    const bucket = bucketIndex(record.durationMs);
    stats.latency.recordInBucket(bucket, record.durationMs);
    // A call belongs to the slot in which it ended; the record's own times avoid a clock read.
    const slot = stats.recent.at(record.startedAt + record.durationMs);
    if (slot !== undefined) {
      slot.latency.recordInBucket(bucket, record.durationMs);
      if (failed) slot.errors++;
    }
  }

  /**
   * The numbers of `service.method` now; zeros for a method that has had no call. Pass
   * `service` `''` and {@link UNREGISTERED_METHOD} for calls to unregistered methods.
   */
  summary(service: string, method: string): MethodSummary {
    const stats = service === '' && method === UNREGISTERED_METHOD ? this.unregistered : this.byService.get(service)?.get(method);
    const now = this.now();
    const recent = new LatencyHistogram();
    let recentErrors = 0;
    if (stats !== undefined) {
      for (const slot of stats.recent.within(now)) {
        recent.add(slot.latency);
        recentErrors += slot.errors;
      }
    }
    const coveredMs = stats?.recent.coveredMs(now, this.startedAt) ?? 0;
    return {
      service,
      method,
      calls: stats?.calls ?? 0,
      errors: stats?.errors ?? 0,
      codes: Object.fromEntries(stats?.codes ?? []),
      exceptions: Object.fromEntries(stats?.exceptions ?? []),
      latency: stats?.latency ?? new LatencyHistogram(),
      window: {
        calls: recent.count,
        errors: recentErrors,
        perSecond: coveredMs > 0 ? (recent.count * 1000) / coveredMs : 0,
        latencyMs: summarize(recent),
      },
    };
  }

  /** Every `[service, method]` that has had a call, registered ones first (in first-call order). */
  seen(): Array<readonly [string, string]> {
    const out: Array<readonly [string, string]> = [];
    for (const [service, methods] of this.byService) for (const method of methods.keys()) out.push([service, method]);
    if (this.unregistered !== undefined) out.push(['', UNREGISTERED_METHOD]);
    return out;
  }

  private statsOf(service: string, method: string): MethodStats {
    let methods = this.byService.get(service);
    if (methods === undefined) this.byService.set(service, (methods = new Map()));
    let stats = methods.get(method);
    if (stats === undefined) methods.set(method, (stats = this.newStats()));
    return stats;
  }

  private newStats(): MethodStats {
    return new MethodStats(
      new SlidingWindow<WindowSlot>(
        this.windowMs,
        this.windowSlots,
        () => ({ latency: new LatencyHistogram(), errors: 0 }),
        (slot) => {
          slot.latency.clear();
          slot.errors = 0;
        },
      ),
    );
  }
}

function summarize(histogram: LatencyHistogram): LatencySummary | undefined {
  if (histogram.count === 0) return undefined;
  return {
    p50: histogram.percentile(0.5)!,
    p90: histogram.percentile(0.9)!,
    p99: histogram.percentile(0.99)!,
    mean: histogram.meanMs!,
    max: histogram.maxMs,
  };
}
