/**
 * Codecs: what generated code provides per struct, union and exception, and the entry points that
 * run one over bytes ({@link encode}, {@link decode}).
 *
 * Generated codecs are straight-line code over the protocol-neutral `Writer`/`Reader`, so one
 * codec serves both protocols. How the IDL maps to values (see also `service.ts`):
 *
 * - bool -> `boolean`; byte, i8, i16, i32, double -> `number`; i64 -> `bigint`; string and uuid ->
 *   `string`; binary -> `Uint8Array`; list -> array; set -> `Set`; map -> `Map`; struct ->
 *   interface; enum -> the union of its member values.
 * - Decoding an enum value that is not a member keeps the number: Thrift peers may be newer and
 *   know more members.
 * - `read` skips fields it does not know and fields whose wire type differs from the IDL's (a
 *   peer with another version of the struct); it fills in a fresh copy of the default of a field
 *   that is missing on the wire, leaves other missing fields absent, and throws `ProtocolError`
 *   `MISSING_REQUIRED_FIELD` for a missing `required` field.
 * - `write` writes fields in declaration order, skips fields that are `undefined`, and throws
 *   `RpcError` `INVALID_ARGUMENT` for a `required` field that is `undefined`.
 */
import { ErrorCode, ProtocolError, RpcError } from './errors.js';
import { BinaryReader, BinaryWriter } from './protocol/binary.js';
import { CompactReader, CompactWriter } from './protocol/compact.js';
import { TType, type Reader, type ReaderOptions, type ValueType, type WireType, type Writer } from './protocol/types.js';

/** A wire protocol of Apache Thrift. */
export type Protocol = 'compact' | 'binary';

/** Writes and reads values of `T` as one Thrift value (a struct, for generated codecs). */
export interface Codec<T> {
  /** Writes `value`; throws `RpcError` `INVALID_ARGUMENT` for values the IDL does not allow. */
  write(w: Writer, value: T): void;
  /** Reads one value; throws `ProtocolError` for input that does not decode. */
  read(r: Reader): T;
}

/**
 * The companion `const` of a generated struct interface `T`. `Defaulted` names the properties that
 * have a default value, which `create` fills in when they are left out.
 */
export interface StructCodec<T, Defaulted extends keyof T = never> extends Codec<T> {
  /** A new `T` from `init`, with a fresh copy of the default of each property `init` leaves out. */
  create(init: Omit<T, Defaulted> & Partial<Pick<T, Defaulted>>): T;
}

/**
 * The companion `const` of a generated union type `T` (`{ kind, value }` objects). `write` throws
 * `RpcError` `INVALID_ARGUMENT` for an unknown `kind`; `read` throws `ProtocolError`
 * `INVALID_VALUE` unless exactly one known field is on the wire.
 */
export type UnionCodec<T> = Codec<T>;

/** A generated exception class: constructible, `instanceof`-checkable, with static codecs. */
export interface ExceptionCodec<T extends Error> extends Codec<T> {
  new (init: never): T;
}

/**
 * Chunk size of the writers behind {@link encode}: each chunk holds many messages (see
 * `ByteWriter.finish`), so a chunk is allocated about every 30 records of 500 bytes instead of
 * every 8 with the 4 KiB default, while a retained message pins at most 16 KiB.
 */
const ENCODE_CHUNK_BYTES = 16 * 1024;
// The shared writers and readers are made by the first call that needs them, not at import:
// importing the runtime must stay cheap (issue 8), and many programs use one protocol only.
let sharedCompactWriter: CompactWriter | undefined;
let sharedBinaryWriter: BinaryWriter | undefined;
let sharedWriterBusy = false;

/**
 * Encodes `value` with `codec` and returns its bytes: a plain `Uint8Array` that nothing writes to
 * again (see `Writer.finish`). One writer per protocol is reused across calls, and consecutive
 * results share its memory chunk, so steady-state encoding allocates little more than the result
 * view.
 *
 * @param protocol - default `'compact'`.
 * @throws `RpcError` `INVALID_ARGUMENT` when `value` breaks the IDL (a missing `required` field,
 *   an out-of-range integer, a malformed uuid).
 */
