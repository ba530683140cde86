/**
 * A client interceptor that sends a credential with every call, as servers using
 * `authInterceptor` expect it: `authorization: Bearer <token>` in the call's metadata.
 *
 * ```ts
 * createChannel({ host, port, interceptors: [bearerToken(() => tokens.current())] });
 * ```
 */
import type { ClientInterceptor } from './channel.js';

/**
 * Adds `authorization: Bearer <token>` to each call's metadata (a value the call sets itself
 * wins). `token` may be a function, called per call (sync or async), so a refreshed token is
 * used as soon as it exists.
 */
export function bearerToken(token: string | (() => string | Promise<string>)): ClientInterceptor {
  return (next) => async (call) => {
    const value = typeof token === 'string' ? token : await token();
    const metadata = { authorization: `Bearer ${value}`, ...call.options.metadata };
    return next({ ...call, options: { ...call.options, metadata } });
  };
}
