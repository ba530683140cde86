/** Number formatting shared by the benchmarks' Markdown reports. */

/** A rate with a k/M suffix: `1.23M`, `45.6k`, `812`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

/** Milliseconds with three significant decimals below 10 ms, one above. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 10 ? ms.toFixed(1) : ms.toFixed(3);
}

/** `value / reference` as `1.23x`, or `n/a` when either is missing. */
export function formatRatio(value: number | undefined, reference: number | undefined): string {
  if (value === undefined || reference === undefined || !Number.isFinite(value) || !Number.isFinite(reference) || reference === 0) return 'n/a';
  const ratio = value / reference;
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}x`;
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / (1 << 20)).toFixed(1) : 'n/a';
}

/** `count` and the noun, singular for 1: `1 connection`, `4 connections`, `2 fresh processes`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** `met` / `NOT met`, or `n/a` when the comparison could not be made. */
export function verdict(met: boolean | undefined): string {
  return met === undefined ? 'n/a' : met ? 'met' : '**not met**';
}
