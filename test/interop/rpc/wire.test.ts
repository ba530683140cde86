/**
 * What a stock Thrift client sees of a skiff server, byte for byte, with requests written by hand
 * from the Thrift specs (no skiff or Thrift code builds them): a reply carries its request's seqid
 * and method name, seqid 0 for every call (what stock clients send) works, one call at a time
 * or several in a row, and an unknown method gets a TApplicationException UNKNOWN_METHOD in the
 * layout every Thrift library decodes. Also the other way: our client refuses a reply whose
 * method name does not match its call, as Go's and C++'s stock clients do.
 */
import { createServer as createNetServer, connect, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, ProtocolError, type Server } from 'skiff/runtime';
import { parseHeaderFrame } from '../../../runtime/protocol/header.js';
import { startInteropServer } from './handlers.js';
import type { InteropModule } from './interop-api.js';
import { cleanup, loadInterop } from './setup.js';

let m: InteropModule;
let server: Server;
let port: number;

beforeAll(async () => {
  m = await loadInterop();
  ({ server, port } = await startInteropServer(m));
});

afterAll(async () => {
  await server?.close({ graceMs: 1000 });
  cleanup();
});

// ---------------------------------------------------------------------------------------------
// Bytes by hand (Thrift's Binary and Compact protocol specs, doc/specs/thrift-*-protocol.md).

const CALL = 1;
const REPLY = 2;
const EXCEPTION = 3;
const ONEWAY = 4;

const u16 = (n: number) => [(n >>> 8) & 255, n & 255];
const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  return [...out, v];
}
const zigzag32 = (n: number) => ((n << 1) ^ (n >> 31)) >>> 0;
const framed = (payload: number[]) => [...u32(payload.length), ...payload];

/** A strict Binary message: `80 01 00 type`, name, seqid, body. */
const binaryMessage = (name: string, type: number, seqId: number, body: number[]) => [
  0x80,
  0x01,
  0x00,
  type,
  ...u32(utf8(name).length),
  ...utf8(name),
  ...u32(seqId),
  ...body,
];
/** A struct with one i32 field (Binary): type 8, id, value, stop. */
const binaryI32Struct = (id: number, value: number) => [0x08, ...u16(id), ...u32(value), 0x00];

/** A Compact message: `82`, type << 5 | version 1, varint seqid, varint name length, name, body. */
const compactMessage = (name: string, type: number, seqId: number, body: number[]) => [
  0x82,
  (type << 5) | 1,
  ...varint(seqId),
  ...varint(utf8(name).length),
  ...utf8(name),
  ...body,
];
/** A struct with one i32 field (Compact): field 1 as a short delta, field 0 in the long form. */
const compactI32Struct = (id: number, value: number) =>
  id === 0 ? [0x05, 0x00, ...varint(zigzag32(value)), 0x00] : [(id << 4) | 0x05, ...varint(zigzag32(value)), 0x00];

/** Sends `bytes` on a new connection and resolves to the first `count` frames (length fields stripped). */
function exchange(bytes: number[], count: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffered = Buffer.alloc(0);
    const frames: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`got ${frames.length} of ${count} frames`));
    }, 10_000);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
        const length = buffered.readUInt32BE(0);
        frames.push(buffered.subarray(4, 4 + length));
        buffered = buffered.subarray(4 + length);
      }
      if (frames.length >= count) {
        clearTimeout(timer);
        socket.destroy();
        resolve(frames.slice(0, count));
      }
    });
    socket.on('error', reject);
    socket.write(Buffer.from(bytes));
  });
}

const hex = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString('hex');

const SEQIDS = [0, 1, -1, 0x12345678, 2 ** 31 - 1, -(2 ** 31)];

describe('framed Binary, byte for byte', () => {
  it.each(SEQIDS)('echoI32 with seqid %i: the reply repeats the name and the seqid', async (seqId) => {
    const request = framed(binaryMessage('echoI32', CALL, seqId, binaryI32Struct(1, -42)));
    const [reply] = await exchange(request, 1);
    expect(hex(reply!)).toBe(hex(binaryMessage('echoI32', REPLY, seqId, binaryI32Struct(0, -42))));
  });

  it('an old non-strict Binary call (no version word) is answered, in strict Binary', async () => {
    const oldCall = [...u32(utf8('echoI32').length), ...utf8('echoI32'), CALL, ...u32(5), ...binaryI32Struct(1, 3)];
    const [reply] = await exchange(framed(oldCall), 1);
    expect(hex(reply!)).toBe(hex(binaryMessage('echoI32', REPLY, 5, binaryI32Struct(0, 3))));
  });

  it('a multiplexed call (Service:method) is answered under the plain method name', async () => {
    const [reply] = await exchange(framed(binaryMessage('Interop:echoI32', CALL, 9, binaryI32Struct(1, 5))), 1);
    expect(hex(reply!)).toBe(hex(binaryMessage('echoI32', REPLY, 9, binaryI32Struct(0, 5))));
  });

  it('an unknown method: EXCEPTION with TApplicationException { 1: message, 2: type UNKNOWN_METHOD }', async () => {
    const [reply] = await exchange(framed(binaryMessage('noSuchMethod', CALL, 77, [0x00])), 1);
    const message = `unknown method 'noSuchMethod'`;
    const body = [0x0b, ...u16(1), ...u32(message.length), ...utf8(message), 0x08, ...u16(2), ...u32(1), 0x00];
    expect(hex(reply!)).toBe(hex(binaryMessage('noSuchMethod', EXCEPTION, 77, body)));
  });

  it('seqid 0 for every call, one at a time on one connection (a stock client)', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    try {
      const replies = readFrames(socket);
      for (const value of [1, 2, 3, 4, 5]) {
        socket.write(Buffer.from(framed(binaryMessage('echoI32', CALL, 0, binaryI32Struct(1, value)))));
        expect(hex(await replies.next())).toBe(hex(binaryMessage('echoI32', REPLY, 0, binaryI32Struct(0, value))));
      }
    } finally {
      socket.destroy();
    }
  });

  it('seqid 0 for several calls written at once, and an unknown oneway call in between (no reply)', async () => {
    const requests = [
      ...framed(binaryMessage('echoI32', CALL, 0, binaryI32Struct(1, 10))),
      ...framed(binaryMessage('noSuchOneway', ONEWAY, 0, [0x00])),
      ...framed(binaryMessage('echoI32', CALL, 0, binaryI32Struct(1, 20))),
      ...framed(binaryMessage('echoI32', CALL, 0, binaryI32Struct(1, 30))),
    ];
    const replies = await exchange(requests, 3);
    expect(replies.map(hex).sort()).toEqual([10, 20, 30].map((v) => hex(binaryMessage('echoI32', REPLY, 0, binaryI32Struct(0, v)))).sort());
  });
});

