/**
 * Apache Thrift's THeader frame (`doc/specs/HeaderFormat.md` in apache/thrift): the native
 * framing of skiff. Pure functions over bytes; `docs/protocol.md` documents the info header keys
 * skiff uses.
 *
 * ```
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |0|                 LENGTH (bytes after this field)             |
 *  +-------------------------------+-------------------------------+
 *  |      HEADER MAGIC 0x0FFF      |             FLAGS             |
 *  +-------------------------------+-------------------------------+
 *  |                        SEQUENCE NUMBER                        |
 *  +-------------------------------+-------------------------------+
 *  |  HEADER SIZE (in 4-byte words)|  header section:               \
 *  +-------------------------------+    varint PROTOCOL ID (0 binary, 2 compact)
 *  |                                    varint TRANSFORM COUNT, varint ids
 *  |                                    varint 1 (KEYVALUE), varint COUNT,
 *  |                                      COUNT x (varint len, key, varint len, value)
 *  |                                    zero padding to a multiple of 4 bytes
 *  +---------------------------------------------------------------+
 *  |                 PAYLOAD: one Thrift message                    |
 *  +---------------------------------------------------------------+
 * ```
 */
import { ProtocolError } from '../errors.js';
import type { ByteWriter } from './writer.js';
import { decodeUtf8, encodeUtf8Into } from './utf8.js';

/** The 16-bit magic that starts a THeader frame (after the length). */
export const HEADER_MAGIC = 0x0fff;

/** Protocol ids of the THeader protocol field. */
export const HeaderProtocolId = {
  BINARY: 0,
  COMPACT: 2,
} as const;

/** One of the {@link HeaderProtocolId} values. */
export type HeaderProtocolId = (typeof HeaderProtocolId)[keyof typeof HeaderProtocolId];

/** Info header type id of key/value string pairs (the only info type skiff reads or writes). */
const INFO_KEYVALUE = 1;
/** Largest header section: the size field counts 4-byte words in 16 bits. */
const MAX_HEADER_SECTION_BYTES = 0xffff * 4;
/** Fixed bytes of a frame after its length: magic, flags, seqid, header size. */
const FIXED_BYTES = 10;

/** String key/value pairs carried in a THeader frame's info section. */
export type InfoHeaders = ReadonlyMap<string, string>;

const NO_HEADERS: InfoHeaders = new Map();

/** A parsed THeader frame. The payload is a view of the frame's bytes (no copy). */
export interface HeaderFrame {
  /** The FLAGS field (skiff writes 0 and ignores it on read). */
  readonly flags: number;
  /** The SEQUENCE NUMBER field: skiff's request id, equal to the message's seqid. */
  readonly seqId: number;
  /** How the payload is encoded. */
  readonly protocolId: HeaderProtocolId;
  /** Info headers; empty when the frame has none. Later duplicates of a key win. */
  readonly headers: InfoHeaders;
  /** The Thrift message (may be empty, for skiff's control frames). */
  readonly payload: Uint8Array;
}

/** Limits {@link parseHeaderFrame} enforces before decoding any header (a `SIZE_LIMIT` error). */
export interface HeaderLimits {
  /** Largest header section, in bytes. Default: the format's own bound, 262,140. */
  readonly maxHeaderBytes?: number;
  /** Most info headers (key-value pairs) in one frame. Default: no limit beyond the section's size. */
  readonly maxHeaders?: number;
}

/** Whether `frame` (bytes after the 4-byte length) starts with the THeader magic. */
export function isHeaderFrame(frame: Uint8Array): boolean {
  return frame.length >= 2 && frame[0] === HEADER_MAGIC >> 8 && frame[1] === (HEADER_MAGIC & 0xff);
}

/**
 * Parses a THeader frame: `frame` holds the bytes after the 4-byte length field. Offsets in
 * errors are relative to `frame`, plus `streamOffset` (where the frame sits in the connection's
 * byte stream) so logs can point at the exact byte.
 *
 * @throws ProtocolError for a bad magic, a header section that overruns the frame, an unknown
 *   protocol id, any transform (skiff supports none yet: `INVALID_VALUE`), or malformed strings.
 */
