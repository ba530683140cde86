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
  const fail = (reason: 'TRUNCATED' | 'BAD_VERSION' | 'INVALID_VALUE' | 'INVALID_UTF8' | 'INVALID_VARINT' | 'SIZE_LIMIT', detail: string, at: number): never => {
    throw new ProtocolError(reason, detail, streamOffset + at);
  };
  if (frame.length < FIXED_BYTES) fail('TRUNCATED', `THeader frame of ${frame.length} bytes is shorter than its ${FIXED_BYTES}-byte fixed part`, 0);
  if (!isHeaderFrame(frame)) fail('BAD_VERSION', 'frame does not start with the THeader magic 0x0FFF', 0);
  const flags = (frame[2]! << 8) | frame[3]!;
  const seqId = (frame[4]! << 24) | (frame[5]! << 16) | (frame[6]! << 8) | frame[7]!;
  const sectionBytes = ((frame[8]! << 8) | frame[9]!) * 4;
  const maxHeaderBytes = limits.maxHeaderBytes ?? MAX_HEADER_SECTION_BYTES;
  if (sectionBytes > maxHeaderBytes) fail('SIZE_LIMIT', `THeader header section of ${sectionBytes} bytes exceeds the limit of ${maxHeaderBytes}`, 8);
  const maxHeaders = limits.maxHeaders ?? Infinity;
  const sectionEnd = FIXED_BYTES + sectionBytes;
  if (sectionEnd > frame.length) {
    fail('TRUNCATED', `THeader header section of ${sectionBytes} bytes overruns the ${frame.length}-byte frame`, 8);
  }
  let pos = FIXED_BYTES;
  const varint = (): number => {
    const at = pos;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= sectionEnd) fail('TRUNCATED', 'varint runs past the THeader header section', at);
      const byte = frame[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        if (value > 0x7fffffff) fail('INVALID_VARINT', `varint ${value} exceeds the i32 range`, at);
        return value;
      }
    }
    return fail('INVALID_VARINT', 'varint longer than 5 bytes', at);
  };
  const string = (): string => {
    const at = pos;
    const length = varint();
    if (length > sectionEnd - pos) fail('TRUNCATED', `header string of ${length} bytes overruns the header section`, at);
    const value = decodeUtf8(frame, pos, pos + length);
    if (value === undefined) fail('INVALID_UTF8', 'header string is not well-formed UTF-8', pos);
    pos += length;
    return value!;
  };

  const protocolAt = pos;
  const protocolId = varint();
  if (protocolId !== HeaderProtocolId.BINARY && protocolId !== HeaderProtocolId.COMPACT) {
    fail('BAD_VERSION', `unsupported THeader protocol id ${protocolId}`, protocolAt);
  }
  const transformsAt = pos;
  const transformCount = varint();
  if (transformCount !== 0) {
    fail('INVALID_VALUE', `THeader transforms are not supported (frame has ${transformCount}, first id ${varint()})`, transformsAt);
  }
  let headers: Map<string, string> | undefined;
  while (pos < sectionEnd) {
    const infoAt = pos;
    const infoType = varint();
    // Padding is zero bytes, which read as info type 0: the section ends there. An unknown info
    // type cannot be skipped (its layout is unknown): like Apache Thrift's readers, stop there.
    if (infoType !== INFO_KEYVALUE) break;
    const count = varint();
    // Each pair takes at least two bytes: a count beyond that is a lie, caught before looping.
    if (count > (sectionEnd - pos) / 2) fail('TRUNCATED', `${count} info headers cannot fit in the header section`, infoAt);
    if ((headers?.size ?? 0) + count > maxHeaders) fail('SIZE_LIMIT', `${count} info headers exceed the limit of ${maxHeaders}`, infoAt);
    headers ??= new Map();
    for (let i = 0; i < count; i++) {
      const key = string();
      headers.set(key, string());
    }
  }
  return {
    flags,
    seqId,
    protocolId: protocolId as HeaderProtocolId,
    headers: headers ?? NO_HEADERS,
    payload: frame.subarray(sectionEnd),
  };
}

/**
 * Starts a THeader frame at the writer's position: writes the length placeholder, magic, flags,
 * seqid and the header section (protocol id, no transforms, `headers`, padding). The caller then
 * writes the payload (a Thrift message) and calls {@link endFrame} with the returned mark.
 *
 * @returns the frame's offset relative to `w.start` (stable across buffer growth).
 */
export function beginHeaderFrame(w: ByteWriter, seqId: number, protocolId: HeaderProtocolId, headers: InfoHeaders = NO_HEADERS): number {
  const mark = w.pos - w.start;
  let headerBound = 2 * 5 + 1;
  if (headers.size > 0) {
    headerBound += 10;
    for (const [key, value] of headers) headerBound += 10 + 3 * (key.length + value.length);
  }
  w.ensure(4 + FIXED_BYTES + headerBound + 3);
  const buf = w.buf;
  const frameStart = w.pos;
  // Length is patched by endFrame.
  buf[frameStart + 4] = HEADER_MAGIC >> 8;
  buf[frameStart + 5] = HEADER_MAGIC & 0xff;
  buf[frameStart + 6] = 0;
  buf[frameStart + 7] = 0;
  w.setInt32At(frameStart + 8, seqId);
  const sectionStart = frameStart + 4 + FIXED_BYTES;
  let p = sectionStart;
  buf[p++] = protocolId;
  buf[p++] = 0;
  if (headers.size > 0) {
    buf[p++] = INFO_KEYVALUE;
    p = putVarint(buf, p, headers.size);
    for (const [key, value] of headers) {
      p = putString(buf, p, key);
      p = putString(buf, p, value);
    }
  }
  while ((p - sectionStart) % 4 !== 0) buf[p++] = 0;
  const sectionBytes = p - sectionStart;
  if (sectionBytes > MAX_HEADER_SECTION_BYTES) {
    throw new RangeError(`THeader info headers take ${sectionBytes} bytes, more than the format's ${MAX_HEADER_SECTION_BYTES}`);
  }
  w.setInt16At(frameStart + 12, sectionBytes / 4);
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
