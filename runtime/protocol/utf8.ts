/**
 * UTF-8 for the protocol writers and readers, tuned for the short strings RPC payloads are made
 * of (names, ids, enum-like text) while staying fast on long ones.
 *
 * Policies (the same in both protocols):
 * - Encoding follows the WHATWG Encoding Standard: a lone surrogate is written as U+FFFD
 *   (`EF BF BD`), so `decode(encode(s)) === s.toWellFormed()`.
 * - Decoding is strict: any ill-formed sequence (overlong forms, surrogates, code points above
 *   U+10FFFF, truncated sequences, stray continuation bytes) is rejected, never replaced, so a
 *   corrupted string cannot pass silently. The reader reports it as `INVALID_UTF8`.
 *
 * Strategy (measured on Node 20, partly by bench/protocol-micro.ts): the native encoders cost a fixed
 * ~150-300 ns per call, so a plain JavaScript loop wins for short strings (2-3x at 8 chars) and
 * loses from about 24-32 characters on; above {@link SHORT_STRING_CHARS} characters Node's
 * `Buffer#utf8Write` (when the target was made by {@link allocateBytes}) is used, which matched
 * or beat `TextEncoder#encodeInto` up to a few hundred characters and on non-ASCII text, and
 * `encodeInto` elsewhere. Decoding up to {@link SHORT_STRING_BYTES} bytes builds ASCII in
 * JavaScript (other text goes through a validating JavaScript loop); longer strings use Node's
 * `Buffer#utf8Slice` (else a `TextDecoder`), whose cost barely grows with length, and are
 * validated byte by byte only when the result holds U+FFFD. A fatal `TextDecoder` measured
 * about 2x slower than either for the strings of a typical record.
 */

/** Strings up to this many UTF-16 code units are encoded by the JavaScript loop. */
export const SHORT_STRING_CHARS = 24;

/** Strings up to this many bytes are decoded in JavaScript. */
export const SHORT_STRING_BYTES = 32;

/** Node's undocumented but long-standing `Buffer#utf8Write(string, offset)`, returning bytes written. */
interface NodeBufferWithUtf8Write extends Uint8Array {
  utf8Write(value: string, offset: number): number;
}

/** Node's undocumented but long-standing `Buffer#utf8Slice(start, end)`; it accepts any Uint8Array. */
type Utf8Slice = (this: Uint8Array, start: number, end: number) => string;

interface NodeBufferConstructor {
  allocUnsafeSlow(size: number): NodeBufferWithUtf8Write;
  readonly prototype: { readonly utf8Slice?: Utf8Slice };
}

const nodeBuffer = (globalThis as unknown as { Buffer?: NodeBufferConstructor }).Buffer;
const textEncoder = new TextEncoder();

/**
 * Allocates an uninitialised byte buffer that {@link encodeUtf8Into} can fill with the fastest
 * native encoder available (a Node `Buffer` when running on Node, else a plain `Uint8Array`).
 */
export function allocateBytes(size: number): Uint8Array {
  return nodeBuffer !== undefined ? nodeBuffer.allocUnsafeSlow(size) : new Uint8Array(size);
}

/**
 * Encodes `value` as UTF-8 into `target` at `offset` and returns the number of bytes written.
 * The caller guarantees room for the worst case, `3 * value.length` bytes.
 */
export function encodeUtf8Into(value: string, target: Uint8Array, offset: number): number {
  return value.length <= SHORT_STRING_CHARS
    ? encodeUtf8Js(value, target, offset)
    : encodeUtf8Native(value, target, offset);
}

/**
 * The native half of {@link encodeUtf8Into}: `Buffer#utf8Write` when `target` is a Node Buffer,
 * else `TextEncoder#encodeInto`. Exported for the benchmark.
 */
export const encodeUtf8Native: (value: string, target: Uint8Array, offset: number) => number =
  nodeBuffer !== undefined
    ? (value, target, offset) =>
        typeof (target as Partial<NodeBufferWithUtf8Write>).utf8Write === 'function'
          ? (target as NodeBufferWithUtf8Write).utf8Write(value, offset)
          : textEncoder.encodeInto(value, target.subarray(offset)).written
    : (value, target, offset) => textEncoder.encodeInto(value, target.subarray(offset)).written;

