/**
 * W3C Trace Context (`traceparent`, https://www.w3.org/TR/trace-context/) as skiff carries it in
 * call metadata: parsing a received header into an OpenTelemetry `SpanContext`, and formatting
 * one to send. Pure string work.
 *
 * ```
 * traceparent: 00-<trace-id: 32 hex>-<parent-id: 16 hex>-<flags: 2 hex>
 * ```
 */
import type { SpanContext } from '@opentelemetry/api';

/** The metadata key (W3C's header name). */
export const TRACEPARENT = 'traceparent';

const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;

/**
 * The remote span context a `traceparent` value names, or `undefined` for a value that does not
 * parse, uses version `ff`, or has an all-zero id (all of which W3C says to ignore).
 */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  if (value === undefined) return undefined;
  const match = TRACEPARENT_PATTERN.exec(value.trim().toLowerCase());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  // Version 00 has exactly four fields; later versions may append more.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
}

/** The `traceparent` value that makes `context` the parent of the receiver's work. */
export function formatTraceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}
