/**
 * Cuts a byte stream of unframed Thrift messages (`TBufferedTransport`, a bare `TSocket`: npm
 * thrift's default, common on Java and Python servers) into one message per "frame". With no
 * length prefix, a message's end is found by parsing it: the envelope, then skipping the
 * argument or result struct. Pure and push-style, like {@link FrameDecoder}.
 *
 * Cost: a message split across socket chunks is parsed again from its start when each chunk
 * arrives, so the work grows with the square of a message's size divided by the chunk size. The
 * size limit (default 1 MiB, lower than the framed limit for that reason) bounds it.
 */
import { ProtocolError } from '../errors.js';
import { BinaryReader } from './binary.js';
import { CompactReader } from './compact.js';
import type { WireProtocol } from './framing.js';
import { TType } from './types.js';

/** Default of {@link BufferedDecoderOptions.maxMessageBytes}: 1 MiB. */
export const DEFAULT_MAX_BUFFERED_MESSAGE_BYTES = 1024 * 1024;

/** Limits of a {@link BufferedDecoder}. */
export interface BufferedDecoderOptions {
  /** Largest message accepted, in bytes. Default 1 MiB. */
  readonly maxMessageBytes?: number;
}

/** Splits unframed messages of one protocol out of a stream (see the module comment). */
export class BufferedDecoder {
  readonly maxMessageBytes: number;
  private readonly reader: CompactReader | BinaryReader;
  /** Bytes received and not yet handed out (a partial message, or messages held back). */
  private pending: Uint8Array | undefined;
  private streamOffset = 0;
  /** Stream offset of the message handed to the last `onFrame` call. */
  lastFrameOffset = 0;

  constructor(
    readonly protocol: WireProtocol,
    options: BufferedDecoderOptions = {},
  ) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_BUFFERED_MESSAGE_BYTES;
    this.reader = protocol === 'compact' ? new CompactReader(new Uint8Array(0)) : new BinaryReader(new Uint8Array(0));
  }

  /** Bytes received but not yet handed out. */
  get bufferedBytes(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Feeds `chunk`; calls `onFrame` with each complete message, in order. When `onFrame` returns
   * `false`, decoding stops and the rest waits for {@link resume}.
   *
   * @throws ProtocolError for a message that does not parse, or `SIZE_LIMIT` when an incomplete
   *   message already exceeds `maxMessageBytes`. Close the connection then.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => unknown): void {
    let bytes = chunk;
    if (this.pending !== undefined) {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending);
      bytes.set(chunk, this.pending.length);
      this.pending = undefined;
    }
    let pos = 0;
    while (pos < bytes.length) {
      const length = this.measure(bytes.subarray(pos));
      if (length === undefined) {
        if (bytes.length - pos > this.maxMessageBytes) {
          throw new ProtocolError(
            'SIZE_LIMIT',
            `unframed message exceeds the ${this.maxMessageBytes}-byte limit before it ends`,
            this.streamOffset,
          );
        }
        break;
      }
      const message = bytes.subarray(pos, pos + length);
      pos += length;
      this.lastFrameOffset = this.streamOffset;
      this.streamOffset += length;
      if (onFrame(message) === false) break;
    }
    if (pos < bytes.length) this.pending = bytes.subarray(pos);
  }

  /** Decodes messages held back by a `false` from `onFrame`. */
  resume(onFrame: (frame: Uint8Array) => unknown): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    this.push(pending, onFrame);
  }

  /** Length of the whole message at the start of `bytes`, or `undefined` if it is incomplete. */
  private measure(bytes: Uint8Array): number | undefined {
    const r = this.reader;
    r.reset(bytes);
    try {
      r.readMessageBegin();
      r.skip(TType.STRUCT);
      return r.offset;
    } catch (error) {
      if (error instanceof ProtocolError) {
        if (error.reason === 'TRUNCATED') return undefined;
        throw new ProtocolError(error.reason, error.message.replace(/ at offset \d+$/, ''), this.streamOffset + error.offset);
      }
      throw error;
    } finally {
      r.reset(NO_BYTES);
    }
  }
}

const NO_BYTES = new Uint8Array(0);
