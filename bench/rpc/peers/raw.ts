/**
 * The ceiling: what TCP and Node do with no RPC stack. The client sends the same payload bytes as
 * skiff's compact echo call (rpcgen's `echo_args` struct, encoded once up front) in length-prefixed
 * frames with a correlation id; the server echoes every frame back unchanged, without decoding it.
 * Both sides batch their writes the way a good RPC stack does: the server writes the replies to
 * all frames of one socket read in one write; the client collects every call issued before the
 * event loop yields (`process.nextTick`) into one write. Replies are matched to calls by id.
 *
 * ```
 *  0        4        8
 *  +--------+--------+-------------------------------+
 *  | length |   id   | payload (compact echo_args)   |   length = 4 + payload bytes, u32 BE
 *  +--------+--------+-------------------------------+
 * ```
 */
import { connect, createServer, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { ITEMS, type FixtureItem } from '../fixture.js';
import type { Codec } from '../../../runtime/index.js';
import type { BenchClient, ClientPeer, GeneratedCode, ServerPeer } from '../peer.js';
import { listenOnLoopback } from './loopback-server.js';

/** Larger frames are a bug in the benchmark, not load: fail instead of buffering them. */
const MAX_FRAME_BYTES = 1 << 20;

/**
 * Splits a byte stream into frames: `push` calls `onFrame(bytes, start, end)` for each complete
 * frame (`start` at its length field) and keeps an incomplete tail for the next chunk.
 */
class FrameSplitter {
  private tail: Buffer | undefined;

  push(chunk: Buffer, onFrame: (bytes: Buffer, start: number, end: number) => void): void {
    const bytes = this.tail === undefined ? chunk : Buffer.concat([this.tail, chunk]);
    this.tail = undefined;
    let offset = 0;
    while (bytes.length - offset >= 4) {
      const length = bytes.readUInt32BE(offset);
      if (length < 4 || length > MAX_FRAME_BYTES) throw new Error(`raw: bad frame length ${length}`);
      const end = offset + 4 + length;
      if (end > bytes.length) break;
      onFrame(bytes, offset, end);
      offset = end;
    }
    if (offset < bytes.length) this.tail = bytes.subarray(offset);
  }
}

/** The echo server: every frame of a read goes back in one write. */
export const rawServer: ServerPeer = {
  name: 'raw',
  serve() {
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      const splitter = new FrameSplitter();
      let source: Buffer | undefined;
      let first = 0;
      let last = 0;
      // The complete frames of one push lie back to back in one buffer: they go back as one slice.
      const onFrame = (bytes: Buffer, start: number, end: number): void => {
        if (source === undefined) {
          source = bytes;
          first = start;
        }
        last = end;
      };
      socket.on('data', (chunk: Buffer) => {
        try {
          splitter.push(chunk, onFrame);
        } catch (error) {
          socket.destroy(error as Error);
          return;
        }
        if (source === undefined) return;
        // No copy: neither the chunk nor a concatenated tail is written to again.
        socket.write(source.subarray(first, last));
        source = undefined;
      });
      socket.on('error', () => socket.destroy());
    });
    return listenOnLoopback(server, 'raw');
  },
};

/** The part of rpcgen's echo module the client uses to build the payloads. */
interface EchoCodecModule {
  readonly EchoServiceEchoArgs: Codec<{ readonly item: { id?: bigint; name?: string; tags?: string[]; score?: number } }>;
}

/** One call waiting for its reply. */
interface PendingCall {
  resolve(payload: Buffer): void;
  reject(error: Error): void;
}

/** The client: frames of all calls issued in one turn of the event loop leave in one write. */
export const rawClient: ClientPeer = {
  name: 'raw',
  wire: 'u32 length + u32 id + the compact payload',
  async connect(generated: GeneratedCode, port: number) {
    const { EchoServiceEchoArgs } = (await import(pathToFileURL(generated.skiffEcho).href)) as EchoCodecModule;
    // Loaded here, not at the top: the raw server's process must not carry the runtime.
    const { encode, decode } = await import('../../../runtime/index.js');
    const frames = ITEMS.map((item) => {
      const payload = encode(EchoServiceEchoArgs, { item: { ...item, id: BigInt(item.id), tags: [...item.tags] } }, 'compact');
      const frame = Buffer.alloc(8 + payload.length);
      frame.writeUInt32BE(4 + payload.length, 0);
      frame.set(payload, 8);
      return frame;
    });
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, noDelay: true });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    const pending = new Map<number, PendingCall>();
    let failure: Error | undefined;
    const fail = (error: Error): void => {
      failure ??= error;
      for (const call of pending.values()) call.reject(failure);
      pending.clear();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('raw: connection closed')));
    const splitter = new FrameSplitter();
    const onFrame = (bytes: Buffer, start: number, end: number): void => {
      const id = bytes.readUInt32BE(start + 4);
      const call = pending.get(id);
      if (call === undefined) throw new Error(`raw: reply to unknown call ${id}`);
      pending.delete(id);
      call.resolve(bytes.subarray(start + 8, end));
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk, onFrame);
      } catch (error) {
        socket.destroy(error as Error);
      }
    });

    let outbox = Buffer.allocUnsafe(64 * 1024);
    let outboxLength = 0;
    let flushScheduled = false;
    const flush = (): void => {
      flushScheduled = false;
      if (outboxLength === 0 || failure !== undefined) return;
      // A copy: the outbox is reused once this write has been handed over.
      socket.write(Buffer.from(outbox.subarray(0, outboxLength)));
      outboxLength = 0;
    };
    let nextId = 0;
    const send = (index: number): Promise<Buffer> => {
      if (failure !== undefined) return Promise.reject(failure);
      const frame = frames[index % frames.length]!;
      if (outboxLength + frame.length > outbox.length) {
        const grown = Buffer.allocUnsafe(Math.max(outbox.length * 2, outboxLength + frame.length));
        outbox.copy(grown, 0, 0, outboxLength);
        outbox = grown;
      }
      const id = nextId;
      nextId = (nextId + 1) >>> 0;
      frame.copy(outbox, outboxLength);
      outbox.writeUInt32BE(id, outboxLength + 4);
      outboxLength += frame.length;
      if (!flushScheduled) {
        flushScheduled = true;
        process.nextTick(flush);
      }
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    };
    const bench: BenchClient = {
      async call(index) {
        const reply = await send(index);
        if (reply.length !== frames[index % frames.length]!.length - 8) throw new Error(`raw: reply to call ${index} has ${reply.length} bytes`);
      },
      async echo(index): Promise<FixtureItem> {
        const { item } = decode(EchoServiceEchoArgs, await send(index), 'compact');
        return { id: Number(item.id), name: item.name ?? '', tags: item.tags ?? [], score: item.score ?? Number.NaN };
      },
      close: () =>
        new Promise<void>((resolve) => {
          if (socket.destroyed) {
            resolve();
            return;
          }
          socket.once('close', () => resolve());
          socket.end();
        }),
    };
    return bench;
  },
};