export function parseHeaderFrame(frame: Uint8Array, streamOffset = 0, limits: HeaderLimits = {}): HeaderFrame {
  const section = sectionReader;
  section.streamOffset = streamOffset;
  if (frame.length < FIXED_BYTES) section.fail('TRUNCATED', `THeader frame of ${frame.length} bytes is shorter than its ${FIXED_BYTES}-byte fixed part`, 0);
  if (!isHeaderFrame(frame)) section.fail('BAD_VERSION', 'frame does not start with the THeader magic 0x0FFF', 0);
  const flags = (frame[2]! << 8) | frame[3]!;
  const seqId = (frame[4]! << 24) | (frame[5]! << 16) | (frame[6]! << 8) | frame[7]!;
  const sectionBytes = ((frame[8]! << 8) | frame[9]!) * 4;
  const maxHeaderBytes = limits.maxHeaderBytes ?? MAX_HEADER_SECTION_BYTES;
  if (sectionBytes > maxHeaderBytes) section.fail('SIZE_LIMIT', `THeader header section of ${sectionBytes} bytes exceeds the limit of ${maxHeaderBytes}`, 8);
  const maxHeaders = limits.maxHeaders ?? Infinity;
  const sectionEnd = FIXED_BYTES + sectionBytes;
  if (sectionEnd > frame.length) {
    section.fail('TRUNCATED', `THeader header section of ${sectionBytes} bytes overruns the ${frame.length}-byte frame`, 8);
  }
  section.frame = frame;
  section.pos = FIXED_BYTES;
  section.end = sectionEnd;
  try {
    const protocolAt = section.pos;
    const protocolId = section.varint();
    if (protocolId !== HeaderProtocolId.BINARY && protocolId !== HeaderProtocolId.COMPACT) {
      section.fail('BAD_VERSION', `unsupported THeader protocol id ${protocolId}`, protocolAt);
    }
    const transformsAt = section.pos;
    const transformCount = section.varint();
    if (transformCount !== 0) {
      section.fail('INVALID_VALUE', `THeader transforms are not supported (frame has ${transformCount}, first id ${section.varint()})`, transformsAt);
    }
    const cached = section.cachedHeaders(sectionEnd, maxHeaders);
    if (cached !== undefined) {
      return { flags, seqId, protocolId: protocolId as HeaderProtocolId, headers: cached, payload: frame.subarray(sectionEnd) };
    }
    const infoStart = section.pos;
    let headers: Map<string, string> | undefined;
    while (section.pos < sectionEnd) {
      const infoAt = section.pos;
      const infoType = section.varint();
      // Padding is zero bytes, which read as info type 0: the section ends there. An unknown info
      // type cannot be skipped (its layout is unknown): like Apache Thrift's readers, stop there.
      if (infoType !== INFO_KEYVALUE) break;
      const count = section.varint();
      // Each pair takes at least two bytes: a count beyond that is a lie, caught before looping.
      if (count > (sectionEnd - section.pos) / 2) section.fail('TRUNCATED', `${count} info headers cannot fit in the header section`, infoAt);
      if ((headers?.size ?? 0) + count > maxHeaders) section.fail('SIZE_LIMIT', `${count} info headers exceed the limit of ${maxHeaders}`, infoAt);
      headers ??= new Map();
      for (let i = 0; i < count; i++) {
        const key = section.key();
        headers.set(key, section.string());
      }
    }
    if (headers !== undefined) section.remember(infoStart, sectionEnd, headers);
    return {
      flags,
      seqId,
      protocolId: protocolId as HeaderProtocolId,
      headers: headers ?? NO_HEADERS,
      payload: frame.subarray(sectionEnd),
    };
  } finally {
    // Not to pin the connection's read buffer until the next frame.
    section.frame = NO_BYTES;
  }
}

const NO_BYTES = new Uint8Array(0);
/** Most distinct keys {@link SectionReader.key} remembers, and their longest length in bytes. */
const MAX_KNOWN_KEYS = 32;
const MAX_KNOWN_KEY_BYTES = 48;
/** Longest info section {@link SectionReader.remember} keeps, in bytes. */
const MAX_REMEMBERED_INFO_BYTES = 64;

/**
 * Reads the varints and strings of one header section at a time. A single instance serves every
 * parse (parsing is synchronous and calls out to nothing), so a frame costs no closures or
 * cursor objects: on a busy connection those were most of what parsing allocated.
 */
