import { describe, expect, it } from 'vitest';
import { encode, type Codec } from '../../runtime/codec.js';
import { BinaryReader, BinaryWriter } from '../../runtime/protocol/binary.js';
import { CompactReader, CompactWriter } from '../../runtime/protocol/compact.js';
import type { Reader, Writer } from '../../runtime/protocol/types.js';
import type { ByteWriterOptions } from '../../runtime/protocol/writer.js';

/**
 * Ownership of the bytes crossing the protocol layer: what `finish()`, `readBinary()` and
 * `encode()` hand out must be a copy nobody else writes to. Under Node the writer's buffer (and
 * any input from a socket) is a `Buffer`, whose `slice` returns a view, so these tests use Buffers
 * on purpose.
 */
const protocols: { name: string; writer: (options?: ByteWriterOptions) => Writer; reader: (input: Uint8Array) => Reader }[] = [
  { name: 'compact', writer: (options) => new CompactWriter(options), reader: (input) => new CompactReader(input) },
  { name: 'binary', writer: (options) => new BinaryWriter(options), reader: (input) => new BinaryReader(input) },
];

const bytesCodec: Codec<Uint8Array> = {
  write: (w, value) => w.writeBinary(value),
  read: (r) => r.readBinary(),
};

describe.each(protocols)('$name: bytes handed out are copies', ({ writer, reader }) => {
  it('finish() returns bytes that later writes to the writer do not change', () => {
    const w = writer();
    w.writeBinary(new Uint8Array([1, 2, 3]));
    const first = w.finish();
    const expected = [...first];
    w.reset();
    w.writeBinary(new Uint8Array([9, 9, 9]));
    w.writeBinary(new Uint8Array([9, 9, 9]));
    expect([...first]).toEqual(expected);
    expect(Object.getPrototypeOf(first)).toBe(Uint8Array.prototype);
  });

  it('finish() hands out messages that no later message overwrites, across chunks and growth', () => {
    const w = writer({ initialBytes: 32 });
    const kept: { bytes: Uint8Array; expected: number[] }[] = [];
    for (let i = 0; i < 200; i++) {
      w.reset();
      // Lengths from 1 to 70 bytes: some fit the chunk's rest, some start a chunk, some grow it.
      w.writeBinary(new Uint8Array((i * 7) % 70).fill(i));
      const bytes = w.finish();
      kept.push({ bytes, expected: [...bytes] });
    }
    for (const { bytes, expected } of kept) expect([...bytes]).toEqual(expected);
  });

  it('finish() twice returns the same bytes; writes after finish() extend the message', () => {
    const w = writer();
    w.writeBinary(new Uint8Array([1]));
    const first = w.finish();
    expect([...w.finish()]).toEqual([...first]);
    w.writeBinary(new Uint8Array([2]));
    const both = w.finish();
    expect(both.length).toBe(first.length * 2);
    expect([...both.subarray(0, first.length)]).toEqual([...first]);
    w.reset();
    expect(w.length).toBe(0);
    w.writeBinary(new Uint8Array([3]));
    expect([...first]).toEqual([...both.subarray(0, first.length)]);
  });

  it('readBinary() on a Buffer input returns a copy, not a view of the input', () => {
    const w = writer();
    w.writeBinary(new Uint8Array([1, 2, 3]));
    const input = Buffer.from(w.finish());
    const value = reader(input).readBinary();
    input.fill(0);
    expect([...value]).toEqual([1, 2, 3]);
    expect(value.buffer).not.toBe(input.buffer);
    expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype);
  });
});

describe('encode()', () => {
  it('returns a plain Uint8Array that the next encode does not overwrite', () => {
    const first = encode(bytesCodec, new Uint8Array([1, 2, 3]));
    const again = encode(bytesCodec, new Uint8Array([7, 8, 9]));
    expect([...first]).toEqual([3, 1, 2, 3]);
    expect([...again]).toEqual([3, 7, 8, 9]);
    expect(Object.getPrototypeOf(first)).toBe(Uint8Array.prototype);
  });
});
