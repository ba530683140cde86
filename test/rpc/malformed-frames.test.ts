/**
 * Hostile or broken input on the server's port: garbage, bad THeader sections, bad message
 * envelopes and oversized frames close that one connection with a logged reason, while other
 * clients go on being served. On the client side, a reply over the channel's maxFrameBytes closes
 * that connection and fails its calls UNAVAILABLE.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, MessageType, RpcError, silentLogger, TType, type Server } from 'skiff/runtime';
import { UserStore } from '../../demo/user-store.js';
import { Role, User, UserService, UserServiceClient } from '../../generated/account/user_service.js';
import {
  buildRequest,
  capturingLogger,
  Cleanup,
  openChannel,
  RawClient,
  rejection,
  startServer,
  waitFor,
  within,
  type CapturingLogger,
} from './fixtures/harness.js';

const MAX_FRAME_BYTES = 4096;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** A bare framed message: 4-byte length + `body`. */
function framed(body: Uint8Array): Uint8Array {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return concat(length, body);
}

const ping = (framing: 'header' | 'framed', protocol: 'compact' | 'binary', seqId = 1): Uint8Array =>
  buildRequest({ framing, protocol, name: 'ping', seqId });

/** Each case: bytes a broken or hostile client sends, and what the logged reason mentions. */
const MALFORMED: ReadonlyArray<readonly [string, () => Uint8Array, RegExp]> = [
  ['an HTTP request (a length far over the limit)', () => new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /exceeds/],
  // 80 and 82 start unframed (buffered) streams, which are served; these are broken ones.
  ['an unframed binary message with a bad version', () => bytes(0x80, 0x02, 0x00, 0x01, 0, 0, 0, 4, 0x70, 0x69, 0x6e, 0x67, 0, 0, 0, 1, 0), /version/],
  ['an unframed compact message with a bad version', () => bytes(0x82, 0x3f, 1, 4, 0x70, 0x69, 0x6e, 0x67, 0), /version/],
  ['a frame length with the top bit set that is no Thrift message', () => bytes(0x90, 0, 0, 1, 0), /top bit/],
  ['an empty frame', () => bytes(0, 0, 0, 0), /empty frame/],
  ['a THeader whose header section overruns the frame', () => framed(bytes(0x0f, 0xff, 0, 0, 0, 0, 0, 1, 0, 0xff, 2, 0)), /overruns/],
  ['a THeader with an unknown protocol id', () => framed(bytes(0x0f, 0xff, 0, 0, 0, 0, 0, 1, 0, 1, 5, 0, 0, 0, 0x82, 0x21)), /protocol id/],
  ['a THeader with a zlib transform', () => framed(bytes(0x0f, 0xff, 0, 0, 0, 0, 0, 1, 0, 1, 2, 1, 1, 0, 0x82, 0x21)), /transform/],
  ['a THeader shorter than its fixed part', () => framed(bytes(0x0f, 0xff, 0, 0, 0)), /shorter/],
  ['a binary envelope with a bad version', () => framed(bytes(0x80, 0x02, 0x00, 0x01, 0, 0, 0, 4, 0x70, 0x69, 0x6e, 0x67, 0, 0, 0, 1, 0)), /offset/],
  ['a truncated compact envelope', () => framed(bytes(0x82, 0x21)), /offset/],
  ['a compact envelope with a bad version inside a THeader', () => framed(bytes(0x0f, 0xff, 0, 0, 0, 0, 0, 1, 0, 1, 2, 0, 0, 0, 0x82, 0x3f, 1, 4)), /offset/],
  [
    'a REPLY message sent to the server',
    () => buildRequest({ framing: 'framed', protocol: 'binary', name: 'ping', seqId: 1, type: MessageType.REPLY }),
    /message type/,
  ],
];

