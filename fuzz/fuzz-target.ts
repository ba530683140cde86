/**
 * The server the fuzzer attacks, built the same way wherever it runs: in the child process of a
 * fuzzing run (`fuzz-server.ts`) and in-process in the corpus replay test.
 *
 * It serves `KitchenSink` (registered first, so the bare names `ping` and `echo` are its own) and
 * `UserService` with the stateless handlers of `fuzz-handlers.ts`, with the default limits except
 * a short `frameTimeoutMs` (a fuzzed input that ends mid-frame holds its connection until then)
 * and a smaller `maxFrameBytes`, and a logger that counts what the server reports instead of
 * printing it: a run produces millions of "malformed data" warnings.
 */
import { createServer, type LogFields, type Logger, type Server, type ServerOptions } from 'skiff/runtime';
import { UserService } from '../generated/account/user_service.js';
import { KitchenSink } from '../generated/kitchen_sink.js';
import { FuzzKitchenSink, FuzzUserService } from './fuzz-handlers.js';

/** Default `frameTimeoutMs` of the fuzzed server, in milliseconds. */
export const FUZZ_FRAME_TIMEOUT_MS = 1000;
/** Default `maxFrameBytes` of the fuzzed server: 1 MiB (frames near it are among the inputs). */
export const FUZZ_MAX_FRAME_BYTES = 1024 * 1024;

/** Message of the log line a server writes when something other than malformed input broke a connection. */
export const INTERNAL_ERROR_LOG = 'closed a connection after an internal error';

/** A logged event that points at a bug in the runtime (see {@link INTERNAL_ERROR_LOG}). */
export interface InternalErrorReport {
  readonly peer: string;
  readonly reason: string;
  readonly stack: string | undefined;
}

/** A logger that counts events by message and hands internal errors to `onInternalError`. */
export interface CountingLogger extends Logger {
  /** Events seen, keyed `level: message`. */
  readonly counts: Map<string, number>;
}

/**
 * Creates a {@link CountingLogger}; with `echo`, every `warn` and `error` event is also passed on
 * to it (for triage: which connection was closed, and why).
 */
export function countingLogger(onInternalError: (report: InternalErrorReport) => void, echo?: Logger): CountingLogger {
  const counts = new Map<string, number>();
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (fields: LogFields, message: string): void => {
      const key = `${level}: ${message}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (level === 'warn' || level === 'error') echo?.[level](fields, message);
      if (message === INTERNAL_ERROR_LOG) {
        const stack = fields?.['stack'];
        onInternalError({ peer: String(fields?.['peer']), reason: String(fields?.['reason']), stack: typeof stack === 'string' ? stack : undefined });
      }
    };
  return { counts, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** The fuzzed server (see the module comment), not yet listening; `overrides` replace its options. */
export function createFuzzTarget(logger: Logger, overrides: ServerOptions = {}): Server {
  return createServer({ logger, frameTimeoutMs: FUZZ_FRAME_TIMEOUT_MS, maxFrameBytes: FUZZ_MAX_FRAME_BYTES, ...overrides })
    .addService(KitchenSink, new FuzzKitchenSink())
    .addService(UserService, new FuzzUserService());
}
