/**
 * Closed-loop load on one client: `inFlight` callers each make a call, wait for it, and make the
 * next, until the sample's time is up. Every call's latency (issue to settled, including the
 * client library's own work) is recorded.
 */

/** What one sample measured. */
export interface Sample {
  /** Calls completed. */
  readonly calls: number;
  /** From the first call issued to the last one completed, in milliseconds. */
  readonly elapsedMs: number;
  readonly callsPerSecond: number;
  /** Latency percentiles in milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU time of this (the client) process per call, in microseconds. */
  readonly clientCpuMicrosPerCall: number;
}

/** Starts one call; the number is its index, for picking arguments. Rejects on any failure. */
export type Caller = (index: number) => Promise<void>;

/** Value at quantile `q` (0..1) of `sorted` (nearest rank). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Runs `inFlight` concurrent callers for `durationMs`; rejects with the first call's failure,
 * or when the sample takes more than `durationMs + hangMs` (a call that never settles).
 */
export async function runClosedLoop(call: Caller, inFlight: number, durationMs: number, hangMs = 30_000): Promise<Sample> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let failed = false;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const stopAt = start + durationMs;
  const caller = async (first: number): Promise<void> => {
    for (let index = first; ; index += inFlight) {
      const issued = performance.now();
      if (issued >= stopAt || failed) return;
      await call(index);
      const latency = performance.now() - issued;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = latency;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      failed = true;
      reject(new Error(`a call did not settle within ${durationMs + hangMs} ms of the sample's start`));
    }, durationMs + hangMs);
  });
  try {
    await Promise.race([
      Promise.all(Array.from({ length: inFlight }, (_, i) => caller(i))).catch((error: unknown) => {
        failed = true;
        throw error;
      }),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.subarray(0, count).sort();
  return {
    calls: count,
    elapsedMs,
    callsPerSecond: count / (elapsedMs / 1000),
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    clientCpuMicrosPerCall: (cpu.user + cpu.system) / count,
  };
}

/** Median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
