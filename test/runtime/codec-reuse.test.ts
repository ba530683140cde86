import { describe, expect, it } from 'vitest';
import { decode, encode, type Codec, type Protocol } from '../../runtime/codec.js';
import { ProtocolError } from '../../runtime/errors.js';

/**
 * `encode()` and `decode()` reuse one writer and one reader per protocol: these tests pin down
 * that no state leaks from one call into the next, and that a codec may call `encode()` and
 * `decode()` from inside its own `write()` and `read()`.
 */
const stringCodec: Codec<string> = {
  write: (w, value) => w.writeString(value),
  read: (r) => r.readString(),
};

/** A binary field that holds another encoded value, decoded from inside `read()`. */
const nestedCodec = (protocol: Protocol): Codec<string> => ({
  write: (w, value) => w.writeBinary(encode(stringCodec, value, protocol)),
  read: (r) => decode(stringCodec, r.readBinary(), protocol) + '|' + String(r.remaining),
});

describe.each(['compact', 'binary'] as const)('encode and decode (%s)', (protocol) => {
  it('decodes correctly after a call that threw half way', () => {
    const good = encode(stringCodec, 'hello', protocol);
    const truncated = good.subarray(0, good.length - 2);
    expect(() => decode(stringCodec, truncated, protocol)).toThrow(ProtocolError);
    const trailing = new Uint8Array([...good, 0]);
    expect(() => decode(stringCodec, trailing, protocol)).toThrow(ProtocolError);
    expect(decode(stringCodec, good, protocol)).toBe('hello');
  });

  it('encodes correctly after a write that threw half way', () => {
    const failing: Codec<string> = {
      write: (w, value) => {
        w.writeString(value);
        throw new Error('boom');
      },
      read: (r) => r.readString(),
    };
    const expected = [...encode(stringCodec, 'hello', protocol)];
    expect(() => encode(failing, 'partial', protocol)).toThrow('boom');
    expect([...encode(stringCodec, 'hello', protocol)]).toEqual(expected);
  });

  it('lets a codec call encode() and decode() from inside its write() and read()', () => {
    const bytes = encode(nestedCodec(protocol), 'inner', protocol);
    expect(decode(nestedCodec(protocol), bytes, protocol)).toBe('inner|0');
  });

  it('applies the limits given by options', () => {
    const bytes = encode(stringCodec, 'x'.repeat(10), protocol);
    expect(() => decode(stringCodec, bytes, protocol, { maxStringBytes: 5 })).toThrow(/exceeds the limit/);
    expect(decode(stringCodec, bytes, protocol)).toBe('x'.repeat(10));
  });
});