class SectionReader {
  frame: Uint8Array = NO_BYTES;
  pos = 0;
  end = 0;
  streamOffset = 0;
  /**
   * ASCII keys seen before, returned again instead of decoding a new string per frame: a peer
   * sends the same few keys on every frame. Bounded, so a peer sending endless new keys only
   * stops them being remembered.
   */
  private readonly knownKeys: string[] = [];
  /**
   * The last short info section decoded and its headers: a client sends the same headers (its
   * deadline) on call after call, so an identical section gets the same read-only map back
   * instead of a new map and strings per frame.
   */
  private readonly rememberedInfo = new Uint8Array(MAX_REMEMBERED_INFO_BYTES);
  private rememberedInfoBytes = 0;
  private rememberedHeaders: InfoHeaders | undefined;

  /** The headers of the info section `[pos, end)` when its bytes are those last remembered (within `maxHeaders`). */
  cachedHeaders(end: number, maxHeaders: number): InfoHeaders | undefined {
    const headers = this.rememberedHeaders;
    const length = end - this.pos;
    if (headers === undefined || length !== this.rememberedInfoBytes || headers.size > maxHeaders) return undefined;
    const frame = this.frame;
    const remembered = this.rememberedInfo;
    for (let i = 0, at = this.pos; i < length; i++, at++) if (frame[at] !== remembered[i]) return undefined;
    return headers;
  }

  /** Remembers the info section `[start, end)` and the headers decoded from it, if it is short. */
  remember(start: number, end: number, headers: InfoHeaders): void {
    if (end - start > MAX_REMEMBERED_INFO_BYTES) return;
    this.rememberedInfo.set(this.frame.subarray(start, end));
    this.rememberedInfoBytes = end - start;
    this.rememberedHeaders = headers;
  }
  fail(reason: 'TRUNCATED' | 'BAD_VERSION' | 'INVALID_VALUE' | 'INVALID_UTF8' | 'INVALID_VARINT' | 'SIZE_LIMIT', detail: string, at: number): never {
    throw new ProtocolError(reason, detail, this.streamOffset + at);
  }

  varint(): number {
    const frame = this.frame;
    const at = this.pos;
    let pos = at;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) this.fail('TRUNCATED', 'varint runs past the THeader header section', at);
      const byte = frame[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        if (value > 0x7fffffff) this.fail('INVALID_VARINT', `varint ${value} exceeds the i32 range`, at);
        this.pos = pos;
        return value;
      }
    }
    return this.fail('INVALID_VARINT', 'varint longer than 5 bytes', at);
  }

  /** A length-prefixed string's byte length, checked against the section; `pos` is then at its bytes. */
  private stringLength(): number {
    const at = this.pos;
    const length = this.varint();
    if (length > this.end - this.pos) this.fail('TRUNCATED', `header string of ${length} bytes overruns the header section`, at);
    return length;
  }

  string(): string {
    return this.stringOf(this.stringLength());
  }

  /** The `length` bytes at `pos` as strict UTF-8. */
  private stringOf(length: number): string {
    const start = this.pos;
    const value = decodeUtf8(this.frame, start, start + length);
    if (value === undefined) this.fail('INVALID_UTF8', 'header string is not well-formed UTF-8', start);
    this.pos = start + length;
    return value!;
  }

  /** A key: like {@link string}, but a key seen before is the same string as before. */
  key(): string {
    const length = this.stringLength();
    const frame = this.frame;
    const start = this.pos;
    const known = this.knownKeys;
    for (let k = 0; k < known.length; k++) {
      const candidate = known[k]!;
      if (candidate.length !== length) continue;
      let i = 0;
      while (i < length && candidate.charCodeAt(i) === frame[start + i]) i++;
      if (i === length) {
        this.pos = start + length;
        return candidate;
      }
    }
    const value = this.stringOf(length);
    if (known.length < MAX_KNOWN_KEYS && length <= MAX_KNOWN_KEY_BYTES && value.length === length) known.push(value);
    return value;
  }
}

const sectionReader = new SectionReader();

/** Longest info-header encoding {@link beginHeaderFrame} keeps for reuse, in bytes. */
const MAX_REMEMBERED_ENCODING_BYTES = 64;
/**
 * The info headers last encoded and their bytes: a client passes the same read-only map (its
 * deadline) with call after call, and copying its bytes beats walking the map again.
 */
const lastEncoded: { headers: InfoHeaders | undefined; readonly bytes: Uint8Array; length: number } = {
  headers: undefined,
  bytes: new Uint8Array(MAX_REMEMBERED_ENCODING_BYTES),
  length: 0,
};

