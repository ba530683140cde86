/**
 * A latency histogram with fixed, log-spaced buckets: O(1) to record, a fixed 72 counters of
 * memory however many calls it sees, and percentiles estimated from the buckets.
 *
 * Bucket upper bounds follow the rounded Renard R10 series (1, 1.25, 1.6, 2, 2.5, 3.2, 4, 5, 6.3,
 * 8 times each power of ten), ten per decade from 10 µs to 100 s, so neighbouring bounds are
 * about 26% apart and an estimate is off by at most one bucket's width. The series contains
 * 1, 2.5 and 5, so a Prometheus histogram with the usual `le` bounds (0.0001 ... 10 s) reads its
 * cumulative counts exactly from these buckets (see {@link LatencyHistogram.countAtOrBelow}).
 *
 * ```
 * bucket i counts values v with bounds[i-1] < v <= bounds[i]    (bucket 0: v <= 0.01 ms)
 * bucket 71 counts values above 100,000 ms                      (the overflow bucket)
 * ```
 */

const MANTISSAS = ['1', '1.25', '1.6', '2', '2.5', '3.2', '4', '5', '6.3', '8'] as const;
const FIRST_EXPONENT = -2;
const DECADES = 7;

/**
 * Upper bounds of the buckets, in milliseconds, ascending: 0.01 ... 100,000. Built from decimal
 * strings so that each bound is the double nearest its decimal value (0.025 prints as 0.025).
 */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = Object.freeze([
  ...Array.from({ length: DECADES }, (_, d) => MANTISSAS.map((m) => Number(`${m}e${FIRST_EXPONENT + d}`))).flat(),
  Number(`1e${FIRST_EXPONENT + DECADES}`),
]);

const BOUNDS = Float64Array.from(LATENCY_BUCKET_BOUNDS_MS);
const LAST = BOUNDS.length; // index of the overflow bucket
const LOWEST = BOUNDS[0]!;

/** Index of the bucket that holds `valueMs` (see the module comment). */
export function bucketIndex(valueMs: number): number {
  if (!(valueMs > LOWEST)) return 0; // also NaN and negatives: a clock step must not throw
  if (valueMs > BOUNDS[LAST - 1]!) return LAST;
  // The index of the ideal bound 10^(i/10) * LOWEST. Each rounded bound is within 2% of its ideal
  // one while neighbours are 26% apart, so the true index is this one or a neighbour.
  const i = Math.ceil(10 * Math.log10(valueMs / LOWEST));
  if (i > 0 && valueMs <= BOUNDS[i - 1]!) return i - 1;
  return valueMs > BOUNDS[i]! ? i + 1 : i;
}

/** Counts of latencies in milliseconds (see the module comment). */
export class LatencyHistogram {
  /** Per-bucket counts; doubles count exactly to 2^53. */
  private readonly counts = new Float64Array(LAST + 1);
  /** Values recorded. */
  count = 0;
  /** Sum of the values recorded, in milliseconds. */
  sumMs = 0;
  /** Smallest value recorded (`Infinity` when empty). */
  minMs = Infinity;
  /** Largest value recorded (`-Infinity` when empty). */
  maxMs = -Infinity;

  /** Records one latency in milliseconds; negative and NaN values count as 0. */
  record(valueMs: number): void {
    this.recordInBucket(bucketIndex(valueMs), valueMs);
  }

  /**
   * Records `valueMs` in bucket `index`, which must be `bucketIndex(valueMs)`: for recording one
   * value into several histograms with one bucket lookup.
   */
  recordInBucket(index: number, valueMs: number): void {
    const v = valueMs > 0 ? valueMs : 0;
    this.counts[index]!++;
    this.count++;
    this.sumMs += v;
    if (v < this.minMs) this.minMs = v;
    if (v > this.maxMs) this.maxMs = v;
  }

  /** Adds `other`'s counts to this one (to merge time slots or servers). */
  add(other: LatencyHistogram): void {
    for (let i = 0; i <= LAST; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sumMs += other.sumMs;
    if (other.minMs < this.minMs) this.minMs = other.minMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  /** Forgets everything recorded. */
  clear(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sumMs = 0;
    this.minMs = Infinity;
    this.maxMs = -Infinity;
  }

  /**
   * How many recorded values are `<= boundMs`. Exact when `boundMs` is one of
   * {@link LATENCY_BUCKET_BOUNDS_MS}; otherwise it counts the buckets whose upper bound is
   * `<= boundMs` (an undercount by at most one bucket).
   */
  countAtOrBelow(boundMs: number): number {
    let total = 0;
    for (let i = 0; i < LAST && BOUNDS[i]! <= boundMs; i++) total += this.counts[i]!;
    return total;
  }

  /**
   * Estimates the `q` quantile (0..1, e.g. 0.99) in milliseconds; `undefined` when empty.
   *
   * Finds the bucket holding the value of rank `q * count` and interpolates linearly inside it
   * (as Prometheus' `histogram_quantile` does), with the bucket narrowed to the recorded minimum
   * and maximum: a histogram of identical values returns that value, and no estimate exceeds the
   * largest value seen.
   */
  percentile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    if (!(q > 0)) return this.minMs;
    if (q >= 1) return this.maxMs;
    const rank = q * this.count;
    let below = 0;
    for (let i = 0; i <= LAST; i++) {
      const inBucket = this.counts[i]!;
      if (inBucket > 0 && below + inBucket >= rank) {
        const lower = Math.max(i === 0 ? 0 : BOUNDS[i - 1]!, this.minMs);
        const upper = Math.min(i === LAST ? this.maxMs : BOUNDS[i]!, this.maxMs);
        return lower + ((rank - below) / inBucket) * (upper - lower);
      }
      below += inBucket;
    }
    return this.maxMs;
  }

  /** Mean of the recorded values in milliseconds; `undefined` when empty. */
  get meanMs(): number | undefined {
    return this.count === 0 ? undefined : this.sumMs / this.count;
  }
}
