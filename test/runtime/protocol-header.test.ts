/**
 * THeader frames (runtime/protocol/header.ts) and per-frame framing detection
 * (runtime/protocol/framing.ts): round trips through FrameDecoder + unwrapFrame, exact bytes
 * hand-computed from Apache Thrift's doc/specs/HeaderFormat.md, header strings of every size
 * class, and hostile frames (each a ProtocolError with its reason and byte offset).
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../runtime/errors.js';
import { BinaryReader, BinaryWriter } from '../../runtime/protocol/binary.js';
import { CompactReader, CompactWriter } from '../../runtime/protocol/compact.js';
import { FrameDecoder } from '../../runtime/protocol/frame-decoder.js';
import { headerProtocolId, unwrapFrame, type WireProtocol } from '../../runtime/protocol/framing.js';
import {
  HEADER_MAGIC,
  HeaderProtocolId,
  beginHeaderFrame,
  beginPlainFrame,
  endFrame,
  isHeaderFrame,
  parseHeaderFrame,
  type InfoHeaders,
} from '../../runtime/protocol/header.js';
import { MessageType, TType, type Reader, type Writer } from '../../runtime/protocol/types.js';
import { fromHex, protocolError, toHex } from './protocol-test-kit.js';

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

function writerFor(protocol: WireProtocol): CompactWriter | BinaryWriter {
  return protocol === 'compact' ? new CompactWriter() : new BinaryWriter();
}

function readerFor(protocol: WireProtocol, bytes: Uint8Array): Reader {
  return protocol === 'compact' ? new CompactReader(bytes) : new BinaryReader(bytes);
}

/** A small call: `name(1: string text, 2: i32 count)`. */
function writeCall(w: Writer, name: string, seqId: number, text: string, count: number): void {
  w.writeMessageBegin(name, MessageType.CALL, seqId);
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString(text);
  w.writeFieldBegin(TType.I32, 2);
  w.writeI32(count);
  w.writeFieldStop();
  w.writeStructEnd();
}

function readCall(r: Reader): { name: string; seqId: number; text: string; count: number } {
  const { name, type, seqId } = r.readMessageBegin();
  expect(type).toBe(MessageType.CALL);
  let text = '';
  let count = 0;
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    if (r.fieldId === 1 && t === TType.STRING) text = r.readString();
    else if (r.fieldId === 2 && t === TType.I32) count = r.readI32();
    else r.skip(t);
  }
  r.readStructEnd();
  r.expectEnd();
  return { name, seqId, text, count };
}

/** All frames of `stream`, as FrameDecoder hands them out, each with its stream offset. */
function decodeStream(stream: Uint8Array): { frame: Uint8Array; offset: number }[] {
  const decoder = new FrameDecoder();
  const frames: { frame: Uint8Array; offset: number }[] = [];
  decoder.push(stream, (frame) => frames.push({ frame, offset: decoder.lastFrameOffset }));
  expect(decoder.bufferedBytes).toBe(0);
  return frames;
}

/** A frame (with its length) holding `header` (hex of the header section) and `payload` (hex). */
function rawFrame(seqId: string, sectionHex: string, payloadHex = '', flags = '0000'): Uint8Array {
  const section = fromHex(sectionHex);
  expect(section.length % 4).toBe(0);
  const body = fromHex(`0fff${flags}${seqId}${(section.length / 4).toString(16).padStart(4, '0')}${sectionHex}${payloadHex}`);
  return Uint8Array.from([...fromHex(body.length.toString(16).padStart(8, '0')), ...body]);
}

