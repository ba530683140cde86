/**
 * An adaptive concurrency limit: it looks for the number of calls a server can run at once
 * before they start to queue, so a server under overload sheds the excess at once with
 * `RESOURCE_EXHAUSTED` instead of letting every call wait (in the spirit of bRPC's auto
 * concurrency limiter and of gradient limiters).
 *
 * Pure logic: no timers, no I/O. It is fed one latency sample per completed call and adjusts the
 * limit at the end of each sample window; the clock is injectable so tests are deterministic.
 *
 * ```
 *            samples (latency of each completed call)
 *   ---------|||||||||||||||---------|||||||||||||---------> time
 *            [ window 1    ]         [ window 2  ]           ends after windowMs and minSamples,
 *                          |                     |           or at maxSamples
 *                          v                     v
 *   avg = mean latency     noLoad = min(noLoad, avg)          target = noLoad * (1 + tolerance)
 *                                                                      + latencySlackMs
 *   avg > target                 -> limit *= max(0.5, target / avg)   (queueing: shed)
 *   avg <= target and the limit  -> limit += max(1, limit * probeRatio) (room: probe up)
 *     was reached in the window
 *   otherwise                    -> unchanged (the load did not press on the limit)
 * ```
 *
 * Why it converges: while concurrency is below what the server can run in parallel, latency
 * stays at its no-load value and the limit grows; once calls queue, latency grows with
 * concurrency (Little's law) and the ratio `target / avg` cuts the limit to about the concurrency
 * that keeps latency at the target. It then oscillates within about `probeRatio` above that point.
 *
 * The no-load latency only ever goes down between measurements, so it is re-measured every
 * `remeasureIntervalMs` (the first time after `3 * windowMs`, as the first window may already be queued): the limit is halved for two windows
 * (one lets queued calls drain and is discarded, the next sets the no-load latency afresh), then
 * restored. A server that became slower for good thus gets a new baseline instead of collapsing to
 * `minLimit`.
 */

/** Settings of the adaptive limiter; every field has a default. */
export interface AdaptiveLimitOptions {
  /** The limit never goes below this many calls. Default 4. */
  readonly minLimit?: number;
  /** The limit never goes above this many calls (also capped by `ServerOptions.maxInFlight`). Default 1,000. */
  readonly maxLimit?: number;
  /** The limit before the first window ends. Default 16. */
  readonly initialLimit?: number;
  /** Shortest sample window, in milliseconds. Default 100. */
  readonly windowMs?: number;
  /** Samples a window needs before it may end; a window with fewer waits for more. Default 20. */
  readonly minSamples?: number;
  /** A window ends at this many samples even before `windowMs`. Default 1,000. */
  readonly maxSamples?: number;
  /** How far above the no-load latency the average may go before the limit shrinks, as a ratio. Default 0.1. */
  readonly tolerance?: number;
  /** Absolute allowance added to the target latency, in milliseconds (absorbs timer jitter on fast handlers). Default 1. */
  readonly latencySlackMs?: number;
  /** How much the limit grows per window when latency stays near its minimum, as a ratio. Default 0.1. */
  readonly probeRatio?: number;
  /** How often the no-load latency is measured afresh, in milliseconds. Default 10,000. */
  readonly remeasureIntervalMs?: number;
  /** Monotonic clock in milliseconds. Default `performance.now`. */
  readonly now?: () => number;
}

/** What the limiter reports (see {@link AdaptiveLimiter}). */
export interface AdaptiveLimitState {
  /** Calls allowed at once now. */
  readonly limit: number;
  /** The lowest window-average latency seen since the last re-measurement, in milliseconds; `undefined` before the first window. */
  readonly noLoadLatencyMs: number | undefined;
  /** Sample windows completed. */
  readonly windows: number;
}

type Phase = 'normal' | 'drain' | 'measure';

/** The limiter (see the module comment). */
export class AdaptiveLimiter implements AdaptiveLimitState {
  /** Calls allowed at once now; read on every admission, so a plain field. */
  limit: number;
  noLoadLatencyMs: number | undefined;
  windows = 0;

