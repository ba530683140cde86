/**
 * Memory a peer can make a server commit with a few bytes. A frame split across chunks used to
 * get a buffer of its announced length as soon as its 4-byte length arrived: 2,000 connections
 * that each sent 6 bytes (a 16 MiB length and 2 bytes) made a server hold 32 GB of ArrayBuffers
 * (lazily committed by Linux, so RSS grew by 20 MB only; on a system without overcommit the
 * allocations fail). The buffer now grows with what arrives (runtime/protocol/frame-decoder.ts).
 */
import { expect, it } from 'vitest';
import { FrameDecoder } from '../../runtime/protocol/frame-decoder.js';

it('a frame that announces 16 MiB and sends 2 bytes holds kilobytes, not its announced length', () => {
  const decoders: FrameDecoder[] = [];
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 100; i++) {
    const decoder = new FrameDecoder();
    decoder.push(Uint8Array.of(0x00, 0xff, 0xff, 0xf0, 0x0f, 0xff), () => {});
    decoders.push(decoder);
  }
  const grew = process.memoryUsage().arrayBuffers - before;
  expect(decoders.every((d) => d.bufferedBytes === 2)).toBe(true);
  // 100 x 64 KiB at most, against 100 x 16 MiB before.
  expect(grew).toBeLessThan(100 * 128 * 1024);
});

it('a frame that arrives in many pieces is still reassembled whole', () => {
  const frame = Uint8Array.from({ length: 300_000 }, (_, i) => i & 0xff);
  const stream = new Uint8Array(4 + frame.length);
  new DataView(stream.buffer).setUint32(0, frame.length);
  stream.set(frame, 4);
  for (const piece of [1, 7, 1000, 65_536, 100_001]) {
    const decoder = new FrameDecoder();
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += piece) decoder.push(stream.slice(i, i + piece), (f) => out.push(f));
    expect(out).toHaveLength(1);
    expect(Buffer.from(out[0]!).equals(Buffer.from(frame))).toBe(true);
  }
});