describe('THeader round trip: beginHeaderFrame + message + endFrame -> FrameDecoder + unwrapFrame', () => {
  const headerSets: readonly [string, InfoHeaders][] = [
    ['no headers', new Map()],
    ['one header', new Map([['skiff-timeout-ms', '250']])],
    ['empty key and value', new Map([['', '']])],
    [
      'several, order kept',
      new Map([
        ['skiff-features', 'control'],
        ['trace-id', '4bf92f3577b34da6a3ce929d0e0e4736'],
        ['tenant', 'acme'],
      ]),
    ],
    ['non-ASCII', new Map([['ключ', 'значение'], ['emoji 😀', '𝔸 𠜎 é'], ['nul', '\u0000']])],
  ];
  const seqIds = [0, 1, -1, 7, I32_MIN, I32_MAX, 0x12345678];

  describe.each(['compact', 'binary'] as const)('%s', (protocol) => {
    it.each(headerSets)('%s, every seqid', (_name, headers) => {
      const w = writerFor(protocol);
      const marks: number[] = [];
      for (const seqId of seqIds) {
        const mark = beginHeaderFrame(w, seqId, headerProtocolId(protocol), headers);
        marks.push(mark);
        writeCall(w, 'getUser', seqId, `text ${seqId}`, seqId);
        const total = endFrame(w, mark);
        expect(total).toBe(w.length - mark);
      }
      const frames = decodeStream(w.finish());
      expect(frames.map((f) => f.offset)).toEqual(marks);
      frames.forEach(({ frame, offset }, i) => {
        const seqId = seqIds[i]!;
        const incoming = unwrapFrame(frame, offset);
        expect(incoming.framing).toBe('header');
        expect(incoming.protocol).toBe(protocol);
        expect(incoming.seqId).toBe(seqId);
        expect([...incoming.headers]).toEqual([...headers]);
        expect(readCall(readerFor(protocol, incoming.payload))).toEqual({ name: 'getUser', seqId, text: `text ${seqId}`, count: seqId });
        const parsed = parseHeaderFrame(frame);
        expect(parsed.flags).toBe(0);
        expect(parsed.protocolId).toBe(headerProtocolId(protocol));
        // The payload is a view of the frame, not a copy.
        expect(parsed.payload.buffer).toBe(frame.buffer);
      });
    });
  });

  it('a control frame: empty payload', () => {
    const w = new CompactWriter();
    endFrame(w, beginHeaderFrame(w, 9, HeaderProtocolId.COMPACT, new Map([['skiff-control', 'ping']])));
    const [only] = decodeStream(w.finish());
    const incoming = unwrapFrame(only!.frame);
    expect(incoming.payload.length).toBe(0);
    expect(incoming.headers.get('skiff-control')).toBe('ping');
    expect(incoming.seqId).toBe(9);
  });

  it('frames after earlier output, across finish()/reset() and buffer growth', () => {
    const w = new CompactWriter({ initialBytes: 16 });
    w.writeBytes(fromHex('deadbeef')); // unrelated bytes before the frame: the mark is relative to start
    const big = 'x'.repeat(5000); // forces the buffer to grow between begin and end
    const mark = beginHeaderFrame(w, 3, HeaderProtocolId.COMPACT, new Map([['k', 'v']]));
    expect(mark).toBe(4);
    writeCall(w, 'm', 3, big, 1);
    endFrame(w, mark);
    const first = w.finish();
    w.reset();
    const mark2 = beginHeaderFrame(w, 4, HeaderProtocolId.BINARY);
    expect(mark2).toBe(0);
    w.writeBytes(fromHex('aabb'));
    endFrame(w, mark2);
    const second = w.finish();
    const frames = decodeStream(Uint8Array.from([...first.subarray(4), ...second]));
    expect(frames).toHaveLength(2);
    expect(readCall(new CompactReader(unwrapFrame(frames[0]!.frame).payload)).text).toBe(big);
    expect(toHex(unwrapFrame(frames[1]!.frame).payload)).toBe('aabb');
  });

  it('later duplicates of a key win on read', () => {
    const frame = rawFrame('00000001', '02000102' + '016b0161' + '016b0162');
    expect([...parseHeaderFrame(frame.subarray(4)).headers]).toEqual([['k', 'b']]);
  });

  it('limits: header section size and header count are checked before any header is decoded', () => {
    const frame = rawFrame('00000001', '0200' + '0102' + '016b0161' + '016c0162').subarray(4);
    expect(parseHeaderFrame(frame, 0, { maxHeaderBytes: 16, maxHeaders: 2 }).headers.size).toBe(2);
    const tooBig = protocolError(() => parseHeaderFrame(frame, 0, { maxHeaderBytes: 8 }));
    expect([tooBig.reason, tooBig.offset, tooBig.message]).toEqual(['SIZE_LIMIT', 8, 'THeader header section of 12 bytes exceeds the limit of 8 at offset 8']);
    const tooMany = protocolError(() => parseHeaderFrame(frame, 0, { maxHeaders: 1 }));
    expect([tooMany.reason, tooMany.offset]).toEqual(['SIZE_LIMIT', 12]);
    expect(protocolError(() => unwrapFrame(frame, 100, 'framed', { maxHeaders: 1 })).offset).toBe(116);
  });

  it('FLAGS are read and otherwise ignored', () => {
    const frame = rawFrame('00000005', '02000000', 'ff', '0001');
    const parsed = parseHeaderFrame(frame.subarray(4));
    expect(parsed.flags).toBe(1);
    expect(parsed.seqId).toBe(5);
    expect(toHex(parsed.payload)).toBe('ff');
  });

  it('an info section identical to the last one parsed gives back the same read-only map', () => {
    const a = rawFrame('00000001', '0200' + '0101' + '016b0161').subarray(4);
    const b = rawFrame('00000002', '0200' + '0101' + '016b0162').subarray(4);
    const first = parseHeaderFrame(a).headers;
    const again = parseHeaderFrame(Uint8Array.from(a)).headers;
    expect(again).toBe(first);
    expect([...again]).toEqual([['k', 'a']]);
    const other = parseHeaderFrame(b).headers;
    expect(other).not.toBe(first);
    expect([...other]).toEqual([['k', 'b']]);
    expect([...parseHeaderFrame(a).headers]).toEqual([['k', 'a']]);
  });

  it('headers encoded again (the same map) or anew (another map) both give their own bytes', () => {
    const deadline: InfoHeaders = new Map([['skiff-timeout-ms', '250']]);
    const other: InfoHeaders = new Map([['skiff-timeout-ms', '999']]);
    const w = new CompactWriter();
    for (const headers of [deadline, deadline, other, deadline]) endFrame(w, beginHeaderFrame(w, 1, HeaderProtocolId.COMPACT, headers));
    const frames = decodeStream(w.finish()).map(({ frame }) => toHex(frame));
    expect(frames[1]).toBe(frames[0]);
    expect(frames[3]).toBe(frames[0]);
    expect(frames[2]).not.toBe(frames[0]);
    expect(decodeStream(fromHex(frames.map((f) => (f.length / 2).toString(16).padStart(8, '0') + f).join(''))).map(({ frame }) => unwrapFrame(frame).headers.get('skiff-timeout-ms'))).toEqual(['250', '250', '999', '250']);
  });

  it('several info sections, and a KEYVALUE section with zero pairs', () => {
    const frame = rawFrame('00000001', '0200' + '0100' + '0101' + '01610162' + '0101' + '01630164');
    expect([...parseHeaderFrame(frame.subarray(4)).headers]).toEqual([['a', 'b'], ['c', 'd']]);
  });
});

