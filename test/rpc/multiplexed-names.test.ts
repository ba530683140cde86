/**
 * Thrift's multiplexed naming (`Service:method`) from the client side, and the client's check
 * that a reply names the method it answers.
 */
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createChannel, createServer, multiplexed, ProtocolError, RpcError, silentLogger, type ClientChannel } from 'skiff/runtime';
import { CompactReader, CompactWriter, MessageType } from '../../runtime/index.js';
import { FrameDecoder } from '../../runtime/protocol/frame-decoder.js';
import { unwrapFrame } from '../../runtime/protocol/framing.js';
import { beginHeaderFrame, endFrame, HeaderProtocolId } from '../../runtime/protocol/header.js';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserStore } from '../../demo/user-store.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function userServer(): Promise<number> {
  const server = createServer({ logger: silentLogger }).addService(UserService, new UserStore());
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => server.close({ graceMs: 100 }));
  return port;
}

function channelTo(port: number): ClientChannel {
  const channel = createChannel({ host: '127.0.0.1', port });
  cleanups.push(() => channel.close());
  return channel;
}

it('calls through multiplexed(channel, service) reach the named service', async () => {
  const client = new UserServiceClient(multiplexed(channelTo(await userServer()), 'UserService'));
  expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
  const user = await client.createUser({ email: 'm@x.io', role: 1 }, { timeoutMs: 5000 });
  expect((await client.getUser(user.id, { timeoutMs: 5000 })).email).toBe('m@x.io');
});

it('a multiplexed name of an unregistered service is UNIMPLEMENTED', async () => {
  const client = new UserServiceClient(multiplexed(channelTo(await userServer()), 'NoSuchService'));
  const error = await client.ping({ timeoutMs: 5000 }).catch((e: unknown) => e);
  expect((error as RpcError).code).toBe('UNIMPLEMENTED');
  expect((error as RpcError).message).toContain('NoSuchService:ping');
});

/** A fake server that answers every call with a REPLY message carrying `replyName`. */
async function fakeServer(replyName: (callName: string) => string): Promise<number> {
  const server: NetServer = createNetServer((socket) => {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) =>
      decoder.push(chunk, (frame) => {
        const incoming = unwrapFrame(frame);
        const call = new CompactReader(incoming.payload).readMessageBegin();
        const w = new CompactWriter();
        const mark = beginHeaderFrame(w, call.seqId, HeaderProtocolId.COMPACT);
        w.writeMessageBegin(replyName(call.name), MessageType.REPLY, call.seqId);
        // ping_result { 0: string success = "pong" }
        w.writeStructBegin();
        w.writeFieldBegin(11, 0);
        w.writeString('pong');
        w.writeFieldStop();
        w.writeStructEnd();
        endFrame(w, mark);
        socket.write(w.finish());
      }),
    );
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

it('accepts a reply named with the bare method for a multiplexed call, as Apache servers send', async () => {
  const port = await fakeServer((name) => name.slice(name.indexOf(':') + 1));
  const client = new UserServiceClient(multiplexed(channelTo(port), 'UserService'));
  expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');
});

it('rejects a reply that names another method', async () => {
  const port = await fakeServer(() => 'health');
  const client = new UserServiceClient(channelTo(port));
  const error = await client.ping({ timeoutMs: 5000 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).message).toContain("reply for 'health' to a call of 'ping'");
});
