/**
 * BufferedDecoder: unframed Thrift messages cut out of a byte stream by parsing them, for both
 * protocols, under every chunking, with hostile input and the size limit.
 */
import { describe, expect, it } from 'vitest';
import { BinaryWriter, CompactWriter, MessageType, ProtocolError, TType } from '../../runtime/index.js';
import { BufferedDecoder } from '../../runtime/protocol/buffered-decoder.js';
import type { WireProtocol } from '../../runtime/protocol/framing.js';

/** One call message: name, seqid, and an args struct with a string and a list of i32. */
function message(protocol: WireProtocol, seqId: number, text: string, count: number): Uint8Array {
  const w = protocol === 'compact' ? new CompactWriter() : new BinaryWriter();
  w.writeMessageBegin(`m${seqId}`, MessageType.CALL, seqId);
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString(text);
  w.writeFieldBegin(TType.LIST, 2);
  w.writeListBegin(TType.I32, count);
  for (let i = 0; i < count; i++) w.writeI32(i * 1000);
  w.writeFieldStop();
  w.writeStructEnd();
  return Uint8Array.from(w.finish());
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe.each(['binary', 'compact'] as const)('BufferedDecoder (%s)', (protocol) => {
  const messages = [message(protocol, 1, '', 0), message(protocol, 2, 'héllo', 3), message(protocol, 3, 'x'.repeat(300), 40)];
  const stream = concat(messages);

  it('cuts every message out of a stream, whatever the split point', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new BufferedDecoder(protocol);
      const out: string[] = [];
      decoder.push(stream.subarray(0, cut), (m) => out.push(hex(m)));
      decoder.push(stream.subarray(cut), (m) => out.push(hex(m)));
      expect(out).toEqual(messages.map(hex));
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('byte by byte, with offsets of each message in the stream', () => {
    const decoder = new BufferedDecoder(protocol);
    const offsets: number[] = [];
    for (let i = 0; i < stream.length; i++) decoder.push(stream.subarray(i, i + 1), () => offsets.push(decoder.lastFrameOffset));
    expect(offsets).toEqual([0, messages[0]!.length, messages[0]!.length + messages[1]!.length]);
  });

  it('holds messages back while onFrame returns false, then resumes in order', () => {
    const decoder = new BufferedDecoder(protocol);
    const out: string[] = [];
    decoder.push(stream, (m) => (out.push(hex(m)), false));
    expect(out).toEqual([hex(messages[0]!)]);
    decoder.resume((m) => out.push(hex(m)));
    expect(out).toEqual(messages.map(hex));
  });

  it('an incomplete message beyond maxMessageBytes is SIZE_LIMIT, not buffered further', () => {
    const decoder = new BufferedDecoder(protocol, { maxMessageBytes: 100 });
    // 90 bytes of a 300-byte message: under the limit, held.
    decoder.push(messages[2]!.subarray(0, 90), () => {});
    expect(decoder.bufferedBytes).toBe(90);
    let error: unknown;
    try {
      decoder.push(messages[2]!.subarray(90, 150), () => {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toBe('SIZE_LIMIT');
  });

  it('bytes that are not a message are a ProtocolError with the offset in the stream', () => {
    const decoder = new BufferedDecoder(protocol);
    const garbage = protocol === 'compact' ? Uint8Array.of(0x82, 0x7f, 0, 0, 0) : Uint8Array.of(0x80, 0x02, 0, 1, 0, 0, 0, 0);
    const out: Uint8Array[] = [];
    let error: unknown;
    try {
      decoder.push(concat([messages[0]!, garbage]), (m) => out.push(m));
    } catch (e) {
      error = e;
    }
    expect(out).toHaveLength(1);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).offset).toBeGreaterThanOrEqual(messages[0]!.length);
    expect((error as ProtocolError).reason).not.toBe('TRUNCATED');
  });
});