describe('framed Compact, byte for byte', () => {
  it.each(SEQIDS)('echoI32 with seqid %i', async (seqId) => {
    const [reply] = await exchange(framed(compactMessage('echoI32', CALL, seqId, compactI32Struct(1, -42))), 1);
    expect(hex(reply!)).toBe(hex(compactMessage('echoI32', REPLY, seqId, compactI32Struct(0, -42))));
  });
});

describe('THeader, byte for byte', () => {
  it.each([
    ['binary', 0x00, binaryMessage, binaryI32Struct],
    ['compact', 0x02, compactMessage, compactI32Struct],
  ] as const)('%s: the reply frame and its message carry the request seqid', async (_name, protocolId, message, i32Struct) => {
    for (const seqId of [0, -7, 2 ** 31 - 1]) {
      // Header section: protocol id, no transforms, no info headers, padded to one 4-byte word.
      const payload = message('echoI32', CALL, seqId, i32Struct(1, 99));
      const request = framed([...u16(0x0fff), ...u16(0), ...u32(seqId), ...u16(1), protocolId, 0x00, 0x00, 0x00, ...payload]);
      const [reply] = await exchange(request, 1);
      const frame = parseHeaderFrame(reply!);
      expect({ seqId: frame.seqId, protocolId: frame.protocolId, payload: hex(frame.payload) }).toEqual({
        seqId,
        protocolId,
        payload: hex(message('echoI32', REPLY, seqId, i32Struct(0, 99))),
      });
    }
  });
});

/** Reads frames from `socket` one `next()` at a time; `next()` rejects once the socket has closed. */
function readFrames(socket: Socket): { next(): Promise<Buffer> } {
  let buffered = Buffer.alloc(0);
  const frames: Buffer[] = [];
  let closed = false;
  let waiter: { resolve(frame: Buffer): void; reject(error: Error): void } | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
      frames.push(buffered.subarray(4, 4 + buffered.readUInt32BE(0)));
      buffered = buffered.subarray(4 + buffered.readUInt32BE(0));
    }
    if (waiter !== undefined && frames.length > 0) {
      const { resolve } = waiter;
      waiter = undefined;
      resolve(frames.shift()!);
    }
  });
  socket.on('close', () => {
    closed = true;
    waiter?.reject(new Error('the connection closed'));
    waiter = undefined;
  });
  return {
    next: () => {
      if (frames.length > 0) return Promise.resolve(frames.shift()!);
      if (closed) return Promise.reject(new Error('the connection closed'));
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
  };
}

describe('our client checks the reply against its call', () => {
  let fake: NetServer;
  let fakePort: number;
  /** What the fake stock server answers: the reply's name and seqid, given the request's seqid. */
  let answer: (seqId: number) => { name: string; seqId: number }[];

  beforeAll(async () => {
    // A framed Binary "server" that answers echoI32 calls with whatever `answer` says.
    fake = createNetServer((socket) => {
      const frames = readFrames(socket);
      const loop = async () => {
        for (;;) {
          const request = await frames.next();
          const nameLength = request.readUInt32BE(4);
          const seqId = request.readInt32BE(8 + nameLength);
          for (const reply of answer(seqId))
            socket.write(Buffer.from(framed(binaryMessage(reply.name, REPLY, reply.seqId, binaryI32Struct(0, reply.seqId)))));
        }
      };
      loop().catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakePort = (fake.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => fake.close(resolve));
  });

  it('a reply under another method name is refused (ProtocolError), as Go and C++ clients refuse it', async () => {
    answer = (seqId) => [{ name: 'echoI16', seqId }];
    const channel = createChannel({ host: '127.0.0.1', port: fakePort, framing: 'framed', protocol: 'binary', connections: 1 });
    try {
      const error = await new m.InteropClient(channel).echoI32(1, { timeoutMs: 10_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).message).toContain(`reply for 'echoI16' to a call of 'echoI32'`);
    } finally {
      await channel.close();
    }
  });

  it("a reply with a seqid nobody waits for is dropped; the one with the call's seqid answers it", async () => {
    answer = (seqId) => [
      { name: 'echoI32', seqId: seqId + 1000 },
      { name: 'echoI32', seqId },
    ];
    const channel = createChannel({ host: '127.0.0.1', port: fakePort, framing: 'framed', protocol: 'binary', connections: 1 });
    try {
      // The fake server echoes the seqid as the result: our client's first seqid.
      const result = await new m.InteropClient(channel).echoI32(0, { timeoutMs: 10_000 });
      expect(result).toBe(1);
    } finally {
      await channel.close();
    }
  });
});