  private readonly minLimit: number;
  private readonly maxLimit: number;
  private readonly windowMs: number;
  private readonly minSamples: number;
  private readonly maxSamples: number;
  private readonly tolerance: number;
  private readonly latencySlackMs: number;
  private readonly probeRatio: number;
  private readonly remeasureIntervalMs: number;
  private readonly now: () => number;

  private windowStart: number;
  private count = 0;
  private sumMs = 0;
  /** The limit was reached during this window (a call refused, or in-flight at the limit). */
  private limited = false;
  private phase: Phase = 'normal';
  private nextRemeasureAt: number;
  /** The limit before a re-measurement halved it. */
  private savedLimit = 0;

  constructor(options: AdaptiveLimitOptions = {}) {
    this.minLimit = Math.max(1, Math.floor(options.minLimit ?? 4));
    this.maxLimit = Math.max(this.minLimit, Math.floor(options.maxLimit ?? 1000));
    this.limit = clamp(Math.floor(options.initialLimit ?? 16), this.minLimit, this.maxLimit);
    this.windowMs = options.windowMs ?? 100;
    this.minSamples = Math.max(1, options.minSamples ?? 20);
    this.maxSamples = Math.max(this.minSamples, options.maxSamples ?? 1000);
    this.tolerance = options.tolerance ?? 0.1;
    this.latencySlackMs = options.latencySlackMs ?? 1;
    this.probeRatio = options.probeRatio ?? 0.1;
    this.remeasureIntervalMs = options.remeasureIntervalMs ?? 10_000;
    this.now = options.now ?? (() => performance.now());
    this.windowStart = this.now();
    this.nextRemeasureAt = this.windowStart + Math.min(this.remeasureIntervalMs, 3 * this.windowMs);
  }

  /** Notes that a call was refused because the limit was reached. */
  onLimited(): void {
    this.limited = true;
  }

  /**
   * Feeds the latency of one completed call, in milliseconds; `inFlight` is the number of calls
   * that were running just before it completed (itself included). May end the window and move
   * the limit.
   */
  onSample(latencyMs: number, inFlight: number): void {
    if (inFlight >= this.limit) this.limited = true;
    this.count++;
    this.sumMs += latencyMs;
    if (this.count < this.minSamples) return;
    const now = this.now();
    if (this.count < this.maxSamples && now - this.windowStart < this.windowMs) return;
    this.endWindow(this.sumMs / this.count, now);
  }

  private endWindow(avgMs: number, now: number): void {
    const limited = this.limited;
    this.windows++;
    this.windowStart = now;
    this.count = 0;
    this.sumMs = 0;
    this.limited = false;

    if (this.phase === 'drain') {
      // Calls queued under the higher limit are finishing: their latency says nothing.
      this.phase = 'measure';
      return;
    }
    if (this.phase === 'measure') {
      this.noLoadLatencyMs = avgMs;
      this.phase = 'normal';
      this.limit = this.savedLimit;
      return;
    }
    if (this.noLoadLatencyMs === undefined || avgMs < this.noLoadLatencyMs) this.noLoadLatencyMs = avgMs;
    const target = this.noLoadLatencyMs * (1 + this.tolerance) + this.latencySlackMs;
    if (avgMs > target) {
      this.limit = clamp(Math.floor(this.limit * Math.max(0.5, target / avgMs)), this.minLimit, this.maxLimit);
    } else if (limited) {
      this.limit = clamp(this.limit + Math.max(1, Math.round(this.limit * this.probeRatio)), this.minLimit, this.maxLimit);
    }
    if (now >= this.nextRemeasureAt) {
      this.nextRemeasureAt = now + this.remeasureIntervalMs;
      this.savedLimit = this.limit;
      this.limit = Math.max(this.minLimit, Math.floor(this.limit / 2));
      this.phase = 'drain';
    }
  }
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}
