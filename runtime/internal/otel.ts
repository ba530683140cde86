/**
 * The OpenTelemetry API, loaded on first use rather than at import: it is about 60 CommonJS
 * files (some 40 ms to load), and a program that imports `skiff/runtime` without creating a
 * server or channel (a script using only the codecs) should not pay for it. `createServer` and
 * `createChannel` load it, so no call pays for it either.
 */
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

let api: typeof OtelApi | undefined;

/** `@opentelemetry/api`, loaded once. */
export function otel(): typeof OtelApi {
  return (api ??= createRequire(import.meta.url)('@opentelemetry/api') as typeof OtelApi);
}

let noSdkProvider: OtelApi.TracerProvider | undefined;

/**
 * Whether an OpenTelemetry SDK has registered a tracer provider. Until one does, no span can
 * record, so calls skip `startSpan` (and its span and options objects) altogether. Checked per
 * call: an SDK may register at any time.
 */
export function tracerProviderRegistered(): boolean {
  const { trace, ProxyTracerProvider } = otel();
  const provider = trace.getTracerProvider();
  if (!(provider instanceof ProxyTracerProvider)) return true;
  // A fresh proxy's delegate is the API's own no-op provider: the global one has it until an SDK registers.
  noSdkProvider ??= new ProxyTracerProvider().getDelegate();
  return provider.getDelegate() !== noSdkProvider;
}
