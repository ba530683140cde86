/**
 * TLS and mutual TLS (server option `tls`, channel option `tls`), certificate reload without a
 * restart, and authentication / authorization with `authInterceptor` and `bearerToken`.
 * Certificates are made for the run by certificates.ts.
 */
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authInterceptor, bearerToken, ErrorCode, principalOf, type CallContext, type ServerOptions } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { NotFound } from '../../generated/common/types.js';
import { UserHandler } from '../rpc/fixtures/user-handler.js';
import { capturingLogger, Cleanup, HOST, openChannel, rejection, startServer, waitFor, type CapturingLogger } from '../rpc/fixtures/harness.js';
import { createTestPki, type TestPki } from './certificates.js';

const cleanup = new Cleanup();
let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki.dispose());
afterEach(() => cleanup.run());

/** ping() answers with the client's certificate CN when there is one. */
class IdentityHandler extends UserHandler {
  override ping(ctx: CallContext): string {
    const user = principalOf<{ name: string }>(ctx);
    return user?.name ?? (ctx.peerCertificate?.subject.CN as string | undefined) ?? 'anonymous';
  }
}

async function serve(options: ServerOptions): Promise<{ port: number; logger: CapturingLogger; server: Awaited<ReturnType<typeof startServer>>['server'] }> {
  const logger = capturingLogger();
  const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, new IdentityHandler()), { logger, ...options });
  return { server, port, logger };
}

/** The serial number of the certificate a fresh TLS connection to `port` is shown. */
function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: HOST, port, ca: pki.ca }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('TLS', () => {
  it('serves calls over TLS to a client that trusts the CA', async () => {
    const { port } = await serve({ tls: { key: pki.server.key, cert: pki.server.cert } });
    const users = new UserServiceClient(openChannel(cleanup, port, { tls: { ca: pki.ca } }));
    expect(await users.ping()).toBe('anonymous');
    const byName = new UserServiceClient(openChannel(cleanup, port, { tls: { ca: pki.ca, servername: 'localhost' } }));
    expect(await byName.ping()).toBe('anonymous');
  });

  it('a client that does not trust the server fails with UNAVAILABLE naming the certificate problem', async () => {
    const { port } = await serve({ tls: { key: pki.server.key, cert: pki.server.cert } });
    const users = new UserServiceClient(openChannel(cleanup, port, { tls: {}, retry: false }));
    const error = await rejection(users.ping());
    expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(String((error as Error).message)).toMatch(/certificate/);
  });

  it('a plain-TCP client gets nothing and the server logs the failed handshake', async () => {
    const { port, logger } = await serve({ tls: { key: pki.server.key, cert: pki.server.cert } });
    const users = new UserServiceClient(openChannel(cleanup, port, { retry: false, connectTimeoutMs: 2000 }));
    expect(await rejection(users.ping({ timeoutMs: 2000 }))).toMatchObject({ code: expect.stringMatching(/UNAVAILABLE|DEADLINE_EXCEEDED/) });
    await waitFor(() => logger.entries.some((e) => e.message === 'TLS handshake failed'), 'the failed handshake to be logged');
  });

  it('mutual TLS: a client certificate from the trusted CA is required and reaches the handler', async () => {
    const { port } = await serve({ tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true } });
    const trusted = new UserServiceClient(openChannel(cleanup, port, { tls: { ca: pki.ca, ...pki.client } }));
    expect(await trusted.ping()).toBe('billing-service');
    const noCert = new UserServiceClient(openChannel(cleanup, port, { tls: { ca: pki.ca }, retry: false }));
    expect(await rejection(noCert.ping({ timeoutMs: 2000 }))).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    const stranger = new UserServiceClient(openChannel(cleanup, port, { tls: { ca: pki.ca, ...pki.strangerClient }, retry: false }));
    expect(await rejection(stranger.ping({ timeoutMs: 2000 }))).toMatchObject({ code: ErrorCode.UNAVAILABLE });
  });

  it('setTlsOptions swaps the certificate for new connections; open ones keep working', async () => {
    const { server, port } = await serve({ tls: { key: pki.server.key, cert: pki.server.cert } });
    const before = await servedSerial(port);
    const users = new UserServiceClient(openChannel(cleanup, port, { tls: { ca: pki.ca }, connections: 1 }));
    expect(await users.ping()).toBe('anonymous');
    server.setTlsOptions({ key: pki.renewedServer.key, cert: pki.renewedServer.cert });
    const after = await servedSerial(port);
    expect(after).not.toBe(before);
    expect(after).toBe(new (await import('node:crypto')).X509Certificate(pki.renewedServer.cert).serialNumber);
    expect(await users.ping()).toBe('anonymous');
    expect(() => server.setTlsOptions({ key: 'not a key', cert: pki.server.cert })).toThrow();
    expect(await servedSerial(port)).toBe(after);
  });

  it('a client tls function is asked again for every new connection (certificate rotation)', async () => {
    // The server closes idle connections quickly, so the second call needs a new connection.
    const { server, port } = await serve({ tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, idleTimeoutMs: 100 });
    const identities = [pki.client, pki.strangerClient];
    let asked = 0;
    const users = new UserServiceClient(openChannel(cleanup, port, { tls: () => ({ ca: pki.ca, ...identities[asked++ % 2]! }), connections: 1, retry: false }));
    expect(await users.ping()).toBe('billing-service');
    await waitFor(() => server.connectionCount === 0, 'the idle connection to close');
    expect(await rejection(users.ping({ timeoutMs: 2000 }))).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(asked).toBe(2);
  });

  it('TLS works on sockets handed to the server (prefork handoff)', async () => {
    const logger = capturingLogger();
    const { createServer } = await import('skiff/runtime');
    const server = createServer({ logger, tls: { key: pki.server.key, cert: pki.server.cert } }).addService(UserService, new IdentityHandler());
    await server.serveHandedSockets();
    cleanup.add(() => server.close({ graceMs: 100 }));
    const acceptor = createNetServer({ pauseOnConnect: true }, (socket) => server.acceptSocket(socket));
    await new Promise<void>((resolve) => acceptor.listen(0, HOST, resolve));
    cleanup.add(() => new Promise((resolve) => acceptor.close(resolve)));
    const { port } = acceptor.address() as { port: number };
    const users = new UserServiceClient(openChannel(cleanup, port, { tls: { ca: pki.ca } }));
    expect(await users.ping()).toBe('anonymous');
  });
});

