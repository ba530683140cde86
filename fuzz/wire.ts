/**
 * The three ways skiff's server is spoken to, and request encoding in each, with the runtime's
 * own writers and framing (so a valid input is exactly what a client would send):
 *
 * | framing    | what a request is                                      |
 * | ---------- | ------------------------------------------------------ |
 * | `header`   | a THeader frame (length, 0x0FFF, headers, message)     |
 * | `framed`   | a `TFramedTransport` frame (length, message)           |
 * | `buffered` | a bare message (`TBufferedTransport`): no length at all |
 *
 * each with a Compact or a Binary payload.
 */
import { BinaryWriter } from '../runtime/protocol/binary.js';
import { CompactWriter } from '../runtime/protocol/compact.js';
import { beginMessage, finishMessage, headerProtocolId, type Framing, type WireProtocol } from '../runtime/protocol/framing.js';
import { beginHeaderFrame, endFrame, type InfoHeaders } from '../runtime/protocol/header.js';
import type { MessageType } from '../runtime/protocol/types.js';

/** A framing and a payload protocol. */
export interface WireMode {
  readonly framing: Framing;
  readonly protocol: WireProtocol;
}

/** Every mode the server accepts. */
export const WIRE_MODES: readonly WireMode[] = (['header', 'framed', 'buffered'] as const).flatMap((framing) =>
  (['compact', 'binary'] as const).map((protocol) => ({ framing, protocol })),
);

/** `header/compact`, ... for reports. */
export function modeName(mode: WireMode): string {
  return `${mode.framing}/${mode.protocol}`;
}

/** A writer of either protocol: the `Writer` calls plus raw bytes (`writeBytes`). */
export type ProtocolWriter = CompactWriter | BinaryWriter;

/** One request message to encode. */
export interface Message {
  /** The method name on the wire (bare or `Service:method`). */
  readonly name: string;
  readonly type: MessageType;
  readonly seqId: number;
  /** THeader info headers (ignored by the other framings). */
  readonly headers?: InfoHeaders;
  /** Writes the `<method>_args` struct (or anything else: the fuzzer's structural mutations). */
  readonly writeArgs: (w: ProtocolWriter) => void;
}

/** A new writer for `protocol`. */
export function writerFor(protocol: WireProtocol): ProtocolWriter {
  return protocol === 'compact' ? new CompactWriter() : new BinaryWriter();
}

/** The bytes of `message` in `mode`, length field included (none for `buffered`). */
export function encodeMessage(mode: WireMode, message: Message): Uint8Array {
  const w = writerFor(mode.protocol);
  const mark = beginMessage(w, mode.framing, message.seqId, mode.protocol, mode.framing === 'header' ? message.headers : undefined);
  w.writeMessageBegin(message.name, message.type, message.seqId);
  message.writeArgs(w);
  finishMessage(w, mode.framing, mark);
  return Uint8Array.from(w.finish());
}

/** A THeader frame with no payload: a skiff control frame when `headers` names one. */
export function encodeHeaderOnlyFrame(protocol: WireProtocol, seqId: number, headers: InfoHeaders): Uint8Array {
  const w = writerFor(protocol);
  const mark = beginHeaderFrame(w, seqId, headerProtocolId(protocol), headers);
  endFrame(w, mark);
  return Uint8Array.from(w.finish());
}

/** Joins byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