describe('THeader exact bytes (hand-computed from HeaderFormat.md)', () => {
  const cases: { name: string; seqId: number; protocolId: HeaderProtocolId; headers: InfoHeaders; payload: string; hex: string }[] = [
    {
      name: 'one header, padded by 3',
      seqId: 1,
      protocolId: HeaderProtocolId.COMPACT,
      headers: new Map([['ab', 'c']]),
      payload: 'aabb',
      // LENGTH 24 | magic | flags 0 | seqid 1 | header size 3 words (12 bytes) |
      // proto 2, 0 transforms, info type 1, 1 pair, "ab", "c", 3 zero bytes | payload
      hex: '00000018 0fff 0000 00000001 0003 02 00 01 01 02 6162 01 63 000000 aabb',
    },
    {
      name: 'no headers: protocol id, 0 transforms, 2 bytes padding',
      seqId: 0x01020304,
      protocolId: HeaderProtocolId.BINARY,
      headers: new Map(),
      payload: '',
      hex: '0000000e 0fff 0000 01020304 0001 00 00 0000',
    },
    {
      name: 'section exactly a multiple of 4: no padding',
      seqId: -1,
      protocolId: HeaderProtocolId.COMPACT,
      headers: new Map([['k', 'v']]),
      payload: '82',
      hex: '00000013 0fff 0000 ffffffff 0002 02 00 01 01 016b 0176 82',
    },
    {
      name: 'non-ASCII: lengths count UTF-8 bytes',
      seqId: 2,
      protocolId: HeaderProtocolId.COMPACT,
      headers: new Map([['é', '😀']]),
      payload: '',
      // 02 00 01 01 | 02 c3a9 | 04 f09f9880 = 12 bytes, no padding
      hex: '00000016 0fff 0000 00000002 0003 02 00 01 01 02 c3a9 04 f09f9880',
    },
    {
      name: 'a 200-byte value: two-byte varint length',
      seqId: 3,
      protocolId: HeaderProtocolId.COMPACT,
      headers: new Map([['k', 'v'.repeat(200)]]),
      payload: '',
      // 02 00 01 01 | 01 6b | c8 01 + 200 bytes = 208 bytes = 52 words, no padding
      hex: `000000da 0fff 0000 00000003 0034 02 00 01 01 01 6b c801 ${'76'.repeat(200)}`,
    },
  ];

  it.each(cases)('$name', ({ seqId, protocolId, headers, payload, hex }) => {
    const w = new CompactWriter();
    const mark = beginHeaderFrame(w, seqId, protocolId, headers);
    w.writeBytes(fromHex(payload));
    const total = endFrame(w, mark);
    const bytes = w.finish();
    expect(toHex(bytes)).toBe(hex.replace(/\s+/g, ''));
    expect(total).toBe(bytes.length);
    const parsed = parseHeaderFrame(bytes.subarray(4));
    expect(parsed).toEqual({ flags: 0, seqId, protocolId, headers, payload: fromHex(payload) });
  });

  it('a plain TFramedTransport frame is just the length', () => {
    const w = new CompactWriter();
    const mark = beginPlainFrame(w);
    w.writeBytes(fromHex('8221'));
    expect(endFrame(w, mark)).toBe(6);
    expect(toHex(w.finish())).toBe('000000028221');
  });

  it('HEADER_MAGIC is 0x0FFF', () => {
    expect(HEADER_MAGIC).toBe(0x0fff);
    expect(HeaderProtocolId).toEqual({ BINARY: 0, COMPACT: 2 });
  });
});

