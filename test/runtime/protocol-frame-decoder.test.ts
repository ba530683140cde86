/**
 * FrameDecoder (runtime/protocol/frame-decoder.ts): frames out of chunks of any size, at every
 * split point; the size limit enforced from the length field alone (before the body arrives);
 * offsets into the stream; bounded buffering; a fast-check property over random frames and
 * random chunking.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../runtime/errors.js';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, type FrameDecoderOptions } from '../../runtime/protocol/frame-decoder.js';
import { fromHex, protocolError, toHex } from './protocol-test-kit.js';

/** A stream of length-prefixed frames. */
function streamOf(frames: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + 4 + f.length, 0));
  let p = 0;
  for (const frame of frames) {
    new DataView(out.buffer).setUint32(p, frame.length);
    out.set(frame, p + 4);
    p += 4 + frame.length;
  }
  return out;
}

interface Received {
  readonly hex: string;
  readonly offset: number;
}

/** Feeds `chunks` (each a fresh copy, as sockets deliver them) and returns every frame with its offset. */
function feed(chunks: readonly Uint8Array[], options: FrameDecoderOptions = {}): { frames: Received[]; decoder: FrameDecoder } {
  const decoder = new FrameDecoder(options);
  const frames: Received[] = [];
  for (const chunk of chunks) {
    decoder.push(Uint8Array.from(chunk), (frame) => frames.push({ hex: toHex(frame), offset: decoder.lastFrameOffset }));
  }
  return { frames, decoder };
}

/** `stream` cut at the given (sorted, distinct) positions. */
function cut(stream: Uint8Array, at: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, stream.length]) {
    chunks.push(stream.subarray(from, to));
    from = to;
  }
  return chunks;
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** Frames of sizes that exercise every path: empty, tiny, smaller and larger than a length field. */
const FRAMES = [bytes(0, 0), bytes(1, 1), bytes(3, 2), bytes(0, 3), bytes(4, 4), bytes(5, 5), bytes(300, 6), bytes(0, 7), bytes(2, 8)];
const STREAM = streamOf(FRAMES);
const EXPECTED: Received[] = (() => {
  let offset = 0;
  return FRAMES.map((frame) => {
    const received = { hex: toHex(frame), offset };
    offset += 4 + frame.length;
    return received;
  });
})();

