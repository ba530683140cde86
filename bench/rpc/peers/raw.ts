/**
 * The ceiling, and the floor under it. `raw` is what TCP and Node do with no RPC stack: the client
 * sends the same payload bytes as skiff's compact echo call (rpcgen's `echo_args` struct, encoded
 * once up front) in length-prefixed frames with a correlation id; the server echoes every frame
 * back unchanged, without decoding it. `raw-codec` is the same framing with the work every RPC
 * does to its messages: the client encodes each call's `echo_args` and decodes the `echo_result`
 * reply, the server decodes the arguments and encodes the result (rpcgen's compact codecs, into
 * one reused writer per side). Between `raw` and `raw-codec` lies the cost of the messages; between
 * `raw-codec` and skiff, the cost of the RPC stack (THeader, envelopes, dispatch, deadlines,
 * accounting).
 *
 * Both sides batch their writes the way a good RPC stack does: the server writes the replies to
 * all frames of one socket read in one write; the client collects every call issued before the
 * event loop yields (`process.nextTick`) into one write. Replies are matched to calls by id.
 *
 * ```
 *  0        4        8
 *  +--------+--------+-------------------------------+
 *  | length |   id   | payload (compact)             |   length = 4 + payload bytes, u32 BE
 *  +--------+--------+-------------------------------+
 * ```
 */