describe('THeader header strings of every size class', () => {
  const strings: readonly [string, string][] = [
    ['ASCII, 42 chars (last one-byte-length fast path)', 'a'.repeat(42)],
    ['ASCII, 43 chars', 'a'.repeat(43)],
    ['ASCII, 127 bytes (largest one-byte varint)', 'b'.repeat(127)],
    ['ASCII, 128 bytes (smallest two-byte varint)', 'c'.repeat(128)],
    ['3-byte chars, 42 x 3 = 126 bytes', '語'.repeat(42)],
    ['3-byte chars, 43 x 3 = 129 bytes', '語'.repeat(43)],
    ['2-byte chars, 64 x 2 = 128 bytes', 'é'.repeat(64)],
    ['astral, 32 x 4 = 128 bytes', '😀'.repeat(32)],
    ['mixed, long', `trace ${'🙂é語x'.repeat(100)}`],
    ['16 KiB', 'z'.repeat(16 * 1024)],
    ['three-byte varint (20000 bytes)', 'q'.repeat(20_000)],
  ];

  it.each(strings)('%s, as key and as value', (_name, text) => {
    const w = new BinaryWriter();
    const headers = new Map([
      [text, 'v'],
      ['k', text],
    ]);
    const mark = beginHeaderFrame(w, 11, HeaderProtocolId.BINARY, headers);
    writeCall(w, 'm', 11, 't', 1);
    endFrame(w, mark);
    const [only] = decodeStream(w.finish());
    const incoming = unwrapFrame(only!.frame);
    expect([...incoming.headers]).toEqual([...headers]);
    expect(readCall(new BinaryReader(incoming.payload)).seqId).toBe(11);
  });

  it('lone surrogates are written as U+FFFD, on both paths', () => {
    for (const text of ['\ud800', `${'x'.repeat(50)}\udc00`]) {
      const w = new CompactWriter();
      endFrame(w, beginHeaderFrame(w, 0, HeaderProtocolId.COMPACT, new Map([['k', text]])));
      const parsed = parseHeaderFrame(w.finish().subarray(4));
      expect(parsed.headers.get('k')).toBe(text.replace(/[\ud800-\udfff]/, '\ufffd'));
    }
  });

  it('headers larger than the 16-bit word count allows are refused when writing', () => {
    const w = new CompactWriter();
    expect(() => beginHeaderFrame(w, 0, HeaderProtocolId.COMPACT, new Map([['k', 'x'.repeat(0xffff * 4)]]))).toThrow(RangeError);
    expect(w.length).toBe(0);
    // The largest that fits: 262140 bytes of section.
    const fits = 0xffff * 4 - (2 + 2 + 2 + 3); // proto, transforms, type, count, key "k" (2), value varint (3)
    const mark = beginHeaderFrame(w, 0, HeaderProtocolId.COMPACT, new Map([['k', 'x'.repeat(fits)]]));
    endFrame(w, mark);
    const frame = w.finish().subarray(4);
    expect(toHex(frame.subarray(8, 10))).toBe('ffff');
    expect(parseHeaderFrame(frame).headers.get('k')).toHaveLength(fits);
  });
});

