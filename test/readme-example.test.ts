/** The README's codec example, as written there, so the README cannot drift from what works. */
import { expect, it } from 'vitest';
import { decode, encode } from 'skiff/runtime';
import { User } from '../generated/account/user_service.js';

it('encodes and decodes a generated struct as the README shows', () => {
  const bytes = encode(User, User.create({ id: 1n, email: 'a@example.com', createdAt: 0n }));
  const user = decode(User, bytes);
  expect(user).toEqual(User.create({ id: 1n, email: 'a@example.com', createdAt: 0n }));
  expect(decode(User, encode(User, user, 'binary'), 'binary')).toEqual(user);
});

it('serves and calls a service as the README shows', async () => {
  const { createChannel, createServer, RpcError, silentLogger } = await import('skiff/runtime');
  const { UserService, UserServiceClient } = await import('../generated/account/user_service.js');
  const { NotFound } = await import('../generated/common/types.js');
  const { UserStore } = await import('../demo/user-store.js');
  const server = createServer({ logger: silentLogger }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  const channel = createChannel({ host: '127.0.0.1', port });
  const users = new UserServiceClient(channel);
  const outcome = await users.getUser(42n, { timeoutMs: 5000, metadata: { 'request-id': 'abc' } }).then(
    () => 'found',
    (error: unknown) => (error instanceof NotFound ? `no such user: ${error.id}` : error instanceof RpcError ? error.code : 'other'),
  );
  expect(outcome).toBe('no such user: 42');
  await channel.close();
  await server.close({ graceMs: 10_000 });
  expect(server.state).toBe('closed');
});
