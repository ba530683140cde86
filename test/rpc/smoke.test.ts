import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createServer, RpcError, silentLogger, type ClientChannel, type Server } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { NotFound } from '../../generated/common/types.js';
import { UserStore } from '../../demo/user-store.js';

let server: Server;
let channel: ClientChannel;
let client: UserServiceClient;

beforeAll(async () => {
  server = createServer({ logger: silentLogger }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  channel = createChannel({ host: '127.0.0.1', port });
  client = new UserServiceClient(channel);
});
afterAll(async () => {
  await channel.close();
  await server.close({ graceMs: 1000 });
});

describe('smoke', () => {
  it('calls', async () => {
    expect(await client.ping()).toBe('pong');
    const u = await client.createUser({ email: 'a@b.c', role: 1 });
    expect(u.id).toBe(1n);
    expect((await client.getUser(1n)).email).toBe('a@b.c');
    await expect(client.getUser(9n)).rejects.toBeInstanceOf(NotFound);
    const err = await client.listUsers({ page: { cursor: 'slow:1000', limit: 1 } }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect((err as RpcError).code).toBe('DEADLINE_EXCEEDED');
    const many = await Promise.all(Array.from({ length: 10000 }, () => client.getUser(1n, { timeoutMs: 10000 })));
    expect(many.length).toBe(10000);
  });
});