describe('malformed frames', () => {
  let logger: CapturingLogger;
  let server: Server;
  let port: number;
  let healthy: UserServiceClient;

  beforeEach(async () => {
    logger = capturingLogger();
    ({ server, port } = await startServer(cleanup, (s) => s.addService(UserService, new UserStore()), { logger, maxFrameBytes: MAX_FRAME_BYTES }));
    healthy = new UserServiceClient(openChannel(cleanup, port, { connections: 1 }));
    expect(await healthy.ping({ timeoutMs: 5000 })).toBe('pong');
  });

  it.each(MALFORMED)('%s: the server closes that connection, logs why, and keeps serving others', async (_, input, reason) => {
    const raw = await RawClient.connect(cleanup, port);
    await waitFor(() => server.connectionCount === 2, 'the raw connection to be accepted');
    // Calls of another client in flight while the bad bytes arrive.
    const concurrent = Array.from({ length: 50 }, (_, i) => healthy.createUser({ email: `c${i}@example.com`, role: Role.VIEWER }, { timeoutMs: 10_000 }));
    raw.send(input());
    await within(raw.closed, 5000, 'the server closing the bad connection');
    expect(raw.frames).toHaveLength(0);

    const users = await Promise.all(concurrent);
    expect(new Set(users.map((u) => u.id)).size).toBe(50);
    expect(await healthy.ping({ timeoutMs: 5000 })).toBe('pong');
    await waitFor(() => server.connectionCount === 1, 'the server to drop the bad connection');

    const warnings = logger.entries.filter((e) => e.level === 'warn' && e.message.includes('malformed'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields?.['peer']).toBe(`127.0.0.1:${raw.localPort}`);
    expect(String(warnings[0]!.fields?.['reason'])).toMatch(reason);
  });

  it('a good frame followed by garbage on the same connection: the good call is answered, then the connection closes', async () => {
    const raw = await RawClient.connect(cleanup, port);
    raw.send(concat(ping('header', 'compact', 7), bytes(0, 0, 0, 0)));
    await within(raw.closed, 5000, 'the server closing the connection');
    // The reply to the good frame was written before the connection was destroyed, or it was
    // dropped with it; either way nothing else arrives and the server logged the reason.
    expect(raw.frames.length).toBeLessThanOrEqual(1);
    expect(logger.entries.some((e) => e.level === 'warn' && String(e.fields?.['reason']).includes('empty frame'))).toBe(true);
    expect(await healthy.ping({ timeoutMs: 5000 })).toBe('pong');
  });
});

describe('oversized frames', () => {
  it(`a length over the server's maxFrameBytes closes the connection before any of the body is sent`, async () => {
    const logger = capturingLogger();
    const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, new UserStore()), { logger, maxFrameBytes: MAX_FRAME_BYTES });
    const healthy = new UserServiceClient(openChannel(cleanup, port));
    const raw = await RawClient.connect(cleanup, port);
    // Only the 4-byte length: the server must not wait for the 4097 bytes it announces.
    raw.send(bytes(0, 0, 0x10, 0x01));
    await within(raw.closed, 5000, 'the server closing after the length alone');
    expect(raw.frames).toHaveLength(0);
    const warning = logger.entries.find((e) => e.level === 'warn');
    expect(String(warning?.fields?.['reason'])).toMatch(new RegExp(`4097 bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`));
    expect(await healthy.ping({ timeoutMs: 5000 })).toBe('pong');
    await waitFor(() => server.connectionCount === 1, 'the oversized connection to be gone');
  });

  it('a frame of exactly maxFrameBytes is accepted', async () => {
    const { port } = await startServer(cleanup, (s) => s.addService(UserService, new UserStore()), { logger: silentLogger, maxFrameBytes: MAX_FRAME_BYTES });
    // Pad a THeader request with an info header until its frame is exactly the limit (the header
    // section is a multiple of 4 bytes; seqid 300 makes the compact payload 10 bytes, so 10 fixed
    // bytes + section + payload can reach 4,096).
    let frame: Uint8Array | undefined;
    for (let pad = 3900; pad < 4100 && frame === undefined; pad++) {
      const candidate = buildRequest({ framing: 'header', protocol: 'compact', name: 'ping', seqId: 300, headers: new Map([['pad', 'p'.repeat(pad)]]) });
      if (candidate.length - 4 === MAX_FRAME_BYTES) frame = candidate;
    }
    expect(frame).toBeDefined();
    const raw = await RawClient.connect(cleanup, port);
    raw.send(frame!);
    const reply = await raw.reply(0);
    expect(reply.message).toMatchObject({ name: 'ping', type: MessageType.REPLY, seqId: 300 });
    reply.reader.readStructBegin();
    expect(reply.reader.readFieldBegin()).toBe(TType.STRING);
    expect(reply.reader.readString()).toBe('pong');
    expect(raw.isClosed).toBe(false);
  });

  it("a reply over the client's maxFrameBytes closes that connection: its calls fail UNAVAILABLE, later calls reconnect", async () => {
    class BigStore extends UserStore {
      override getUser(id: bigint): User {
        return User.create({ id, email: 'big@example.com', createdAt: 0n, ...(id === 1n ? { displayName: 'x'.repeat(5000) } : {}) });
      }
    }
    const { server, port } = await startServer(cleanup, (s) => s.addService(UserService, new BigStore()), { logger: silentLogger });
    const client = new UserServiceClient(openChannel(cleanup, port, { connections: 1, maxFrameBytes: 1024 }));
    expect((await client.getUser(2n, { timeoutMs: 5000 })).id).toBe(2n);
    // Another call in flight on the same connection when the big reply arrives.
    const bystander = rejection(client.listUsers({ page: { cursor: 'slow:10000', limit: 1 } }, { timeoutMs: 20_000 }));
    const big = await within(rejection(client.getUser(1n, { timeoutMs: 5000 })), 5000, 'the oversized reply failing its call');
    expect(big).toBeInstanceOf(RpcError);
    expect((big as RpcError).code).toBe(ErrorCode.UNAVAILABLE);
    const other = await within(bystander, 5000, 'the other call on that connection failing');
    expect((other as RpcError).code).toBe(ErrorCode.UNAVAILABLE);
    await waitFor(() => server.connectionCount === 0, 'the server to see the connection close');

    expect((await client.getUser(3n, { timeoutMs: 5000 })).id).toBe(3n);
    expect(server.connectionCount).toBe(1);
  });
});
