/**
 * Server spans through the OpenTelemetry API. Without an OpenTelemetry SDK registered in the
 * process no span is started (see `tracerProviderRegistered`); with one, each call
 * gets a `SERVER` span, child of the caller's `traceparent`, active while the handler runs, so
 * spans the handler creates (and calls it makes through skiff) nest under it.
 */
import type { Context, Span, Tracer } from '@opentelemetry/api';
import type { ErrorCode } from '../errors.js';
import { formatTraceparent, parseTraceparent, TRACEPARENT } from '../internal/trace-context.js';
import type { InfoHeaders } from '../protocol/header.js';
import { otel, tracerProviderRegistered } from '../internal/otel.js';

let tracer: Tracer | undefined;
let notTraced: ServerSpan | undefined;

/** A call's span and the trace context to pass on to calls its handler makes. */
export interface ServerSpan {
  /** The recording span; `undefined` when nothing records (no SDK, or not sampled). */
  readonly span: Span | undefined;
  /** The context the handler runs in (its active span is `span`). */
  readonly context: Context;
  /** `traceparent` for outgoing calls: this span when recording, else the caller's, unchanged. */
  readonly traceparent: string | undefined;
}

/** Starts the span of a call to `service.method` whose request carried `headers`. */
export function startServerSpan(service: string, method: string, headers: InfoHeaders): ServerSpan {
  const { trace, ROOT_CONTEXT, SpanKind } = otel();
  // Shared by every call that is in no trace and records nothing (most calls without an SDK).
  const NOT_TRACED = (notTraced ??= { span: undefined, context: ROOT_CONTEXT, traceparent: undefined });
  // A proxy: it picks up an SDK registered later.
  tracer ??= trace.getTracer('skiff');
  const received = headers.size === 0 ? undefined : headers.get(TRACEPARENT);
  const remote = parseTraceparent(received);
  const parent = remote === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, remote);
  if (!tracerProviderRegistered()) return remote === undefined ? NOT_TRACED : { span: undefined, context: parent, traceparent: received };
  const span = tracer.startSpan(`${service}/${method}`, { kind: SpanKind.SERVER }, parent);
  if (!span.isRecording()) return remote === undefined ? NOT_TRACED : { span: undefined, context: parent, traceparent: received };
  // Attributes only for a span that records: the no-op path allocates as little as it can.
  span.setAttributes({ 'rpc.system': 'apache_thrift', 'rpc.service': service, 'rpc.method': method });
  return { span, context: trace.setSpan(parent, span), traceparent: formatTraceparent(span.spanContext()) };
}

/** Runs `fn` with the call's span active (only when it records: the no-op path stays free). */
export function runInSpan<T>(serverSpan: ServerSpan, fn: () => T): T {
  return serverSpan.span !== undefined ? otel().context.with(serverSpan.context, fn) : fn();
}

/** Ends the span with how the call ended. */
export function endServerSpan(span: Span, code: 'OK' | ErrorCode, exception: string | undefined): void {
  span.setAttribute('rpc.skiff.code', code);
  if (exception !== undefined) span.setAttribute('rpc.skiff.exception', exception);
  if (code !== 'OK') span.setStatus({ code: otel().SpanStatusCode.ERROR, message: code });
  span.end();
}
