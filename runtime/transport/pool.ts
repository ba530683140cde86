/**
 * A small pool of multiplexed connections to one endpoint, with reconnects paced by exponential
 * backoff.
 *
 * - Calls go to the open connection with the fewest calls in flight. A further connection (up to
 *   `size`) is opened only when every open one carries at least `spreadThreshold` calls: light
 *   traffic stays on one connection, where write coalescing works best.
 * - A connection that closes leaves the pool at once (its calls are failed by the connection).
 *   The next call connects again. A failed connect starts a backoff window during which calls
 *   fail fast with `UNAVAILABLE` instead of piling up behind a dead endpoint (gRPC's fail-fast
 *   default); each further failure doubles the window, a success resets it.
 *
 * States: `idle` (no connection, none being made) -> `connecting` -> `ready` (at least one open
 * connection) -> `backoff` (last connect failed; until `retryAt`) -> ... -> `closed` (by
 * {@link ConnectionPool.close}).
 */
import { ErrorCode, RpcError } from '../errors.js';
import { backoffDelayMs, type BackoffOptions } from '../internal/backoff.js';

/** What the pool needs from a connection. */
export interface PooledConnection {
  /** Calls sent and not yet answered. */
  readonly inFlight: number;
  /** Open and accepting new calls (not closed, not told to go away by the server). */
  readonly available: boolean;
  /** Closes the connection; calls in flight fail. */
  close(): void;
  /** Takes no new calls and closes once the calls in flight have finished. */
  drain(): void;
}

/** Settings of a {@link ConnectionPool}. */
export interface ConnectionPoolOptions<C extends PooledConnection> {
  /** Opens one connection; rejects with an `RpcError` (`UNAVAILABLE`) when it cannot. */
  readonly connect: (onClose: (connection: C) => void) => Promise<C>;
  /** Most connections kept open. Default 2. */
  readonly size?: number;
  /** In-flight calls on every open connection before another is opened. Default 64. */
  readonly spreadThreshold?: number;
  /** Reconnect pacing. */
  readonly backoff?: BackoffOptions;
  /** Clock in epoch milliseconds; injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** Lifecycle state of a {@link ConnectionPool}; see the module comment. */
export type ConnectionPoolState = 'idle' | 'connecting' | 'ready' | 'backoff' | 'closed';

/** Connections to one endpoint (see the module comment). */
export class ConnectionPool<C extends PooledConnection> {
  private readonly connections: C[] = [];
  private connecting: Promise<C> | undefined;
  private failures = 0;
  private retryAt = 0;
  private lastError: RpcError | undefined;
  private isClosed = false;
  private readonly size: number;
  private readonly spreadThreshold: number;
  private readonly now: () => number;

  constructor(private readonly options: ConnectionPoolOptions<C>) {
    this.size = Math.max(1, options.size ?? 2);
    this.spreadThreshold = options.spreadThreshold ?? 64;
    this.now = options.now ?? Date.now;
  }

  /** See {@link ConnectionPoolState}. */
  get state(): ConnectionPoolState {
    if (this.isClosed) return 'closed';
    // A plain loop: this runs for every call.
    for (const c of this.connections) if (c.available) return 'ready';
    if (this.connecting !== undefined) return 'connecting';
    return this.now() < this.retryAt ? 'backoff' : 'idle';
  }

  /** Open connections (available or draining). */
  get connectionCount(): number {
    return this.connections.length;
  }

  /** Calls in flight over all connections. */
  get inFlight(): number {
    let total = 0;
    for (const c of this.connections) total += c.inFlight;
    return total;
  }

  /**
   * A connection for one call: an open one when there is one (synchronously), else the one being
   * opened. Throws (or rejects with) `UNAVAILABLE` during a backoff window or when connecting
   * fails, and after {@link close}.
   */
  acquire(): C | Promise<C> {
    if (this.isClosed) throw new RpcError(ErrorCode.UNAVAILABLE, 'the channel is closed');
    let best: C | undefined;
    for (const c of this.connections) {
      if (c.available && (best === undefined || c.inFlight < best.inFlight)) best = c;
    }
    if (best !== undefined) {
      if (best.inFlight >= this.spreadThreshold && this.connections.length < this.size && this.connecting === undefined) {
        this.tryConnect()?.catch(() => {});
      }
      return best;
    }
    const pending = this.connecting ?? this.tryConnect();
    if (pending === undefined) throw this.backoffError();
    return pending;
  }

  /** Closes every connection; later {@link acquire} calls throw `UNAVAILABLE`. */
  close(): void {
    this.isClosed = true;
    for (const c of this.connections.splice(0)) c.close();
  }

  /** Like {@link close}, but calls in flight finish first (the endpoint left the resolver's set). */
  drain(): void {
    this.isClosed = true;
    for (const c of this.connections.splice(0)) c.drain();
  }

  /** Starts a connect unless inside a backoff window (then `undefined`). */
  private tryConnect(): Promise<C> | undefined {
    if (this.now() < this.retryAt) return undefined;
    const attempt = this.options
      .connect((closed) => this.remove(closed))
      .then(
        (connection) => {
          this.connecting = undefined;
          if (this.isClosed) {
            connection.close();
            throw new RpcError(ErrorCode.UNAVAILABLE, 'the channel is closed');
          }
          this.failures = 0;
          this.retryAt = 0;
          this.connections.push(connection);
          return connection;
        },
        (error: unknown) => {
          this.connecting = undefined;
          this.lastError =
            error instanceof RpcError ? error : new RpcError(ErrorCode.UNAVAILABLE, String(error), { cause: error });
          this.retryAt = this.now() + backoffDelayMs(this.failures, this.options.backoff);
          this.failures++;
          throw this.lastError;
        },
      );
    this.connecting = attempt;
    return attempt;
  }

  private remove(connection: C): void {
    const index = this.connections.indexOf(connection);
    if (index >= 0) this.connections.splice(index, 1);
  }

  private backoffError(): RpcError {
    const waitMs = Math.max(0, this.retryAt - this.now());
    return new RpcError(
      ErrorCode.UNAVAILABLE,
      `${this.lastError?.message ?? 'endpoint unavailable'} (${this.failures} failed attempt${this.failures === 1 ? '' : 's'}; next in ${waitMs} ms)`,
      { cause: this.lastError },
    );
  }
}