describe('hostile THeader frames: ProtocolError with reason and offset', () => {
  // Each `frame` is the bytes after the length field. Offsets are relative to it.
  const head = (section: string, words?: number) =>
    `0fff 0000 00000001 ${(words ?? fromHex(section).length / 4).toString(16).padStart(4, '0')} ${section}`;
  const cases: { name: string; frame: string; reason: ProtocolError['reason']; offset: number }[] = [
    { name: 'empty frame', frame: '', reason: 'TRUNCATED', offset: 0 },
    { name: 'fixed part truncated (9 of 10 bytes)', frame: '0fff 0000 00000001 00', reason: 'TRUNCATED', offset: 0 },
    { name: 'bad magic', frame: '0ffe 0000 00000001 0001 02000000', reason: 'BAD_VERSION', offset: 0 },
    { name: 'header section overruns the frame', frame: head('02000000', 2), reason: 'TRUNCATED', offset: 8 },
    { name: 'header size 0xffff words in a small frame', frame: head('', 0xffff), reason: 'TRUNCATED', offset: 8 },
    { name: 'empty header section (no protocol id)', frame: head('', 0), reason: 'TRUNCATED', offset: 10 },
    { name: 'unknown protocol id 1 (JSON)', frame: head('01000000'), reason: 'BAD_VERSION', offset: 10 },
    { name: 'unknown protocol id 0x82', frame: head('82010000'), reason: 'BAD_VERSION', offset: 10 },
    { name: 'a transform (zlib)', frame: head('02010100'), reason: 'INVALID_VALUE', offset: 11 },
    { name: 'a transform count with the id missing', frame: head('0201' + '0000'), reason: 'INVALID_VALUE', offset: 11 },
    { name: 'header count that cannot fit', frame: head('02000105'), reason: 'TRUNCATED', offset: 12 },
    { name: 'header count of 3 in 4 bytes', frame: head('02000103 00000000'), reason: 'TRUNCATED', offset: 12 },
    { name: 'header count of 2^31-1', frame: head('020001ff ffffff07 00000000'), reason: 'TRUNCATED', offset: 12 },
    { name: 'count varint runs past the section', frame: head('02000181'), reason: 'TRUNCATED', offset: 13 },
    { name: 'key longer than the section', frame: head('02000101 05610000'), reason: 'TRUNCATED', offset: 14 },
    { name: 'value longer than the section', frame: head('02000101 01610261'), reason: 'TRUNCATED', offset: 16 },
    { name: 'key not UTF-8 (0xff)', frame: head('02000101 01ff0000'), reason: 'INVALID_UTF8', offset: 15 },
    { name: 'value is a lone surrogate in UTF-8 (ed a0 80)', frame: head('02000101 016b03ed a0800000'), reason: 'INVALID_UTF8', offset: 17 },
    { name: 'key is an overlong encoding (c0 af)', frame: head('02000101 02c0af00'), reason: 'INVALID_UTF8', offset: 15 },
    { name: 'protocol id varint longer than 5 bytes', frame: head('80808080 80000000'), reason: 'INVALID_VARINT', offset: 10 },
    { name: 'protocol id varint beyond i32', frame: head('ffffffff 0f000000'), reason: 'INVALID_VARINT', offset: 10 },
    { name: 'string length varint longer than 5 bytes', frame: head('02000101 80808080 80800000'), reason: 'INVALID_VARINT', offset: 14 },
  ];

  it.each(cases)('$name -> $reason at $offset', ({ frame, reason, offset }) => {
    const bytes = fromHex(frame);
    const direct = protocolError(() => parseHeaderFrame(bytes));
    expect({ reason: direct.reason, offset: direct.offset, code: direct.code }).toEqual({ reason, offset, code: 'PROTOCOL' });
    expect(direct.message).toContain(`at offset ${offset}`);
    // Offsets shift by the frame's place in the stream.
    expect(protocolError(() => parseHeaderFrame(bytes, 1000)).offset).toBe(1000 + offset);
    if (isHeaderFrame(bytes)) {
      // unwrapFrame takes the offset of the length field: the frame starts 4 bytes later.
      const unwrapped = protocolError(() => unwrapFrame(bytes, 1000));
      expect({ reason: unwrapped.reason, offset: unwrapped.offset }).toEqual({ reason, offset: 1004 + offset });
    }
  });

  it('every truncation of a valid frame is either a shorter valid frame or a ProtocolError', () => {
    const w = new CompactWriter();
    const mark = beginHeaderFrame(w, 5, HeaderProtocolId.COMPACT, new Map([['skiff-timeout-ms', '100'], ['ключ', '😀']]));
    writeCall(w, 'm', 5, 't', 1);
    endFrame(w, mark);
    const frame = w.finish().subarray(4);
    const sectionEnd = 10 + ((frame[8]! << 8) | frame[9]!) * 4;
    for (let cut = 0; cut < frame.length; cut++) {
      const short = frame.subarray(0, cut);
      if (cut >= sectionEnd) {
        expect(parseHeaderFrame(short).payload.length).toBe(cut - sectionEnd);
      } else {
        const error = protocolError(() => parseHeaderFrame(short));
        expect(error.reason).toBe('TRUNCATED');
        expect(error.offset).toBe(cut < 10 ? 0 : 8);
      }
    }
  });

  it('every single-byte corruption of the header section is parsed or refused, never anything else', () => {
    const w = new CompactWriter();
    const mark = beginHeaderFrame(w, 5, HeaderProtocolId.COMPACT, new Map([['ab', 'cd'], ['é', 'x']]));
    endFrame(w, mark);
    const frame = w.finish().subarray(4);
    for (let at = 0; at < frame.length; at++) {
      for (const value of [0x00, 0x01, 0x02, 0x7f, 0x80, 0xc3, 0xff]) {
        const bad = Uint8Array.from(frame);
        bad[at] = value;
        try {
          parseHeaderFrame(bad);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          const { offset } = error as ProtocolError;
          expect(offset).toBeGreaterThanOrEqual(0);
          // At most the end of the frame: where a missing value would have started.
          expect(offset).toBeLessThanOrEqual(frame.length);
        }
      }
    }
  });
});

