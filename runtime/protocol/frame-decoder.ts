/**
 * Splits a byte stream into length-prefixed frames (THeader and `TFramedTransport` share the
 * 4-byte big-endian length). Pure and push-style: a connection feeds it socket chunks, it hands
 * back whole frames.
 */
import { ProtocolError } from '../errors.js';

/**
 * First buffer for a frame split across chunks (unless the frame is smaller): the buffer then
 * grows with the bytes that arrive, so 4 bytes of a length field commit 64 KiB, not the frame's
 * announced size (up to 16 MiB on every connection a peer opens).
 */
const INITIAL_PARTIAL_BYTES = 64 * 1024;

/** Default of {@link FrameDecoderOptions.maxFrameBytes}: 16 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Limits of a {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Largest frame accepted, in bytes after the length field. Default 16 MiB. */
  readonly maxFrameBytes?: number;
}

/**
 * Reassembles frames from chunks of any size.
 *
 * Memory: a frame that arrives whole inside one chunk is handed out as a view of that chunk (no
 * copy). A frame split across chunks is copied into a buffer that grows by doubling as its bytes
 * arrive (its length is checked against `maxFrameBytes` first): it holds at most 64 KiB or twice
 * what the peer has sent of the frame, whichever is more, and never more than one maximal frame
 * plus three bytes of the next length.
 *
 * Views share the pushed chunks' memory, so the caller must not reuse a chunk after pushing it
 * (socket chunks are fresh buffers).
 */
export class FrameDecoder {
  /** See {@link FrameDecoderOptions.maxFrameBytes}. */
  readonly maxFrameBytes: number;
  /** Bytes of the stream consumed so far; error offsets count from the stream's first byte. */
  private streamOffset = 0;
  /** Bytes of a length field split across chunks. */
  private readonly lengthBytes = new Uint8Array(4);
  private lengthFilled = 0;
  /**
   * The frame being reassembled from several chunks: its length, a buffer that grows (by
   * doubling) as its bytes arrive, and how much of it has arrived.
   */
  private partial: Uint8Array | undefined;
  private partialLength = 0;
  private partialFilled = 0;
  /** Unparsed rest of a chunk, kept when `onFrame` asked to stop (see {@link push}). */
  private held: Uint8Array | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes received but not yet handed out as a frame. */
  get bufferedBytes(): number {
    return this.lengthFilled + this.partialFilled + (this.held?.length ?? 0);
  }

  /**
   * Offset in the stream of the first byte of the frame handed to the last `onFrame` call (its
   * length field); add 4 for the frame's own first byte.
   */
  lastFrameOffset = 0;

  /**
   * Feeds `chunk`; calls `onFrame` synchronously for each complete frame (bytes after the length
   * field), in order. When `onFrame` returns `false` (its owner is overloaded), decoding stops and
   * the rest of the chunk is held until {@link resume}; frames are never dropped.
   *
   * @throws ProtocolError `SIZE_LIMIT` when a length exceeds `maxFrameBytes`, `NEGATIVE_LENGTH`
   *   when its top bit is set. The decoder is unusable afterwards: close the connection.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => unknown): void {
    if (this.held !== undefined) {
      const joined = new Uint8Array(this.held.length + chunk.length);
      joined.set(this.held);
      joined.set(chunk, this.held.length);
      this.held = undefined;
      chunk = joined;
    }
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.partial !== undefined) {
        const take = Math.min(this.partialLength - this.partialFilled, end - pos);
        if (this.partialFilled + take > this.partial.length) this.grow(this.partialFilled + take);
        this.partial.set(chunk.subarray(pos, pos + take), this.partialFilled);
        this.partialFilled += take;
        pos += take;
        if (this.partialFilled < this.partialLength) return;
        const frame = this.partial;
        this.partial = undefined;
        this.partialFilled = 0;
        if (this.emit(frame, onFrame) === false) {
          this.hold(chunk, pos);
          return;
        }
        continue;
      }
      let length: number;
      if (this.lengthFilled === 0 && end - pos >= 4) {
        length = ((chunk[pos]! << 24) | (chunk[pos + 1]! << 16) | (chunk[pos + 2]! << 8) | chunk[pos + 3]!) >>> 0;
        pos += 4;
      } else {
        while (this.lengthFilled < 4 && pos < end) this.lengthBytes[this.lengthFilled++] = chunk[pos++]!;
        if (this.lengthFilled < 4) return;
        const b = this.lengthBytes;
        length = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
        this.lengthFilled = 0;
      }
      this.checkLength(length);
      if (end - pos >= length) {
        const more = this.emit(chunk.subarray(pos, pos + length), onFrame);
        pos += length;
        if (more === false) {
          this.hold(chunk, pos);
          return;
        }
      } else {
        this.partial = new Uint8Array(Math.min(length, Math.max(INITIAL_PARTIAL_BYTES, 2 * (end - pos))));
        this.partialLength = length;
        this.partialFilled = 0;
      }
    }
  }

  private checkLength(length: number): void {
    if (length > 0x7fffffff) {
      throw new ProtocolError(
        'NEGATIVE_LENGTH',
        `frame length 0x${length.toString(16)} has its top bit set (an unframed Thrift message? skiff accepts framed transports only)`,
        this.streamOffset,
      );
    }
    if (length > this.maxFrameBytes) {
      throw new ProtocolError('SIZE_LIMIT', `frame of ${length} bytes exceeds the ${this.maxFrameBytes}-byte limit`, this.streamOffset);
    }
  }

  /** Decodes the bytes held back by a `false` from `onFrame`, as {@link push} does. */
  resume(onFrame: (frame: Uint8Array) => unknown): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    this.push(held, onFrame);
  }

  /** Makes room for at least `needed` bytes of the partial frame, doubling (never past its length). */
  private grow(needed: number): void {
    const grown = new Uint8Array(Math.min(this.partialLength, Math.max(needed, 2 * this.partial!.length)));
    grown.set(this.partial!.subarray(0, this.partialFilled));
    this.partial = grown;
  }

  private hold(chunk: Uint8Array, pos: number): void {
    if (pos < chunk.length) this.held = chunk.subarray(pos);
  }

  private emit(frame: Uint8Array, onFrame: (frame: Uint8Array) => unknown): unknown {
    this.lastFrameOffset = this.streamOffset;
    this.streamOffset += 4 + frame.length;
    return onFrame(frame);
  }
}
