/**
 * Client spans and trace propagation. Every call carries W3C `traceparent` in its metadata when
 * it belongs to a trace: with an OpenTelemetry SDK registered, a `CLIENT` span (child of the
 * active span) is created and sent as the parent; without one, a call made while serving a call
 * that carried `traceparent` forwards it unchanged (W3C's rule for a participant that records
 * nothing), so traces stay connected across skiff hops either way.
 */
import type { Span, Tracer } from '@opentelemetry/api';
import { RpcError } from '../errors.js';
import { otel, tracerProviderRegistered } from '../internal/otel.js';
import { formatTraceparent, TRACEPARENT } from '../internal/trace-context.js';

let tracer: Tracer | undefined;
/** A call in no trace, with no metadata: the common case without an SDK, shared. */
const NOT_TRACED: ClientTrace = { metadata: undefined, span: undefined };

/** What a call sends for tracing, and its span when one records. */
export interface ClientTrace {
  /** The metadata to send: `metadata` plus `traceparent` when the call is part of a trace. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  /** The recording span, to end with the call's outcome; `undefined` when nothing records. */
  readonly span: Span | undefined;
}

/**
 * Starts tracing a call to `method`. `inherited` is the `traceparent` of the call being served,
 * if this call is made from a handler. A `traceparent` the caller put in `metadata` wins.
 */
export function startClientTrace(method: string, metadata: Readonly<Record<string, string>> | undefined, inherited: string | undefined): ClientTrace {
  const { context, trace, SpanKind } = otel();
  // A proxy: it picks up an SDK registered later.
  tracer ??= trace.getTracer('skiff');
  const active = context.active();
  const span = tracerProviderRegistered() ? tracer.startSpan(method, { kind: SpanKind.CLIENT }, active) : undefined;
  const recording = span !== undefined && span.isRecording();
  let traceparent: string | undefined;
  if (recording) {
    span.setAttributes({ 'rpc.system': 'apache_thrift', 'rpc.method': method });
    traceparent = formatTraceparent(span.spanContext());
  } else {
    const parent = trace.getSpanContext(active);
    traceparent = parent !== undefined && trace.isSpanContextValid(parent) ? formatTraceparent(parent) : inherited;
  }
  if (!recording && traceparent === undefined && metadata === undefined) return NOT_TRACED;
  const withTrace = traceparent === undefined || metadata?.[TRACEPARENT] !== undefined ? metadata : { ...metadata, [TRACEPARENT]: traceparent };
  return { metadata: withTrace, span: recording ? span : undefined };
}

/** Ends a call's span with its outcome. */
export function endClientSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const code = error instanceof RpcError ? error.code : error instanceof Error ? error.constructor.name : 'UNKNOWN';
    span.setAttribute('rpc.skiff.code', code);
    span.setStatus({ code: otel().SpanStatusCode.ERROR, message: code });
  } else {
    span.setAttribute('rpc.skiff.code', 'OK');
  }
  span.end();
}
