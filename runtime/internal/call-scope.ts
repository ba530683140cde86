/**
 * The call a piece of server code is running for, carried across `await`s with
 * `AsyncLocalStorage`: a handler that calls another service passes on its remaining deadline
 * and its cancellation without threading them through by hand, so a chain of calls never
 * outlives its caller.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What an outgoing call inherits from the call being served. */
export interface CallScope {
  /** When the served call's client stops waiting (epoch ms), if it set a deadline. */
  readonly deadline: number | undefined;
  /** Aborted when the served call is cancelled, times out or loses its connection. */
  readonly signal: AbortSignal;
  /** W3C `traceparent` to send with outgoing calls, when the served call is part of a trace. */
  readonly traceparent?: string | undefined;
}

const storage = new AsyncLocalStorage<CallScope>();

/** Runs `fn` (a handler) with `scope` as the current call. */
export function runInCallScope<T>(scope: CallScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The call being served by the code running now, if any. */
export function currentCallScope(): CallScope | undefined {
  return storage.getStore();
}
