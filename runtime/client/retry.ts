/**
 * When a failed call may be sent again, and how often. A call is retried (on another server
 * when there is one, within its original deadline) only when that cannot run it twice:
 *
 * - it never reached a handler: no connection could be made, or the server refused it before
 *   running it (draining or overloaded: the `skiff-refused` header) — any method;
 * - or the method is declared `(idempotent)` and the call failed with `UNAVAILABLE` (its
 *   connection died while it was pending, so it may or may not have run).
 *
 * A budget bounds retries to a share of calls (like gRPC's retry throttling), so a dead
 * cluster is not hammered with extra load: each call earns `ratio` tokens, each retry spends one.
 */
import { ErrorCode, RpcError } from '../errors.js';
import type { MethodDescriptor } from '../service.js';

/** Retry settings of a channel; `false` turns retries off. */
export interface RetryOptions {
  /** Attempts per call, the first included. Default 3. */
  readonly maxAttempts?: number;
  /** Retries allowed per call made, on average (the budget's refill). Default 0.2. */
  readonly budgetRatio?: number;
  /** Most retries that can be saved up. Default 10. */
  readonly maxBudget?: number;
}

/** Errors of calls that certainly did not run on any server (marked where that is known). */
const notRun = new WeakSet<object>();

/** Marks `error` as the failure of a call that never ran, so it may be retried whatever its method. */
export function markNotRun<E extends object>(error: E): E {
  notRun.add(error);
  return error;
}

/** Whether a failed call of `method` may be sent again (see the module comment). */
export function isRetryable(error: unknown, method: MethodDescriptor<unknown, unknown>): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (notRun.has(error)) return true;
  return method.idempotent && error instanceof RpcError && error.code === ErrorCode.UNAVAILABLE;
}

/** The retry budget of one channel (a token bucket refilled by calls). */
export class RetryBudget {
  private tokens: number;
  private readonly ratio: number;
  private readonly max: number;

  constructor(options: RetryOptions = {}) {
    this.ratio = options.budgetRatio ?? 0.2;
    this.max = options.maxBudget ?? 10;
    this.tokens = this.max;
  }

  /** A call was made: earn a share of a retry. */
  onCall(): void {
    this.tokens = Math.min(this.max, this.tokens + this.ratio);
  }

  /** Spends a token for one retry (or hedge); `false` when the budget is used up. */
  tryRetry(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Gives back the token of a retry that was not sent after all. */
  refund(): void {
    this.tokens = Math.min(this.max, this.tokens + 1);
  }
}
