/**
 * Hedged calls ("The Tail at Scale", Dean and Barroso; gRPC's hedging policy): for a method
 * declared `(idempotent)`, when the first attempt has no reply after `delayMs`, a backup attempt
 * goes to a different instance; the first reply wins and the other attempts are cancelled (a
 * skiff server is told to stop: a `cancel` control frame).
 *
 * - Only for idempotent methods: a hedged call may run on several servers.
 * - Each backup spends a token of the channel's retry budget (`retry.ts`): hedging adds at most
 *   `budgetRatio` extra calls per call on average, and none once the budget is spent.
 * - A backup goes only to an instance this call has not tried; with none ready, none is sent.
 * - An attempt that fails in a way {@link isRetryable} allows (it never ran, or its connection
 *   died) is replaced at once, on any instance, while attempts and budget remain (unless the
 *   channel's retries are off); otherwise the call waits for the attempts still running. Any
 *   other outcome (a result, a declared exception, `DEADLINE_EXCEEDED`, `CANCELLED`, ...) is the
 *   call's answer. For hedged methods `maxAttempts` here takes the place of `retry.maxAttempts`.
 * - Every attempt runs within what remains of the call's deadline; none starts after it.
 */
import { ErrorCode, RpcError } from '../errors.js';
import type { MethodDescriptor } from '../service.js';
import { isRetryable, type RetryBudget } from './retry.js';

/** Hedging settings of a channel; off unless given. */
export interface HedgingOptions {
  /** Send a backup attempt when the call has had no reply for this many milliseconds. Required; must be > 0. */
  readonly delayMs: number;
  /** Attempts per call at most, the first included (backups and replacements of failed attempts). Default 2. */
  readonly maxAttempts?: number;
}

/**
 * Sends one attempt with `signal` and `timeoutMs`. With `othersOnly` (a backup) it returns
 * `undefined` instead of sending when no instance this call has not tried is ready.
 */
export type SendAttempt = (signal: AbortSignal, timeoutMs: number | undefined, othersOnly: boolean) => Promise<unknown> | undefined;

/** One hedged call's settings. */
export interface HedgedCall {
  readonly method: MethodDescriptor<unknown, unknown>;
  /** The call's deadline from `startedAt`, in milliseconds; `undefined` for none. */
  readonly timeoutMs: number | undefined;
  /** When the call started (epoch ms), for the deadline. */
  readonly startedAt: number;
  /** The caller's signal: aborting it cancels every attempt. */
  readonly signal: AbortSignal | undefined;
}

/** Reason given to the attempts that lost. */
const LOST = new RpcError(ErrorCode.CANCELLED, 'another attempt of this hedged call answered first');

/** Hedging settings as a channel resolved them. */
export interface HedgingSettings {
  readonly delayMs: number;
  readonly maxAttempts: number;
  /** Replace attempts that failed retryably (the channel's retries are on). */
  readonly replaceFailed: boolean;
}

/**
 * Validates {@link HedgingOptions}; `replaceFailed` says whether the channel retries.
 *
 * @throws RpcError `INVALID_ARGUMENT` for a delay or attempt count out of range.
 */
export function hedgingSettings(options: HedgingOptions, replaceFailed: boolean): HedgingSettings {
  if (!(options.delayMs > 0 && Number.isFinite(options.delayMs))) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `hedging.delayMs must be a positive number of milliseconds, got ${options.delayMs}`);
  }
  const maxAttempts = options.maxAttempts ?? 2;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `hedging.maxAttempts must be a whole number >= 1, got ${maxAttempts}`);
  }
  return { delayMs: options.delayMs, maxAttempts, replaceFailed };
}

/** Runs a call hedged (see the module comment); settles with the first answer. */
export function hedge(
  call: HedgedCall,
  settings: HedgingSettings,
  budget: RetryBudget,
  send: SendAttempt,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const running = new Set<AbortController>();
    let sent = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = (settle: () => void): void => {
      done = true;
      clearTimeout(timer);
      for (const controller of running) controller.abort(LOST);
      running.clear();
      settle();
    };

    /**
     * Starts an attempt: the first, a backup (to an instance not tried yet) or the replacement of
     * a failed one. `false` when none may start (attempts, deadline, budget, no other instance).
     */
    const launch = (kind: 'first' | 'backup' | 'replacement'): boolean => {
      if (kind !== 'first' && (sent >= settings.maxAttempts || call.signal?.aborted)) return false;
      let timeoutMs = call.timeoutMs;
      if (timeoutMs !== undefined && kind !== 'first') {
        timeoutMs -= Date.now() - call.startedAt;
        if (timeoutMs <= 0) return false;
      }
      if (kind !== 'first' && !budget.tryRetry()) return false;
      const controller = new AbortController();
      const signal = call.signal === undefined ? controller.signal : AbortSignal.any([call.signal, controller.signal]);
      let attempt: Promise<unknown> | undefined;
      try {
        attempt = send(signal, timeoutMs, kind === 'backup');
      } catch (error) {
        attempt = Promise.reject(error);
      }
      if (attempt === undefined) {
        // A backup with no other instance ready (the first attempt and replacements always send).
        budget.refund();
        return false;
      }
      sent++;
      running.add(controller);
      attempt.then(
        (value) => {
          running.delete(controller);
          if (!done) finish(() => resolve(value));
        },
        (error: unknown) => {
          running.delete(controller);
          if (done) return;
          if (isRetryable(error, call.method) && !call.signal?.aborted && ((settings.replaceFailed && launch('replacement')) || running.size > 0)) return;
          finish(() => reject(error));
        },
      );
      clearTimeout(timer);
      if (sent < settings.maxAttempts) {
        timer = setTimeout(() => {
          if (!done) launch('backup');
        }, settings.delayMs);
      }
      return true;
    };

    launch('first');
  });
}
