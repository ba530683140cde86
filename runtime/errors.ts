/**
 * The runtime's error model: one error class with a closed set of status codes (modelled on
 * gRPC's), and a subclass for bytes that do not decode.
 *
 * Every failure the runtime reports is an {@link RpcError}; callers branch on `code`, never on
 * message text. Exceptions declared in the IDL are separate, generated classes.
 */

/**
 * Status codes an {@link RpcError} can carry. `OK` is not listed: success is not an error.
 *
 * The names and meanings follow gRPC's status codes; `PROTOCOL` is added for bytes that break the
 * wire format (see {@link ProtocolError}).
 */
export const ErrorCode = {
  /** The operation was cancelled, typically by the caller. */
  CANCELLED: 'CANCELLED',
  /** An error with no better code, e.g. an unexpected exception thrown by a handler. */
  UNKNOWN: 'UNKNOWN',
  /** The caller passed a value the operation cannot accept (independent of system state). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The deadline passed before the operation completed. */
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  /** A requested entity (service, method, instance) was not found. */
  NOT_FOUND: 'NOT_FOUND',
  /** The entity the caller tried to create already exists. */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** The caller is not allowed to perform the operation. */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  /** A limit was hit: in-flight requests, memory, frame size, queue length. */
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  /** The system is not in a state the operation requires. */
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  /** The operation was aborted, e.g. by a concurrency conflict or a connection going away mid-call. */
  ABORTED: 'ABORTED',
  /** The operation was attempted past a valid range. */
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  /** The operation is not implemented or not supported by the peer. */
  UNIMPLEMENTED: 'UNIMPLEMENTED',
  /** An invariant of the runtime broke; a bug, not a caller mistake. */
  INTERNAL: 'INTERNAL',
  /** The peer cannot be reached right now; retrying may succeed. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** Unrecoverable loss or corruption of data. */
  DATA_LOSS: 'DATA_LOSS',
  /** The caller has no valid credentials. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Bytes on the wire do not follow the protocol; see {@link ProtocolError}. */
  PROTOCOL: 'PROTOCOL',
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The runtime's error: a human-readable message plus a machine-readable {@link ErrorCode}.
 *
 * `cause` (standard `Error` option) keeps the underlying error when one was mapped to a code.
 */
export class RpcError extends Error {
  /** What kind of failure this is; branch on this, not on `message`. */
  readonly code: ErrorCode;

  /**
   * @param code - the status code.
   * @param message - a sentence for people; it does not repeat the code.
   * @param options - standard error options (`cause`).
   */
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return 'RpcError';
  }
}

/**
 * Why decoding failed, as a sub-code of {@link ErrorCode.PROTOCOL}.
 *
 * - `TRUNCATED`: the input ends before the value does, or a length/count claims more bytes than
 *   remain.
 * - `NEGATIVE_LENGTH`: a string, binary or container length is negative.
 * - `SIZE_LIMIT`: a length is larger than the configured limit.
 * - `DEPTH_LIMIT`: structs and containers nest deeper than the configured limit.
 * - `INVALID_TYPE`: a wire type id that the protocol does not define in that position.
 * - `INVALID_UTF8`: a string's bytes are not well-formed UTF-8.
 * - `INVALID_VARINT`: a varint is longer than its type allows or sets bits beyond its width.
 * - `INVALID_VALUE`: a well-formed number outside the range its position allows (a bool byte
 *   other than the defined ones, an i16 out of range, an unknown message type).
 * - `MISSING_REQUIRED_FIELD`: a struct lacks a field the IDL marks `required` (raised by codecs).
 * - `BAD_VERSION`: a message header with an unknown protocol id or version.
 * - `TRAILING_BYTES`: bytes remain after the value that was supposed to fill the input.
 */
export type ProtocolErrorReason =
  | 'TRUNCATED'
  | 'NEGATIVE_LENGTH'
  | 'SIZE_LIMIT'
  | 'DEPTH_LIMIT'
  | 'INVALID_TYPE'
  | 'INVALID_UTF8'
  | 'INVALID_VARINT'
  | 'INVALID_VALUE'
  | 'MISSING_REQUIRED_FIELD'
  | 'BAD_VERSION'
  | 'TRAILING_BYTES';

/**
 * Input bytes that do not decode. Always has code `PROTOCOL`, the byte `offset` (from the start
 * of the reader's input) where decoding failed, and a {@link ProtocolErrorReason}.
 *
 * The message names the offset, e.g. `string length 9000 exceeds the 12 remaining bytes at
 * offset 7`.
 */
export class ProtocolError extends RpcError {
  /** Byte offset, from the start of the decoded input, of the value that failed to decode. */
  readonly offset: number;
  /** Why decoding failed. */
  readonly reason: ProtocolErrorReason;

  /**
   * @param reason - the sub-code.
   * @param detail - what was wrong, without the offset (it is appended).
   * @param offset - byte offset of the offending value.
   */
  constructor(reason: ProtocolErrorReason, detail: string, offset: number) {
    super(ErrorCode.PROTOCOL, `${detail} at offset ${offset}`);
    this.reason = reason;
    this.offset = offset;
  }

  override get name(): string {
    return 'ProtocolError';
  }
}
