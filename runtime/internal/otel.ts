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