import { connect, createServer, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { checkEcho, ITEMS, type FixtureItem } from '../fixture.js';
import type { Codec, CompactReader, CompactWriter } from '../../../runtime/index.js';
import type { BenchClient, ClientPeer, GeneratedCode, ServerPeer } from '../peer.js';
import { listenOnLoopback } from './loopback-server.js';

/** Larger frames are a bug in the benchmark, not load: fail instead of buffering them. */
const MAX_FRAME_BYTES = 1 << 20;
/** Length and id. */
const FRAME_HEADER_BYTES = 8;

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

/** rpcgen's `Item` as the echo codecs see it. */
interface CodecItem {
  id?: bigint;
  name?: string;
  tags?: string[];
  score?: number;
}

/** The parts of rpcgen's echo module these peers use. */
interface EchoCodecModule {
  readonly EchoServiceEchoArgs: Codec<{ readonly item: CodecItem }>;
  readonly EchoServiceEchoResult: Codec<{ readonly kind: 'success'; readonly value: CodecItem }>;
}

/** The echo codecs and a compact writer and reader (loaded here: the raw server must not carry the runtime). */
async function loadCodecs(generated: GeneratedCode): Promise<EchoCodecModule & { writer: CompactWriter; reader: CompactReader }> {
  const codecs = (await import(pathToFileURL(generated.skiffEcho).href)) as EchoCodecModule;
  const { CompactReader, CompactWriter } = await import('../../../runtime/index.js');
  return { ...codecs, writer: new CompactWriter({ initialBytes: 64 * 1024 }), reader: new CompactReader(new Uint8Array(0)) };
}

/** Appends a frame's length and id in front of a payload the caller then writes. */
function beginFrame(w: CompactWriter, id: number): number {
  const start = w.pos;
  w.ensure(FRAME_HEADER_BYTES);
  w.setInt32At(start + 4, id | 0);
  w.pos = start + FRAME_HEADER_BYTES;
  return start;
}

function endFrame(w: CompactWriter, start: number): void {
  w.setInt32At(start, w.pos - start - 4);
}

/** A server: the frames of one read are answered in one write. */
function rawServerPeer(name: string, decodes: boolean): ServerPeer {
  return {
    name,
    async serve(generated) {
      const codecs = decodes ? await loadCodecs(generated) : undefined;
      const server = createServer((socket) => {
        socket.setNoDelay(true);
        const splitter = new FrameSplitter();
        let source: Buffer | undefined;
        let first = 0;
        let last = 0;
        // The complete frames of one push lie back to back in one buffer: they go back as one slice.
        const echoBytes = (bytes: Buffer, start: number, end: number): void => {
          if (source === undefined) {
            source = bytes;
            first = start;
          }
          last = end;
        };
        const echoDecoded = (bytes: Buffer, start: number, end: number): void => {
          const { EchoServiceEchoArgs, EchoServiceEchoResult, reader, writer } = codecs!;
          reader.reset(bytes.subarray(start + FRAME_HEADER_BYTES, end));
          const { item } = EchoServiceEchoArgs.read(reader);
          const frame = beginFrame(writer, bytes.readUInt32BE(start + 4));
          EchoServiceEchoResult.write(writer, { kind: 'success', value: item });
          endFrame(writer, frame);
        };
        socket.on('data', (chunk: Buffer) => {
          try {
            splitter.push(chunk, codecs === undefined ? echoBytes : echoDecoded);
          } catch (error) {
            socket.destroy(error as Error);
            return;
          }
          if (codecs !== undefined) {
            if (codecs.writer.length === 0) return;
            // A copy: the writer is reused once the write has been handed over.
            socket.write(Buffer.from(codecs.writer.view()));
            codecs.writer.reset();
            return;
          }
          if (source === undefined) return;
          // No copy: neither the chunk nor a concatenated tail is written to again.
          socket.write(source.subarray(first, last));
          source = undefined;
        });
        socket.on('error', () => socket.destroy());
      });
      return listenOnLoopback(server, name);
    },
  };
}

/** The byte-echo server: the ceiling's. */
export const rawServer = rawServerPeer('raw', false);
/** The server that decodes every call and encodes its result. */
export const rawCodecServer = rawServerPeer('raw-codec', true);

/** One call waiting for its reply: resolved with the reply's payload. */
interface PendingCall {
  resolve(payload: Buffer): void;
  reject(error: Error): void;
}

/** A client: the frames of all calls issued in one turn of the event loop leave in one write. */
function rawClientPeer(name: string, wire: string, decodes: boolean): ClientPeer {
  return {
    name,
    wire,
    async connect(generated: GeneratedCode, port: number) {
      const { EchoServiceEchoArgs, EchoServiceEchoResult, reader, writer } = await loadCodecs(generated);
      const items = ITEMS.map((item) => ({ ...item, id: BigInt(item.id), tags: [...item.tags] }));
      // The byte echo sends payloads encoded once, up front.
      const payloads = items.map((item) => {
        EchoServiceEchoArgs.write(writer, { item });
        const payload = Buffer.from(writer.view());
        writer.reset();
        return payload;
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
      socket.on('close', () => fail(new Error(`${name}: connection closed`)));
      const splitter = new FrameSplitter();
      const onFrame = (bytes: Buffer, start: number, end: number): void => {
        const id = bytes.readUInt32BE(start + 4);
        const call = pending.get(id);
        if (call === undefined) throw new Error(`${name}: reply to unknown call ${id}`);
        pending.delete(id);
        call.resolve(bytes.subarray(start + FRAME_HEADER_BYTES, end));
      };
      socket.on('data', (chunk: Buffer) => {
        try {
          splitter.push(chunk, onFrame);
        } catch (error) {
          socket.destroy(error as Error);
        }
      });

      let flushScheduled = false;
      const flush = (): void => {
        flushScheduled = false;
        if (writer.length === 0 || failure !== undefined) return;
        // A copy: the writer is reused once this write has been handed over.
        socket.write(Buffer.from(writer.view()));
        writer.reset();
      };
      let nextId = 0;
      const send = (index: number): Promise<Buffer> => {
        if (failure !== undefined) return Promise.reject(failure);
        const id = nextId;
        nextId = (nextId + 1) >>> 0;
        const frame = beginFrame(writer, id);
        if (decodes) EchoServiceEchoArgs.write(writer, { item: items[index % items.length]! });
        else writer.writeBytes(payloads[index % payloads.length]!);
        endFrame(writer, frame);
        if (!flushScheduled) {
          flushScheduled = true;
          process.nextTick(flush);
        }
        return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      };
      const decodeReply = (payload: Buffer): CodecItem => {
        reader.reset(payload);
        return EchoServiceEchoResult.read(reader).value;
      };
      const bench: BenchClient = {
        async call(index) {
          const reply = await send(index);
          if (decodes) {
            const item = decodeReply(reply);
            checkEcho(name, index, Number(item.id), item.name ?? '');
          } else if (reply.length !== payloads[index % payloads.length]!.length) {
            throw new Error(`${name}: reply to call ${index} has ${reply.length} bytes`);
          }
        },
        async echo(index): Promise<FixtureItem> {
          const payload = await send(index);
          const item = decodes ? decodeReply(payload) : (reader.reset(payload), EchoServiceEchoArgs.read(reader).item);
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
}

/** The ceiling's client: sends bytes encoded up front, checks only the reply's length. */
export const rawClient = rawClientPeer('raw', 'u32 length + u32 id + the compact payload', false);
/** Encodes every call and decodes every reply, with rpcgen's compact codecs. */
export const rawCodecClient = rawClientPeer('raw-codec', 'u32 length + u32 id + compact echo_args / echo_result, encoded and decoded per call', true);