/**
 * Starts a THeader frame at the writer's position: writes the length placeholder, magic, flags,
 * seqid and the header section (protocol id, no transforms, `headers`, padding). The caller then
 * writes the payload (a Thrift message) and calls {@link endFrame} with the returned mark.
 *
 * `headers` is read-only: a map must not change once passed here (its encoding may be reused).
 *
 * @returns the frame's offset relative to `w.start` (stable across buffer growth).
 */
export function beginHeaderFrame(w: ByteWriter, seqId: number, protocolId: HeaderProtocolId, headers: InfoHeaders = NO_HEADERS): number {
  const mark = w.pos - w.start;
  // Fixed part, protocol id and transform count, info type and count, padding.
  w.ensure(4 + FIXED_BYTES + 2 + MAX_REMEMBERED_ENCODING_BYTES + 3);
  let buf = w.buf;
  const frameStart = w.pos;
  // Length is patched by endFrame.
  buf[frameStart + 4] = HEADER_MAGIC >> 8;
  buf[frameStart + 5] = HEADER_MAGIC & 0xff;
  buf[frameStart + 6] = 0;
  buf[frameStart + 7] = 0;
  w.setInt32At(frameStart + 8, seqId);
  let p = frameStart + 4 + FIXED_BYTES;
  buf[p++] = protocolId;
  buf[p++] = 0;
  if (headers === lastEncoded.headers) {
    // Ensured above: a remembered encoding is at most MAX_REMEMBERED_ENCODING_BYTES long.
    const { bytes, length } = lastEncoded;
    for (let i = 0; i < length; i++) buf[p++] = bytes[i]!;
  } else if (headers.size > 0) {
    const infoStart = p - (w.start + mark);
    buf[p++] = INFO_KEYVALUE;
    p = putVarint(buf, p, headers.size);
    // One pass over the headers, making room for each pair as it comes (the buffer may move).
    for (const [key, value] of headers) {
      w.pos = p;
      w.ensure(10 + 3 * (key.length + value.length) + 3);
      buf = w.buf;
      p = putString(buf, w.pos, key);
      p = putString(buf, p, value);
    }
    const length = p - (w.start + mark) - infoStart;
    if (length <= MAX_REMEMBERED_ENCODING_BYTES) {
      lastEncoded.bytes.set(buf.subarray(w.start + mark + infoStart, p));
      lastEncoded.length = length;
      lastEncoded.headers = headers;
    }
  }
  const sectionStart = w.start + mark + 4 + FIXED_BYTES;
  while ((p - sectionStart) % 4 !== 0) buf[p++] = 0;
  const sectionBytes = p - sectionStart;
  if (sectionBytes > MAX_HEADER_SECTION_BYTES) {
    w.pos = w.start + mark;
    throw new RangeError(`THeader info headers take ${sectionBytes} bytes, more than the format's ${MAX_HEADER_SECTION_BYTES}`);
  }
  w.setInt16At(w.start + mark + 12, sectionBytes / 4);
  w.pos = p;
  return mark;
}

/**
 * Starts a plain `TFramedTransport` frame (just the length) at the writer's position; write the
 * message, then call {@link endFrame}.
 */
export function beginPlainFrame(w: ByteWriter): number {
  const mark = w.pos - w.start;
  w.ensure(4);
  w.pos += 4;
  return mark;
}

/** Patches the length of the frame begun at `mark` and returns the frame's total size in bytes. */
export function endFrame(w: ByteWriter, mark: number): number {
  const frameStart = w.start + mark;
  const total = w.pos - frameStart;
  w.setInt32At(frameStart, total - 4);
  return total;
}

/** Varint (unsigned LEB128) of a non-negative i32 at `p`; returns the new position. */
function putVarint(buf: Uint8Array, p: number, value: number): number {
  while (value >= 0x80) {
    buf[p++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[p++] = value;
  return p;
}

/** A varint length and UTF-8 bytes at `p` (room for `5 + 3 * length` ensured); returns the new position. */
function putString(buf: Uint8Array, p: number, value: string): number {
  // Most header strings are short ASCII: a one-byte length, patched after encoding.
  if (value.length < 0x80 / 3) {
    const n = encodeUtf8Into(value, buf, p + 1);
    buf[p] = n;
    return p + 1 + n;
  }
  const bytes = Buffer.from(value, 'utf8');
  p = putVarint(buf, p, bytes.length);
  buf.set(bytes, p);
  return p + bytes.length;
}
