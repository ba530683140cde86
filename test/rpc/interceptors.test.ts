/**
 * Client and server interceptors end to end: `(next) => (call) => ...` onions, the first one
 * outermost; client interceptors add metadata and see errors, server interceptors see metadata
 * and can refuse a call with an RpcError; reserved `skiff-` metadata keys are refused.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ErrorCode, RpcError, silentLogger, type CallContext, type ClientInterceptor, type ServerInterceptor } from 'skiff/runtime';
import { UserStore } from '../../demo/user-store.js';
import { User, UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { NotFound } from '../../generated/common/types.js';
import { UserHandler } from './fixtures/user-handler.js';
import { Cleanup, openChannel, rejection, startServer } from './fixtures/harness.js';

const cleanup = new Cleanup();
let log: string[];
let handlerMetadata: Array<Readonly<Record<string, string>>>;
let client: UserServiceClient;
let clientErrors: unknown[];
let port: number;

/** Records the metadata each handler call saw. */
class RecordingStore extends UserHandler {
  override getUser(id: bigint, ctx: CallContext): User | Promise<User> {
    log.push('handler');
    handlerMetadata.push({ ...ctx.metadata });
    return super.getUser(id, ctx);
  }
}

const serverAuth: ServerInterceptor = (next) => async (call) => {
  log.push(`server-auth:before ${call.service}.${call.method.name}`);
  if (call.ctx.metadata['authorization'] !== 'Bearer good') {
    log.push('server-auth:denied');
    throw new RpcError(ErrorCode.PERMISSION_DENIED, 'bad or missing token');
  }
  try {
    return await next(call);
  } finally {
    log.push('server-auth:after');
  }
};

const serverAudit: ServerInterceptor = (next) => async (call) => {
  log.push(`server-audit:before trace=${call.ctx.metadata['x-trace'] ?? '-'}`);
  try {
    return await next(call);
  } catch (error) {
    log.push(`server-audit:saw ${(error as Error).name}`);
    throw error;
  } finally {
    log.push('server-audit:after');
  }
};

const clientTrace: ClientInterceptor = (next) => async (call) => {
  log.push(`client-trace:before ${call.method.name}`);
  try {
    return await next({ ...call, options: { ...call.options, metadata: { ...call.options.metadata, 'x-trace': 'trace-1' } } });
  } catch (error) {
    clientErrors.push(error);
    log.push(`client-trace:saw ${error instanceof RpcError ? error.code : (error as Error).name}`);
    throw error;
  } finally {
    log.push('client-trace:after');
  }
};

const clientAuth: ClientInterceptor = (next) => (call) => {
  // Runs inside clientTrace: sees the metadata it added.
  log.push(`client-auth:before trace=${call.options.metadata?.['x-trace'] ?? '-'}`);
  const token = call.options.metadata?.['token'] ?? 'good';
  const { token: _, ...rest } = call.options.metadata ?? {};
  return next({ ...call, options: { ...call.options, metadata: { ...rest, authorization: `Bearer ${token}` } } }).finally(() =>
    log.push('client-auth:after'),
  );
};

beforeEach(async () => {
  log = [];
  handlerMetadata = [];
  clientErrors = [];
  const store = new RecordingStore(new UserStore(() => 0n));
  store.store.createUser({ email: 'known@example.com', role: 1 });
  ({ port } = await startServer(cleanup, (s) => s.addService(UserService, store), { logger: silentLogger, interceptors: [serverAuth, serverAudit] }));
  client = new UserServiceClient(openChannel(cleanup, port, { interceptors: [clientTrace, clientAuth] }));
});
afterEach(() => cleanup.run());

it('client interceptors run first-outermost and add metadata; server interceptors run first-outermost and see it', async () => {
  const user = await client.getUser(1n, { timeoutMs: 5000, metadata: { tenant: 'acme' } });
  expect(user.email).toBe('known@example.com');
  expect(log).toEqual([
    'client-trace:before getUser',
    'client-auth:before trace=trace-1',
    'server-auth:before UserService.getUser',
    'server-audit:before trace=trace-1',
    'handler',
    'server-audit:after',
    'server-auth:after',
    'client-auth:after',
    'client-trace:after',
  ]);
  // The handler sees the application metadata, not skiff's own headers.
  expect(handlerMetadata).toEqual([{ tenant: 'acme', 'x-trace': 'trace-1', authorization: 'Bearer good' }]);
});

it('a server interceptor refuses a call with PERMISSION_DENIED before the handler runs; the client interceptor sees the error', async () => {
  const error = await rejection(client.getUser(1n, { timeoutMs: 5000, metadata: { token: 'forged' } }));
  expect(error).toBeInstanceOf(RpcError);
  expect((error as RpcError).code).toBe(ErrorCode.PERMISSION_DENIED);
  expect((error as RpcError).message).toContain('bad or missing token');
  expect(log).not.toContain('handler');
  expect(log).toEqual([
    'client-trace:before getUser',
    'client-auth:before trace=trace-1',
    'server-auth:before UserService.getUser',
    'server-auth:denied',
    'client-auth:after',
    `client-trace:saw ${ErrorCode.PERMISSION_DENIED}`,
    'client-trace:after',
  ]);
  expect(clientErrors).toEqual([error]);
});

it('interceptors on both sides see a declared exception, and the caller still gets the generated class', async () => {
  const error = await rejection(client.getUser(99n, { timeoutMs: 5000 }));
  expect(error).toBeInstanceOf(NotFound);
  expect(log).toContain('server-audit:saw NotFound');
  expect(log).toContain('client-trace:saw NotFound');
});

it("metadata keys with the reserved 'skiff-' prefix are refused INVALID_ARGUMENT before anything is sent", async () => {
  const fromOptions = await rejection(client.getUser(1n, { timeoutMs: 5000, metadata: { 'skiff-timeout-ms': '1' } }));
  expect((fromOptions as RpcError).code).toBe(ErrorCode.INVALID_ARGUMENT);
  expect((fromOptions as RpcError).message).toContain('skiff-timeout-ms');

  const sneaky: ClientInterceptor = (next) => (call) => next({ ...call, options: { ...call.options, metadata: { 'skiff-status': 'OK' } } });
  const viaInterceptor = new UserServiceClient(openChannel(cleanup, port, { interceptors: [sneaky] }));
  const fromInterceptor = await rejection(viaInterceptor.getUser(1n, { timeoutMs: 5000 }));
  expect((fromInterceptor as RpcError).code).toBe(ErrorCode.INVALID_ARGUMENT);

  const notAString = await rejection(client.getUser(1n, { timeoutMs: 5000, metadata: { count: 3 as unknown as string } }));
  expect((notAString as RpcError).code).toBe(ErrorCode.INVALID_ARGUMENT);

  // None of them reached the server.
  expect(log.filter((entry) => entry.startsWith('server'))).toEqual([]);
  expect(handlerMetadata).toEqual([]);
});