/** The JavaScript half of {@link encodeUtf8Into} (any length). Exported for the benchmark. */
export function encodeUtf8Js(value: string, target: Uint8Array, offset: number): number {
  const n = value.length;
  // ASCII prefix first: a tighter loop than the general one below (measured ~10% faster).
  let i = 0;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) break;
    target[offset + i] = c;
  }
  if (i === n) return n;
  let p = offset + i;
  for (; i < n; i++) {
    let c = value.charCodeAt(i);
    if (c < 0x80) {
      target[p++] = c;
    } else if (c < 0x800) {
      target[p++] = 0xc0 | (c >> 6);
      target[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c >= 0xe000) {
      target[p++] = 0xe0 | (c >> 12);
      target[p++] = 0x80 | ((c >> 6) & 0x3f);
      target[p++] = 0x80 | (c & 0x3f);
    } else {
      const next = i + 1 < n ? value.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        i++;
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        target[p++] = 0xf0 | (c >> 18);
        target[p++] = 0x80 | ((c >> 12) & 0x3f);
        target[p++] = 0x80 | ((c >> 6) & 0x3f);
        target[p++] = 0x80 | (c & 0x3f);
      } else {
        target[p++] = 0xef;
        target[p++] = 0xbf;
        target[p++] = 0xbd;
      }
    }
  }
  return p - offset;
}

/**
 * Decodes `source[start, end)` as strict UTF-8. Returns `undefined` when the bytes are not
 * well-formed (the caller knows the offset to report).
 */
export function decodeUtf8(source: Uint8Array, start: number, end: number): string | undefined {
  if (end - start > SHORT_STRING_BYTES) return decodeUtf8Native(source, start, end);
  return decodeShortAscii(source, start, end) ?? decodeUtf8Js(source, start, end);
}

const fromCharCode = String.fromCharCode;

/**
 * `b[s, e)` (at most {@link SHORT_STRING_BYTES} bytes) as a string when it is all ASCII, which
 * needs no validation; else `undefined`. One case per length, so each string is built by a single
 * `String.fromCharCode` call with its bytes as arguments: measured 1.8x faster than
 * `String.fromCharCode.apply` over a reused array of the right length, 2-4x faster than
 * concatenating characters (or than concatenating two halves above 16 bytes), and faster than
 * `Buffer#utf8Slice` up to about 32-40 bytes.
 */
function decodeShortAscii(b: Uint8Array, s: number, e: number): string | undefined {
  switch (e - s) {
    case 0:
      return '';
    case 1: {
      const c0 = b[s + 0]!;
      if ((c0) >= 0x80) return undefined;
      return fromCharCode(c0);
    }
    case 2: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!;
      if ((c0 | c1) >= 0x80) return undefined;
      return fromCharCode(c0, c1);
    }
    case 3: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!;
      if ((c0 | c1 | c2) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2);
    }
    case 4: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!;
      if ((c0 | c1 | c2 | c3) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3);
    }
    case 5: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!;
      if ((c0 | c1 | c2 | c3 | c4) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4);
    }
    case 6: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5);
    }
    case 7: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6);
    }
    case 8: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7);
    }
    case 9: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8);
    }
    case 10: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9);
    }
    case 11: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10);
    }
    case 12: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
    }
    case 13: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12);
    }
    case 14: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13);
    }
    case 15: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 |
        c14) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14);
    }
    case 16: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 |
        c15) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15);
    }
    case 17: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 |
        c16) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16);
    }
    case 18: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 |
        c17) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17);
    }
    case 19: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18);
    }
    case 20: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19);
    }
    case 21: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20);
    }
    case 22: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21);
    }
    case 23: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22);
    }
    case 24: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!, c23 = b[s + 23]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22 | c23) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22, c23);
    }
    case 25: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!, c23 = b[s + 23]!, c24 = b[s + 24]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22 | c23 | c24) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22, c23, c24);
    }
    case 26: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!, c23 = b[s + 23]!, c24 = b[s + 24]!, c25 = b[s + 25]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22 | c23 | c24 | c25) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22, c23, c24, c25);
    }
    case 27: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!, c23 = b[s + 23]!, c24 = b[s + 24]!, c25 = b[s + 25]!, c26 = b[s + 26]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22 | c23 | c24 | c25 | c26) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22, c23, c24, c25, c26);
    }
    case 28: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!, c23 = b[s + 23]!, c24 = b[s + 24]!, c25 = b[s + 25]!, c26 = b[s + 26]!,
        c27 = b[s + 27]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22 | c23 | c24 | c25 | c26 | c27) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22, c23, c24, c25, c26, c27);
    }
    case 29: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!, c23 = b[s + 23]!, c24 = b[s + 24]!, c25 = b[s + 25]!, c26 = b[s + 26]!,
        c27 = b[s + 27]!, c28 = b[s + 28]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22 | c23 | c24 | c25 | c26 | c27 | c28) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28);
    }
    case 30: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!, c23 = b[s + 23]!, c24 = b[s + 24]!, c25 = b[s + 25]!, c26 = b[s + 26]!,
        c27 = b[s + 27]!, c28 = b[s + 28]!, c29 = b[s + 29]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22 | c23 | c24 | c25 | c26 | c27 | c28 | c29) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29);
    }
    case 31: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!, c23 = b[s + 23]!, c24 = b[s + 24]!, c25 = b[s + 25]!, c26 = b[s + 26]!,
        c27 = b[s + 27]!, c28 = b[s + 28]!, c29 = b[s + 29]!, c30 = b[s + 30]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22 | c23 | c24 | c25 | c26 | c27 | c28 | c29 |
        c30) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30);
    }
    case 32: {
      const c0 = b[s + 0]!, c1 = b[s + 1]!, c2 = b[s + 2]!, c3 = b[s + 3]!, c4 = b[s + 4]!, c5 = b[s + 5]!,
        c6 = b[s + 6]!, c7 = b[s + 7]!, c8 = b[s + 8]!, c9 = b[s + 9]!, c10 = b[s + 10]!, c11 = b[s + 11]!,
        c12 = b[s + 12]!, c13 = b[s + 13]!, c14 = b[s + 14]!, c15 = b[s + 15]!, c16 = b[s + 16]!,
        c17 = b[s + 17]!, c18 = b[s + 18]!, c19 = b[s + 19]!, c20 = b[s + 20]!, c21 = b[s + 21]!,
        c22 = b[s + 22]!, c23 = b[s + 23]!, c24 = b[s + 24]!, c25 = b[s + 25]!, c26 = b[s + 26]!,
        c27 = b[s + 27]!, c28 = b[s + 28]!, c29 = b[s + 29]!, c30 = b[s + 30]!, c31 = b[s + 31]!;
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 | c10 | c11 | c12 | c13 | c14 | c15 | c16 | c17 |
        c18 | c19 | c20 | c21 | c22 | c23 | c24 | c25 | c26 | c27 | c28 | c29 | c30 |
        c31) >= 0x80) return undefined;
      return fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
        c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31);
    }
    default:
      return undefined;
  }
}