describe('framing detection: THeader and TFramedTransport on one port', () => {
  const cases: { name: string; protocol: WireProtocol; write: () => CompactWriter | BinaryWriter }[] = [
    { name: 'framed compact (0x82)', protocol: 'compact', write: () => new CompactWriter() },
    { name: 'framed strict binary (0x80 0x01)', protocol: 'binary', write: () => new BinaryWriter() },
    { name: 'framed old non-strict binary (name length first)', protocol: 'binary', write: () => new BinaryWriter({ strictWrite: false }) },
  ];

  it.each(cases)('$name', ({ protocol, write }) => {
    const w = write();
    const mark = beginPlainFrame(w);
    writeCall(w, 'lookup', -7, 'q', 3);
    endFrame(w, mark);
    const stream = w.finish();
    const [only] = decodeStream(stream);
    const incoming = unwrapFrame(only!.frame, only!.offset);
    expect(incoming).toEqual({ framing: 'framed', protocol, seqId: undefined, headers: new Map(), payload: stream.subarray(4) });
    expect(isHeaderFrame(only!.frame)).toBe(false);
    expect(readCall(readerFor(protocol, incoming.payload))).toEqual({ name: 'lookup', seqId: -7, text: 'q', count: 3 });
  });

  it('first bytes decide, frame by frame, in one stream', () => {
    const w = new CompactWriter();
    const parts: Uint8Array[] = [];
    for (const [framing, protocol] of [
      ['header', 'compact'],
      ['framed', 'binary'],
      ['header', 'binary'],
      ['framed', 'compact'],
    ] as const) {
      const inner = writerFor(protocol);
      const mark = framing === 'header' ? beginHeaderFrame(inner, 1, headerProtocolId(protocol)) : beginPlainFrame(inner);
      writeCall(inner, framing, 1, protocol, 0);
      endFrame(inner, mark);
      parts.push(inner.finish());
    }
    for (const part of parts) w.writeBytes(part);
    const found = decodeStream(w.finish()).map(({ frame }) => {
      const incoming = unwrapFrame(frame);
      const call = readCall(readerFor(incoming.protocol, incoming.payload));
      return [incoming.framing, incoming.protocol, call.name, call.text];
    });
    expect(found).toEqual([
      ['header', 'compact', 'header', 'compact'],
      ['framed', 'binary', 'framed', 'binary'],
      ['header', 'binary', 'header', 'binary'],
      ['framed', 'compact', 'framed', 'compact'],
    ]);
  });

  it('isHeaderFrame needs both magic bytes', () => {
    expect(isHeaderFrame(fromHex(''))).toBe(false);
    expect(isHeaderFrame(fromHex('0f'))).toBe(false);
    expect(isHeaderFrame(fromHex('0fff'))).toBe(true);
    expect(isHeaderFrame(fromHex('0ffe'))).toBe(false);
    expect(isHeaderFrame(fromHex('ffff'))).toBe(false);
  });

  it('an empty bare frame is TRUNCATED at the frame length field', () => {
    const error = protocolError(() => unwrapFrame(new Uint8Array(0), 40));
    expect({ reason: error.reason, offset: error.offset }).toEqual({ reason: 'TRUNCATED', offset: 40 });
  });

  it('headerProtocolId maps both protocols', () => {
    expect(headerProtocolId('compact')).toBe(HeaderProtocolId.COMPACT);
    expect(headerProtocolId('binary')).toBe(HeaderProtocolId.BINARY);
  });
});
