/**
 * Cuts a byte stream of unframed Thrift messages (`TBufferedTransport`, a bare `TSocket`: npm
 * thrift's default, common on Java and Python servers) into one message per "frame". With no
 * length prefix, a message's end is found by parsing it: the envelope, then the argument or
 * result struct, with a {@link MessageScanner} that resumes where it stopped when the next chunk
 * arrives. Pure and push-style, like {@link FrameDecoder}.
 *
 * Cost: linear in the bytes received, however a message is split across chunks. A message that
 * arrives whole in one chunk is handed out as a view of that chunk (no copy); the start of a
 * message split across chunks is copied into a buffer of its own that grows by doubling, so each
 * byte is copied a bounded number of times. The size limit (default 1 MiB) bounds that buffer.
 */
import { ProtocolError } from '../errors.js';
import type { WireProtocol } from './framing.js';
import { MessageScanner } from './message-scanner.js';

/** Default of {@link BufferedDecoderOptions.maxMessageBytes}: 1 MiB. */
export const DEFAULT_MAX_BUFFERED_MESSAGE_BYTES = 1024 * 1024;

/** Limits of a {@link BufferedDecoder}. */
export interface BufferedDecoderOptions {
  /** Largest message accepted, in bytes. Default 1 MiB. */
  readonly maxMessageBytes?: number;
}

const NO_BYTES = new Uint8Array(0);
/** Smallest buffer allocated for a split message. */
const MIN_BUFFER_BYTES = 4096;

/** Splits unframed messages of one protocol out of a stream (see the module comment). */
export class BufferedDecoder {
  readonly maxMessageBytes: number;
  private readonly scanner: MessageScanner;
  /**
   * Bytes received and not yet handed out are `buf[start, end)`: a view of the last chunk, or
   * (`owned`) a buffer of this decoder's into which later chunks are appended. Handed-out
   * messages are views too, so bytes before `start` are never written again.
   */
  private buf: Uint8Array = NO_BYTES;
  private start = 0;
  private end = 0;
  private owned = false;
  private streamOffset = 0;
  /** Stream offset of the message handed to the last `onFrame` call. */
  lastFrameOffset = 0;

  constructor(
    readonly protocol: WireProtocol,
    options: BufferedDecoderOptions = {},
  ) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_BUFFERED_MESSAGE_BYTES;
    this.scanner = new MessageScanner(protocol);
  }

  /** Bytes received but not yet handed out. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /** Bytes scanned so far: each byte of the stream once (see `MessageScanner.scannedBytes`). */
  get scannedBytes(): number {
    return this.scanner.scannedBytes;
  }

  /**
   * Feeds `chunk` (which must not be changed afterwards: messages may be views of it); calls
   * `onFrame` with each complete message, in order. When `onFrame` returns `false`, decoding
   * stops and the rest waits for {@link resume}.
   *
   * @throws ProtocolError for a message that does not parse, or `SIZE_LIMIT` when an incomplete
   *   message already exceeds `maxMessageBytes`. Close the connection then.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => unknown): void {
    if (this.start === this.end) {
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
    } else {
      this.append(chunk);
    }
    this.decode(onFrame);
  }

  /** Decodes messages held back by a `false` from `onFrame`. */
  resume(onFrame: (frame: Uint8Array) => unknown): void {
    if (this.start < this.end) this.decode(onFrame);
  }

  private decode(onFrame: (frame: Uint8Array) => unknown): void {
    while (this.start < this.end) {
      const length = this.scanner.scan(this.buf, this.start, this.end, this.streamOffset);
      if (length === undefined) {
        if (this.end - this.start > this.maxMessageBytes) {
          throw new ProtocolError('SIZE_LIMIT', `unframed message exceeds the ${this.maxMessageBytes}-byte limit before it ends`, this.streamOffset);
        }
        return;
      }
      const message = this.buf.subarray(this.start, this.start + length);
      this.start += length;
      this.lastFrameOffset = this.streamOffset;
      this.streamOffset += length;
      const more = onFrame(message);
      if (this.start === this.end) this.release();
      if (more === false) return;
    }
  }

  /** Adds `chunk` after the pending bytes, in a buffer of this decoder's, growing it by doubling. */
  private append(chunk: Uint8Array): void {
    const pending = this.end - this.start;
    if (!this.owned || this.end + chunk.length > this.buf.length) {
      const needed = pending + chunk.length;
      const grown = new Uint8Array(Math.max(needed, Math.min(2 * needed, this.maxMessageBytes), MIN_BUFFER_BYTES));
      grown.set(this.buf.subarray(this.start, this.end));
      this.buf = grown;
      this.start = 0;
      this.end = pending;
      this.owned = true;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Drops the reference to a buffer whose bytes have all been handed out. */
  private release(): void {
    this.buf = NO_BYTES;
    this.start = 0;
    this.end = 0;
    this.owned = false;
  }
}
