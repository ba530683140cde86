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
import { HeaderProtocolId, isHeaderFrame, parseHeaderFrame, type InfoHeaders } from './header.js';
import { ProtocolError } from '../errors.js';

/** How a frame is wrapped: THeader, or a bare `TFramedTransport` length. */
export type Framing = 'header' | 'framed';

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
 * Unwraps one frame (the bytes after its length). `streamOffset` (where the frame's length field
 * sits in the connection's stream) makes error offsets point into the stream.
 *
 * @throws ProtocolError for an empty bare frame or a malformed THeader section.
 */
export function unwrapFrame(frame: Uint8Array, streamOffset = 0): IncomingFrame {
  if (isHeaderFrame(frame)) {
    const header = parseHeaderFrame(frame, streamOffset + 4);
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
    framing: 'framed',
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