const nodeUtf8Slice = nodeBuffer?.prototype.utf8Slice;
const replacingDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The native half of {@link decodeUtf8}, for long strings: a replacing native decoder
 * (`Buffer#utf8Slice`, else `TextDecoder`), made strict cheaply. Both follow the WHATWG decoder,
 * which turns every ill-formed sequence into U+FFFD and decodes well-formed input exactly, so a
 * result without U+FFFD proves the input well-formed; only a result with one (an error, or a
 * U+FFFD that was in the input) is checked byte by byte. Exported for the benchmark.
 */
export function decodeUtf8Native(source: Uint8Array, start: number, end: number): string | undefined {
  const value =
    nodeUtf8Slice !== undefined
      ? nodeUtf8Slice.call(source, start, end)
      : replacingDecoder.decode(source.subarray(start, end));
  // A one-byte (Latin-1) result is answered without a scan: V8 knows it cannot hold U+FFFD.
  if (value.indexOf('\uFFFD') === -1) return value;
  return decodeUtf8Js(source, start, end) === undefined ? undefined : value;
}

/** The JavaScript half of {@link decodeUtf8} (any length). Exported for the benchmark. */
export function decodeUtf8Js(source: Uint8Array, start: number, end: number): string | undefined {
  let out = '';
  let i = start;
  while (i < end) {
    const b0 = source[i]!;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    let codePoint: number;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      if (i + 1 >= end) return undefined;
      const b1 = source[i + 1]!;
      if ((b1 & 0xc0) !== 0x80) return undefined;
      codePoint = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
      i += 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      if (i + 2 >= end) return undefined;
      const b1 = source[i + 1]!;
      const b2 = source[i + 2]!;
      // Second-byte bounds exclude overlong forms (E0) and UTF-16 surrogates (ED).
      const low = b0 === 0xe0 ? 0xa0 : 0x80;
      const high = b0 === 0xed ? 0x9f : 0xbf;
      if (b1 < low || b1 > high || (b2 & 0xc0) !== 0x80) return undefined;
      codePoint = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      i += 3;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (i + 3 >= end) return undefined;
      const b1 = source[i + 1]!;
      const b2 = source[i + 2]!;
      const b3 = source[i + 3]!;
      // Second-byte bounds exclude overlong forms (F0) and code points above U+10FFFF (F4).
      const low = b0 === 0xf0 ? 0x90 : 0x80;
      const high = b0 === 0xf4 ? 0x8f : 0xbf;
      if (b1 < low || b1 > high || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return undefined;
      codePoint = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      i += 4;
      out += String.fromCharCode(0xd800 + ((codePoint - 0x10000) >> 10), 0xdc00 + (codePoint & 0x3ff));
      continue;
    } else {
      return undefined;
    }
    out += String.fromCharCode(codePoint);
  }
  return out;
}