describe('FrameDecoder: reassembly', () => {
  it('several frames in one chunk, as views of the chunk (no copy)', () => {
    const decoder = new FrameDecoder();
    const views: Uint8Array[] = [];
    decoder.push(STREAM, (frame) => views.push(frame));
    expect(views.map(toHex)).toEqual(FRAMES.map(toHex));
    for (const view of views) expect(view.buffer).toBe(STREAM.buffer);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('every split point into two chunks yields the same frames and offsets', () => {
    for (let at = 0; at <= STREAM.length; at++) {
      expect(feed(cut(STREAM, [at])).frames, `split at ${at}`).toEqual(EXPECTED);
    }
  });

  it('every pair of split points near the length fields yields the same frames', () => {
    // Three chunks, the first two cuts within 8 bytes of each other: covers a length field split
    // in three, and a frame's body split while the next length is split too.
    for (let a = 0; a <= STREAM.length; a++) {
      for (let b = a; b <= Math.min(STREAM.length, a + 8); b++) {
        expect(feed(cut(STREAM, [a, b])).frames, `splits at ${a}, ${b}`).toEqual(EXPECTED);
      }
    }
  });

  it('byte-by-byte feeding yields the same frames', () => {
    const chunks = Array.from(STREAM, (byte) => Uint8Array.of(byte));
    const { frames, decoder } = feed(chunks);
    expect(frames).toEqual(EXPECTED);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('empty chunks are harmless', () => {
    expect(feed([new Uint8Array(0), STREAM.subarray(0, 6), new Uint8Array(0), STREAM.subarray(6)]).frames).toEqual(EXPECTED);
  });

  it('zero-length frames: alone, in a row, and split mid-length', () => {
    expect(feed([fromHex('00000000')]).frames).toEqual([{ hex: '', offset: 0 }]);
    expect(feed([fromHex('00000000 00000000 00000000')]).frames).toEqual([
      { hex: '', offset: 0 },
      { hex: '', offset: 4 },
      { hex: '', offset: 8 },
    ]);
    expect(feed([fromHex('000000'), fromHex('00 000000'), fromHex('01ab')]).frames).toEqual([
      { hex: '', offset: 0 },
      { hex: 'ab', offset: 4 },
    ]);
  });

  it('a frame split across chunks is copied once it is whole: later chunks cannot change it', () => {
    const decoder = new FrameDecoder();
    const seen: Uint8Array[] = [];
    const first = fromHex('00000004 0102');
    const second = fromHex('0304');
    decoder.push(first, (frame) => seen.push(frame));
    decoder.push(second, (frame) => seen.push(frame));
    expect(seen.map(toHex)).toEqual(['01020304']);
    expect(seen[0]!.buffer).not.toBe(first.buffer);
    expect(seen[0]!.buffer).not.toBe(second.buffer);
  });

  it('bufferedBytes counts what is held, never more than one frame plus a partial length', () => {
    const maxFrameBytes = 1000;
    const frames = [bytes(1000, 1), bytes(0, 2), bytes(999, 3), bytes(7, 4)];
    const stream = streamOf(frames);
    for (const chunkSize of [1, 3, 4, 5, 7, 64, 1003, 1005]) {
      const decoder = new FrameDecoder({ maxFrameBytes });
      let pushed = 0;
      let delivered = 0;
      for (let from = 0; from < stream.length; from += chunkSize) {
        const chunk = stream.subarray(from, from + chunkSize);
        decoder.push(chunk, (frame) => (delivered += 4 + frame.length));
        pushed += chunk.length;
        const held = pushed - delivered;
        // Held bytes are a partial length (< 4), or a complete length (not counted) plus a partial body.
        expect(decoder.bufferedBytes).toBe(held < 4 ? held : held - 4);
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(maxFrameBytes + 3);
      }
      expect(delivered).toBe(stream.length);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });
});

describe('FrameDecoder: holding back frames for an overloaded owner', () => {
  it('stops after a frame whose onFrame returns false and resumes with the rest, in order', () => {
    const decoder = new FrameDecoder();
    const seen: string[] = [];
    let budget = 2;
    const onFrame = (frame: Uint8Array): boolean => {
      seen.push(toHex(frame));
      return --budget > 0;
    };
    decoder.push(STREAM, onFrame);
    expect(seen).toEqual(EXPECTED.slice(0, 2).map((f) => f.hex));
    expect(decoder.bufferedBytes).toBe(STREAM.length - (4 + FRAMES[0]!.length) - (4 + FRAMES[1]!.length));
    // A push while bytes are held queues its bytes behind them and goes on with the held ones.
    decoder.push(streamOf([bytes(6, 9)]), onFrame);
    expect(seen).toEqual(EXPECTED.slice(0, 3).map((f) => f.hex));
    budget = 2;
    decoder.resume(onFrame);
    expect(seen).toEqual(EXPECTED.slice(0, 5).map((f) => f.hex));
    budget = Infinity;
    decoder.resume(onFrame);
    expect(seen).toEqual([...EXPECTED.map((f) => f.hex), toHex(bytes(6, 9))]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('holds back after a frame reassembled from several chunks too', () => {
    const decoder = new FrameDecoder();
    const seen: number[] = [];
    const onFrame = (frame: Uint8Array): boolean => (seen.push(frame.length), false);
    const stream = streamOf([bytes(300, 1), bytes(2, 2)]);
    decoder.push(stream.subarray(0, 100), onFrame);
    decoder.push(stream.subarray(100), onFrame);
    expect(seen).toEqual([300]);
    decoder.resume(onFrame);
    expect(seen).toEqual([300, 2]);
  });
});

describe('FrameDecoder: limits', () => {
  it('defaults to 16 MiB', () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(16 * 1024 * 1024);
    const decoder = new FrameDecoder();
    expect(decoder.maxFrameBytes).toBe(DEFAULT_MAX_FRAME_BYTES);
    const error = protocolError(() => decoder.push(fromHex('01000001'), () => {}));
    expect({ reason: error.reason, offset: error.offset }).toEqual({ reason: 'SIZE_LIMIT', offset: 0 });
  });

  it('a length over maxFrameBytes throws SIZE_LIMIT from the 4 length bytes alone, with the stream offset', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    const frames: string[] = [];
    // Two good frames (offsets 0 and 7), then the length of a 101-byte frame at offset 11.
    decoder.push(fromHex('00000003 aabbcc 00000000'), (f) => frames.push(toHex(f)));
    const error = protocolError(() => decoder.push(fromHex('00000065'), () => {}));
    expect({ reason: error.reason, offset: error.offset, code: error.code }).toEqual({ reason: 'SIZE_LIMIT', offset: 11, code: 'PROTOCOL' });
    expect(error.message).toContain('101');
    expect(frames).toEqual(['aabbcc', '']);
  });

  it('SIZE_LIMIT also when the length field arrives in pieces', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    decoder.push(fromHex('00000001 ff 00'), () => {});
    decoder.push(fromHex('00'), () => {});
    expect(decoder.bufferedBytes).toBe(2);
    const error = protocolError(() => decoder.push(fromHex('ffff'), () => {}));
    expect({ reason: error.reason, offset: error.offset }).toEqual({ reason: 'SIZE_LIMIT', offset: 5 });
  });

  it('a huge length never allocates: SIZE_LIMIT for 0x7fffffff', () => {
    const error = protocolError(() => new FrameDecoder().push(fromHex('7fffffff'), () => {}));
    expect(error.reason).toBe('SIZE_LIMIT');
  });

  it('exactly maxFrameBytes is accepted', () => {
    const frame = bytes(100, 9);
    expect(feed([streamOf([frame])], { maxFrameBytes: 100 }).frames).toEqual([{ hex: toHex(frame), offset: 0 }]);
    expect(feed(cut(streamOf([frame]), [2, 50]), { maxFrameBytes: 100 }).frames).toEqual([{ hex: toHex(frame), offset: 0 }]);
  });

  it.each([
    ['unframed strict binary (80 01 00 01 ...)', '80010001 00000004 6e616d65 00000000'],
    ['unframed compact (82 21 ...)', '82210100 046e616d 6500'],
    ['0x80000000', '80000000'],
    ['0xffffffff', 'ffffffff'],
  ])('a length with its top bit set throws NEGATIVE_LENGTH: %s', (_name, hex) => {
    const error = protocolError(() => new FrameDecoder().push(fromHex(hex), () => {}));
    expect({ reason: error.reason, offset: error.offset }).toEqual({ reason: 'NEGATIVE_LENGTH', offset: 0 });
  });

  it('NEGATIVE_LENGTH carries the offset of the offending length field', () => {
    const decoder = new FrameDecoder();
    decoder.push(fromHex('00000002 0102 80'), () => {});
    const error = protocolError(() => decoder.push(fromHex('010001'), () => {}));
    expect({ reason: error.reason, offset: error.offset }).toEqual({ reason: 'NEGATIVE_LENGTH', offset: 6 });
  });
});

describe('FrameDecoder: property', () => {
  it('random frames, random chunking -> the same frames and offsets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, cutSeeds) => {
          const stream = streamOf(frames);
          const cuts = [...new Set(cutSeeds.map((seed) => seed % (stream.length + 1)))].sort((a, b) => a - b);
          const { frames: out, decoder } = feed(cut(stream, cuts));
          let offset = 0;
          const expected = frames.map((frame) => {
            const received = { hex: toHex(frame), offset };
            offset += 4 + frame.length;
            return received;
          });
          expect(out).toEqual(expected);
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random streams with a size limit: every frame up to the limit arrives, then SIZE_LIMIT at the first larger one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 80 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (frames, maxFrameBytes, cutSeeds) => {
          const stream = streamOf(frames);
          const cuts = [...new Set(cutSeeds.map((seed) => seed % (stream.length + 1)))].sort((a, b) => a - b);
          const firstTooBig = frames.findIndex((f) => f.length > maxFrameBytes);
          const decoder = new FrameDecoder({ maxFrameBytes });
          const out: string[] = [];
          let error: unknown;
          try {
            for (const chunk of cut(stream, cuts)) decoder.push(chunk, (f) => out.push(toHex(f)));
          } catch (e) {
            error = e;
          }
          if (firstTooBig < 0) {
            expect(error).toBeUndefined();
            expect(out).toEqual(frames.map(toHex));
          } else {
            expect(error).toBeInstanceOf(ProtocolError);
            const offset = frames.slice(0, firstTooBig).reduce((n, f) => n + 4 + f.length, 0);
            expect({ reason: (error as ProtocolError).reason, offset: (error as ProtocolError).offset }).toEqual({ reason: 'SIZE_LIMIT', offset });
            expect(out).toEqual(frames.slice(0, firstTooBig).map(toHex));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
