/**
 * Authentication and per-method authorization as a server interceptor.
 *
 * ```ts
 * const auth = authInterceptor({
 *   authenticate: (token) => sessions.get(token),             // a principal, or undefined
 *   authorize: (user, call) => call.method.name !== 'deleteUser' || user.admin,
 *   public: ['HealthService'],                                // callable without a token
 * });
 * createServer({ interceptors: [auth] });
 * // in a handler: principalOf<User>(ctx)
 * ```
 *
 * - The credential comes from the `authorization` metadata entry (a `Bearer ` prefix is
 *   stripped); with mutual TLS, `authenticate` can use `call.ctx.peerCertificate` instead.
 * - No or an invalid credential: `UNAUTHENTICATED`. An authenticated caller that `authorize`
 *   refuses: `PERMISSION_DENIED`. Neither message repeats the credential, and the handler never runs.
 * - `authenticate` and `authorize` may be async. An exception they throw is an `INTERNAL` error
 *   (logged by the server), not a refusal; throw an `RpcError` to answer with its code instead.
 */
import { ErrorCode, RpcError } from '../errors.js';
import type { CallContext } from '../service.js';
import type { ServerCall, ServerInterceptor } from './server-connection.js';

/** Settings of {@link authInterceptor}. */
export interface AuthOptions<Principal> {
  /** Metadata entry that carries the credential. Default `'authorization'`. */
  readonly header?: string;
  /**
   * Who the caller is: `credential` is the header's value without a `Bearer ` prefix
   * (`undefined` when absent). Return `undefined` for an unknown or invalid credential.
   */
  authenticate(credential: string | undefined, call: ServerCall): Principal | undefined | Promise<Principal | undefined>;
  /** Whether `principal` may make `call`. Default: every authenticated caller may call everything. */
  authorize?(principal: Principal, call: ServerCall): boolean | Promise<boolean>;
  /** Methods callable without authentication: `'Service.method'`, or `'Service'` for all of it. */
  readonly public?: readonly string[];
}

const principals = new WeakMap<CallContext, unknown>();

/** The principal {@link authInterceptor} authenticated for the call of `ctx`, if any. */
export function principalOf<Principal>(ctx: CallContext): Principal | undefined {
  return principals.get(ctx) as Principal | undefined;
}

/** A server interceptor that authenticates and authorizes every call (see the module comment). */
export function authInterceptor<Principal>(options: AuthOptions<Principal>): ServerInterceptor {
  const header = options.header ?? 'authorization';
  const open = new Set(options.public ?? []);
  return (next) => async (call) => {
    if (open.has(call.service) || open.has(`${call.service}.${call.method.name}`)) return next(call);
    const raw = call.ctx.metadata[header];
    const credential = raw === undefined ? undefined : raw.replace(/^Bearer\s+/i, '');
    const principal = await options.authenticate(credential, call);
    if (principal === undefined) {
      throw new RpcError(ErrorCode.UNAUTHENTICATED, raw === undefined ? `no credentials: send them in the '${header}' metadata` : 'invalid credentials');
    }
    if (options.authorize !== undefined && !(await options.authorize(principal, call))) {
      throw new RpcError(ErrorCode.PERMISSION_DENIED, `not allowed to call ${call.service}.${call.method.name}`);
    }
    principals.set(call.ctx, principal);
    return next(call);
  };
}
