/**
 * The one place where Node's socket errors become {@link RpcError}s: every failure to reach or
 * keep a peer is `UNAVAILABLE` (the caller may retry elsewhere), with the system error as `cause`.
 */
import { ErrorCode, RpcError } from '../errors.js';

/** What a failed connect or a broken connection means to a caller. */
export function socketError(error: unknown, peer: string, during: 'connect' | 'io'): RpcError {
  if (error instanceof RpcError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const what =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ECONNRESET'
        ? 'connection reset by peer'
        : code === 'EPIPE'
          ? 'connection closed by peer while writing'
          : code === 'ETIMEDOUT'
            ? 'connection timed out'
            : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
              ? 'host unreachable'
              : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
                ? 'host name not resolved'
                : (error as Error | undefined)?.message ?? String(error);
  const verb = during === 'connect' ? 'cannot connect to' : 'lost connection to';
  return new RpcError(ErrorCode.UNAVAILABLE, `${verb} ${peer}: ${what}`, { cause: error });
}

/** The error pending calls get when their connection closes without a socket error. */
export function connectionClosed(peer: string, reason?: string, cause?: unknown): RpcError {
  const message = `connection to ${peer} closed${reason === undefined ? '' : `: ${reason}`}`;
  return new RpcError(ErrorCode.UNAVAILABLE, message, cause === undefined ? undefined : { cause });
}
