/**
 * The three framings skiff speaks on one port, told apart by each frame's first bytes:
 *
 * | first bytes after the length | framing                    | payload protocol            |
 * | ---------------------------- | -------------------------- | --------------------------- |
 * | `0F FF`                      | THeader (skiff's native)   | per frame: its protocol id  |
 * | `82`                         | `TFramedTransport`         | Compact (protocol id 0x82)  |
 * | anything else                | `TFramedTransport`         | Binary (strict `80 01`, or the old format's name length) |
 *
 * A reply uses the framing and protocol of its request.
 */
import { beginHeaderFrame, beginPlainFrame, endFrame, HeaderProtocolId, isHeaderFrame, parseHeaderFrame, type HeaderLimits, type InfoHeaders } from './header.js';
import type { ByteWriter } from './writer.js';
import { ProtocolError } from '../errors.js';

/**
 * How messages are wrapped on a connection: THeader frames, bare `TFramedTransport` lengths, or
 * nothing at all (`TBufferedTransport`: each message's end is found by parsing it).
 */
export type Framing = 'header' | 'framed' | 'buffered';

/** A payload protocol. */
export type WireProtocol = 'compact' | 'binary';

/** First byte of a Compact protocol message (its protocol id). */
const COMPACT_PROTOCOL_ID = 0x82;

const NO_HEADERS: InfoHeaders = new Map();

/** A received frame, unwrapped: what its payload is and how to answer it. */
export interface IncomingFrame {
  readonly framing: Framing;
  readonly protocol: WireProtocol;
  /** THeader's sequence number; for a bare frame, `undefined` (the message envelope has it). */
  readonly seqId: number | undefined;
  /** THeader info headers; empty for a bare frame. */
  readonly headers: InfoHeaders;
  /** The Thrift message, or empty for a skiff control frame. */
  readonly payload: Uint8Array;
}

/**
 * Unwraps one frame (the bytes after its length, or a whole message of an unframed `stream`).
 * `streamOffset` (where the frame sits in the connection's stream) makes error offsets point into
 * the stream.
 *
 * @throws ProtocolError for an empty bare frame or a malformed THeader section, or one beyond
 *   `limits` (`SIZE_LIMIT`).
 */
export function unwrapFrame(frame: Uint8Array, streamOffset = 0, stream: 'framed' | 'buffered' = 'framed', limits?: HeaderLimits): IncomingFrame {
  if (stream === 'framed' && isHeaderFrame(frame)) {
    const header = parseHeaderFrame(frame, streamOffset + 4, limits);
    return {
      framing: 'header',
      protocol: header.protocolId === HeaderProtocolId.COMPACT ? 'compact' : 'binary',
      seqId: header.seqId,
      headers: header.headers,
      payload: header.payload,
    };
  }
  if (frame.length === 0) throw new ProtocolError('TRUNCATED', 'empty frame', streamOffset);
  return {
    framing: stream,
    protocol: frame[0] === COMPACT_PROTOCOL_ID ? 'compact' : 'binary',
    seqId: undefined,
    headers: NO_HEADERS,
    payload: frame,
  };
}

/** The THeader protocol id of `protocol`. */
export function headerProtocolId(protocol: WireProtocol): HeaderProtocolId {
  return protocol === 'compact' ? HeaderProtocolId.COMPACT : HeaderProtocolId.BINARY;
}

/**
 * Starts an outgoing message in `framing` at the writer's position: a THeader frame (with
 * `headers`), a bare length, or nothing (buffered). Write the message, then call
 * {@link finishMessage} with the returned mark; to drop a half-written message, set
 * `w.pos = w.start + mark`.
 */
export function beginMessage(
  w: ByteWriter,
  framing: Framing,
  seqId: number,
  protocol: WireProtocol,
  headers?: InfoHeaders,
): number {
  if (framing === 'header') return beginHeaderFrame(w, seqId, headerProtocolId(protocol), headers);
  if (framing === 'framed') return beginPlainFrame(w);
  return w.pos - w.start;
}

/** Completes a message begun by {@link beginMessage} (patches the frame length, if any). */
export function finishMessage(w: ByteWriter, framing: Framing, mark: number): void {
  if (framing !== 'buffered') endFrame(w, mark);
}
