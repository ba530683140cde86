/**
 * Protocol-neutral vocabulary shared by the Compact and Binary protocols: Thrift's type ids,
 * message types, and the {@link Writer}/{@link Reader} contracts that generated codecs call.
 *
 * Generated code speaks in {@link TType} ids; each protocol maps them to its own wire ids (the
 * Binary protocol writes them unchanged, the Compact protocol translates them to 4-bit ids).
 */

/**
 * Thrift's type ids (`TType` in every Apache Thrift library). The Binary protocol writes these
 * bytes as they are; `UUID` (16) is the newer addition from the current specs.
 */
export const TType = {
  STOP: 0,
  BOOL: 2,
  I8: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  /** Strings and binary share one wire type. */
  STRING: 11,
  /** Structs, unions and exceptions share one wire type. */
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

/** One of the {@link TType} ids. */
export type WireType = (typeof TType)[keyof typeof TType];

/** A type a value can have (every {@link WireType} but `STOP`). */
export type ValueType = Exclude<WireType, typeof TType.STOP>;

/**
 * A type {@link Writer.writeFieldBegin} accepts: every value type but `BOOL`, whose fields are
 * written with {@link Writer.writeBoolField} (the Compact protocol packs the value into the
 * field header).
 */
export type NonBoolValueType = Exclude<ValueType, typeof TType.BOOL>;

/** Message types of the RPC envelope (same ids in both protocols). */
export const MessageType = {
  CALL: 1,
  REPLY: 2,
  EXCEPTION: 3,
  ONEWAY: 4,
} as const;

/** One of the {@link MessageType} ids. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** A decoded message envelope. */
export interface MessageHeader {
  /** Method name. */
  readonly name: string;
  /** Call, reply, exception or oneway. */
  readonly type: MessageType;
  /** Sequence id, a signed 32-bit integer chosen by the caller. */
  readonly seqId: number;
}

/** Limits a {@link Reader} enforces; every limit violation is a `ProtocolError`. */
export interface ReaderOptions {
  /**
   * Deepest nesting of structs and containers (each struct, list, set and map counts one level,
   * including those passed over by `skip`). Default 64. Keep it in the hundreds at most: decoding
   * recurses once per level.
   */
  readonly maxDepth?: number;
  /**
   * Largest string or binary value, in bytes. Default: no limit beyond the input's remaining
   * bytes (a length that exceeds them is always `TRUNCATED`).
   */
  readonly maxStringBytes?: number;
  /**
   * Largest element count of one list, set or map. Default: no limit beyond what the remaining
   * bytes could hold at the element type's smallest encoding (always checked).
   */
  readonly maxContainerSize?: number;
}

/**
 * What generated encoders call: a fine-grained, stateless-per-call writer over a growable buffer.
 * Implemented by `CompactWriter` and `BinaryWriter`.
 *
 * Call pattern for a struct: `writeStructBegin()`, per set field `writeFieldBegin(type, id)` +
 * the value (or `writeBoolField(id, value)`), `writeFieldStop()`, `writeStructEnd()`. Containers
 * need no end call. Writers check ranges of numbers (throwing `RpcError` `INVALID_ARGUMENT`) but
 * trust the call sequence.
 */
export interface Writer {
  /** Bytes written since construction or the last `reset()`. */
  readonly length: number;
  /** Empties the buffer for reuse, keeping its memory (up to the writer's retention cap). */
  reset(): void;
  /**
   * The bytes written as a plain `Uint8Array` that stays valid after `reset()` and further writes
   * (the writer never writes them again; not a copy). Its memory is part of a chunk shared with
   * other messages: use the view, not its `buffer`.
   */
  finish(): Uint8Array;
  /** A view of the bytes written, sharing the buffer: valid only until the next write or `reset()`. */
  view(): Uint8Array;

  /** Writes an RPC envelope header; the arguments struct (or result) follows. */
  writeMessageBegin(name: string, type: MessageType, seqId: number): void;
  /** Opens a struct (union, exception) before its first field. */
  writeStructBegin(): void;
  /** Closes a struct after its `writeFieldStop()`. */
  writeStructEnd(): void;
  /** Writes a field header; the value follows. Field ids are signed 16-bit. */
  writeFieldBegin(type: NonBoolValueType, id: number): void;
  /** Writes a complete bool field (header and value). */
  writeBoolField(id: number, value: boolean): void;
  /** Ends the current struct's field list. */
  writeFieldStop(): void;
  /** Writes a list header; `size` elements of `elementType` follow. */
  writeListBegin(elementType: ValueType, size: number): void;
  /** Writes a set header; `size` elements of `elementType` follow. */
  writeSetBegin(elementType: ValueType, size: number): void;
  /** Writes a map header; `size` key/value pairs follow. */
  writeMapBegin(keyType: ValueType, valueType: ValueType, size: number): void;

  /** A bool outside a field header (container element, or a bare value). */
  writeBool(value: boolean): void;
  /** A signed 8-bit integer. */
  writeI8(value: number): void;
  /** A signed 16-bit integer. */
  writeI16(value: number): void;
  /** A signed 32-bit integer. */
  writeI32(value: number): void;
  /** A signed 64-bit integer. */
  writeI64(value: bigint): void;
  /** An IEEE 754 double (any value, including NaN and -0). */
  writeDouble(value: number): void;
  /** A string as UTF-8 with a length prefix. Lone surrogates are written as U+FFFD. */
  writeString(value: string): void;
  /** Bytes with a length prefix. */
  writeBinary(value: Uint8Array): void;
  /** A UUID from its 36-character `8-4-4-4-12` hex form (either case), as 16 bytes. */
  writeUuid(value: string): void;
}

/**
 * What generated decoders call: a bounds-checked, depth-limited reader over one input.
 * Implemented by `CompactReader` and `BinaryReader`. Every failure throws `ProtocolError` with
 * the byte offset.
 *
 * Call pattern for a struct: `readStructBegin()`, then loop `const t = readFieldBegin()` until
 * `t === TType.STOP`, dispatching on `fieldId` and `t` (read the value, or `skip(t)`), then
 * `readStructEnd()`. Containers: `n = readListBegin()`, read `n` elements of `elementType`,
 * `readListEnd()` (the end calls release the depth level).
 */
export interface Reader {
  /** Offset of the next byte to read, from the start of the input. */
  readonly offset: number;
  /** Bytes left in the input. */
  readonly remaining: number;
  /** Field id from the last `readFieldBegin()`. */
  readonly fieldId: number;
  /**
   * Element type from the last `readListBegin()`/`readSetBegin()`. After an empty Compact map
   * header (which carries no types) `keyType`/`valueType` are `TType.STOP`.
   */
  readonly elementType: WireType;
  /** Key type from the last `readMapBegin()` (`TType.STOP` for an empty Compact map). */
  readonly keyType: WireType;
  /** Value type from the last `readMapBegin()` (`TType.STOP` for an empty Compact map). */
  readonly valueType: WireType;

  /** Reads an RPC envelope header. */
  readMessageBegin(): MessageHeader;
  /** Enters a struct (one depth level). */
  readStructBegin(): void;
  /** Leaves a struct after its STOP. */
  readStructEnd(): void;
  /** Reads a field header: returns its type (`TType.STOP` ends the struct) and sets `fieldId`. */
  readFieldBegin(): WireType;
  /** Reads a list header: returns the element count, sets `elementType`, enters a depth level. */
  readListBegin(): number;
  /** Leaves a list. */
  readListEnd(): void;
  /** Reads a set header: returns the element count, sets `elementType`, enters a depth level. */
  readSetBegin(): number;
  /** Leaves a set. */
  readSetEnd(): void;
  /** Reads a map header: returns the pair count, sets `keyType`/`valueType`, enters a depth level. */
  readMapBegin(): number;
  /** Leaves a map. */
  readMapEnd(): void;

  /** A bool: a field's value (right after its `readFieldBegin()`) or a container element. */
  readBool(): boolean;
  /** A signed 8-bit integer. */
  readI8(): number;
  /** A signed 16-bit integer. */
  readI16(): number;
  /** A signed 32-bit integer. */
  readI32(): number;
  /** A signed 64-bit integer. */
  readI64(): bigint;
  /** An IEEE 754 double. */
  readDouble(): number;
  /** A string; malformed UTF-8 throws `ProtocolError` `INVALID_UTF8` (never replaced). */
  readString(): string;
  /** Binary data as a new copy (never a view of the input, which transports may reuse). */
  readBinary(): Uint8Array;
  /** A UUID in its canonical lowercase `8-4-4-4-12` form. */
  readUuid(): string;
  /** Reads past one value of `type`, including nested values; depth-limited like reads. */
  skip(type: WireType): void;
  /** Throws `ProtocolError` `TRAILING_BYTES` unless the whole input was consumed. */
  expectEnd(): void;
}