export function encode<T>(codec: Codec<T>, value: T, protocol: Protocol = 'compact'): Uint8Array {
  if (sharedWriterBusy) {
    // A codec that calls encode() from its own write() must not reset the writer under itself.
    const w = protocol === 'binary' ? new BinaryWriter() : new CompactWriter();
    codec.write(w, value);
    return w.finish();
  }
  const w =
    protocol === 'binary'
      ? (sharedBinaryWriter ??= new BinaryWriter({ initialBytes: ENCODE_CHUNK_BYTES }))
      : (sharedCompactWriter ??= new CompactWriter({ initialBytes: ENCODE_CHUNK_BYTES }));
  // Reset first: a write that threw half way leaves the writer mid-struct.
  w.reset();
  sharedWriterBusy = true;
  try {
    codec.write(w, value);
  } finally {
    sharedWriterBusy = false;
  }
  return w.finish();
}

/**
 * Decodes `bytes`, which must hold exactly one value, with `codec`.
 *
 * @param protocol - default `'compact'`.
 * @param options - decoding limits (nesting depth 64 by default).
 * @throws `ProtocolError` (with the byte offset) for anything malformed, including trailing bytes.
 */
export function decode<T>(codec: Codec<T>, bytes: Uint8Array, protocol: Protocol = 'compact', options?: ReaderOptions): T {
  if (options !== undefined || sharedReaderBusy) {
    const r = protocol === 'binary' ? new BinaryReader(bytes, options) : new CompactReader(bytes, options);
    const value = codec.read(r);
    r.expectEnd();
    return value;
  }
  // One reader per protocol serves every call with default limits (a fresh one per call measured
  // ~3% slower decoding of a 500-byte record); a codec that calls decode() from its own read() gets a
  // fresh reader instead.
  const r = protocol === 'binary' ? (sharedBinaryReader ??= new BinaryReader(NO_BYTES)) : (sharedCompactReader ??= new CompactReader(NO_BYTES));
  r.reset(bytes);
  sharedReaderBusy = true;
  try {
    const value = codec.read(r);
    r.expectEnd();
    return value;
  } finally {
    sharedReaderBusy = false;
    r.reset(NO_BYTES);
  }
}

const NO_BYTES = new Uint8Array(0);
let sharedCompactReader: CompactReader | undefined;
let sharedBinaryReader: BinaryReader | undefined;
let sharedReaderBusy = false;

/**
 * Reads a list header for generated code and checks its element type: returns the element count.
 * A non-empty list of another type throws `ProtocolError` `INVALID_TYPE` (a field's own wire
 * type is checked, and a mismatch skipped, by the struct reader).
 */
export function readListHeader(r: Reader, elementType: ValueType): number {
  const start = r.offset;
  const size = r.readListBegin();
  if (size !== 0 && r.elementType !== elementType) throw wrongElementType(r.elementType, elementType, start);
  return size;
}

/** Like {@link readListHeader}, for a set. */
export function readSetHeader(r: Reader, elementType: ValueType): number {
  const start = r.offset;
  const size = r.readSetBegin();
  if (size !== 0 && r.elementType !== elementType) throw wrongElementType(r.elementType, elementType, start);
  return size;
}

/** Like {@link readListHeader}, for a map: checks the key and the value type. */
export function readMapHeader(r: Reader, keyType: ValueType, valueType: ValueType): number {
  const start = r.offset;
  const size = r.readMapBegin();
  if (size !== 0) {
    if (r.keyType !== keyType) throw wrongElementType(r.keyType, keyType, start);
    if (r.valueType !== valueType) throw wrongElementType(r.valueType, valueType, start);
  }
  return size;
}

/**
 * The error generated `read` code throws when a `required` field (`what`, e.g. `User.id`) is not
 * on the wire; the offset is where the struct ended.
 */
export function missingField(r: Reader, what: string): ProtocolError {
  return new ProtocolError('MISSING_REQUIRED_FIELD', `${what} is missing`, r.offset);
}

/** The error generated `write` code throws when a `required` field (`what`) is `undefined`. */
export function requiredField(what: string): RpcError {
  return new RpcError(ErrorCode.INVALID_ARGUMENT, `${what} is required but undefined`);
}

function wrongElementType(actual: WireType, expected: ValueType, offset: number): ProtocolError {
  return new ProtocolError(
    'INVALID_TYPE',
    `container holds values of type ${typeName(actual)} where ${typeName(expected)} was expected`,
    offset,
  );
}

/** Names of the wire types, for error messages: made by the first one. */
let typeNames: Readonly<Record<number, string>> | undefined;

function typeName(type: WireType): string {
  typeNames ??= Object.fromEntries(Object.entries(TType).map(([name, id]) => [id, name.toLowerCase()]));
  return typeNames[type] ?? String(type);
}