describe('authentication and authorization', () => {
  const USERS = new Map([
    ['t-alice', { name: 'alice', admin: true }],
    ['t-bob', { name: 'bob', admin: false }],
  ]);
  let handlerRuns = 0;

  async function serveWithAuth(): Promise<number> {
    handlerRuns = 0;
    const auth = authInterceptor<{ name: string; admin: boolean }>({
      authenticate: async (token) => (token === undefined ? undefined : USERS.get(token)),
      authorize: (user, call) => call.method.name !== 'deleteUser' || user.admin,
      public: ['UserService.health'],
    });
    const counting: NonNullable<ServerOptions['interceptors']>[number] = (next) => (call) => {
      handlerRuns++;
      return next(call);
    };
    const { port } = await serve({ interceptors: [auth, counting] });
    return port;
  }

  it('no token or a wrong one: UNAUTHENTICATED, without echoing the token, the handler never runs', async () => {
    const port = await serveWithAuth();
    const anonymous = new UserServiceClient(openChannel(cleanup, port));
    expect(await rejection(anonymous.ping())).toMatchObject({ code: ErrorCode.UNAUTHENTICATED, message: "no credentials: send them in the 'authorization' metadata" });
    const forged = new UserServiceClient(openChannel(cleanup, port, { interceptors: [bearerToken('t-mallory-secret')] }));
    const error = await rejection(forged.ping());
    expect(error).toMatchObject({ code: ErrorCode.UNAUTHENTICATED, message: 'invalid credentials' });
    expect(JSON.stringify(error)).not.toContain('mallory');
    expect(handlerRuns).toBe(0);
  });

  it('an authenticated caller reaches the handler, which sees the principal; authorization is per method', async () => {
    const port = await serveWithAuth();
    const bob = new UserServiceClient(openChannel(cleanup, port, { interceptors: [bearerToken(() => 't-bob')] }));
    expect(await bob.ping()).toBe('bob');
    expect(await rejection(bob.deleteUser(1n))).toMatchObject({ code: ErrorCode.PERMISSION_DENIED, message: 'not allowed to call UserService.deleteUser' });
    const alice = new UserServiceClient(openChannel(cleanup, port, { interceptors: [bearerToken(async () => 't-alice')] }));
    // Authorized: the call reaches the store, which has no user 1.
    expect(await rejection(alice.deleteUser(1n))).toBeInstanceOf(NotFound);
  });

  it('public methods need no credentials', async () => {
    const port = await serveWithAuth();
    const anonymous = new UserServiceClient(openChannel(cleanup, port));
    expect(typeof (await anonymous.health())).toBe('number');
  });
});

it('a raw TCP peer sending garbage to a TLS port is closed without affecting others', async () => {
  const { port } = await serve({ tls: { key: pki.server.key, cert: pki.server.cert } });
  const users = new UserServiceClient(openChannel(cleanup, port, { tls: { ca: pki.ca } }));
  const raw = netConnect(port, HOST);
  raw.on('error', () => {});
  raw.write(Buffer.from('\x00\x00\x00\x10garbage garbage garbage'));
  await new Promise<void>((resolve) => raw.once('close', () => resolve()));
  expect(await users.ping()).toBe('anonymous');
});
