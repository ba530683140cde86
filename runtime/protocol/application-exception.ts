/**
 * Apache Thrift's `TApplicationException`: the struct a server sends in an `EXCEPTION` message
 * when a call fails for a reason the IDL does not declare (unknown method, bad arguments, handler
 * crash, overload, timeout). Stock Thrift clients in every language decode it; skiff maps its
 * `type` to and from {@link ErrorCode}s.
 *
 * ```
 * struct TApplicationException { 1: string message, 2: i32 type }
 * ```
 */
import { ErrorCode, RpcError } from '../errors.js';
import { TType, type Reader, type Writer } from './types.js';

/** The `type` values of `TApplicationException`, as Apache Thrift defines them. */
export const ApplicationExceptionType = {
  UNKNOWN: 0,
  UNKNOWN_METHOD: 1,
  INVALID_MESSAGE_TYPE: 2,
  WRONG_METHOD_NAME: 3,
  BAD_SEQUENCE_ID: 4,
  MISSING_RESULT: 5,
  INTERNAL_ERROR: 6,
  PROTOCOL_ERROR: 7,
  INVALID_TRANSFORM: 8,
  INVALID_PROTOCOL: 9,
  UNSUPPORTED_CLIENT_TYPE: 10,
  LOADSHEDDING: 11,
  TIMEOUT: 12,
  INJECTED_FAILURE: 13,
} as const;

/** A decoded `TApplicationException`. */
export interface ApplicationException {
  readonly message: string;
  readonly type: number;
}

/** Writes a `TApplicationException` struct. */
export function writeApplicationException(w: Writer, value: ApplicationException): void {
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString(value.message);
  w.writeFieldBegin(TType.I32, 2);
  w.writeI32(value.type);
  w.writeFieldStop();
  w.writeStructEnd();
}

/** Reads a `TApplicationException` struct; missing fields read as `''` and `UNKNOWN`. */
export function readApplicationException(r: Reader): ApplicationException {
  let message = '';
  let type: number = ApplicationExceptionType.UNKNOWN;
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    if (r.fieldId === 1 && t === TType.STRING) message = r.readString();
    else if (r.fieldId === 2 && t === TType.I32) type = r.readI32();
    else r.skip(t);
  }
  r.readStructEnd();
  return { message, type };
}

/** The exception type a stock Thrift client understands for each code. */
const TYPE_OF_CODE: Readonly<Record<ErrorCode, number>> = {
  CANCELLED: ApplicationExceptionType.UNKNOWN,
  UNKNOWN: ApplicationExceptionType.UNKNOWN,
  INVALID_ARGUMENT: ApplicationExceptionType.PROTOCOL_ERROR,
  DEADLINE_EXCEEDED: ApplicationExceptionType.TIMEOUT,
  NOT_FOUND: ApplicationExceptionType.UNKNOWN_METHOD,
  ALREADY_EXISTS: ApplicationExceptionType.UNKNOWN,
  PERMISSION_DENIED: ApplicationExceptionType.UNKNOWN,
  RESOURCE_EXHAUSTED: ApplicationExceptionType.LOADSHEDDING,
  FAILED_PRECONDITION: ApplicationExceptionType.UNKNOWN,
  ABORTED: ApplicationExceptionType.UNKNOWN,
  OUT_OF_RANGE: ApplicationExceptionType.UNKNOWN,
  UNIMPLEMENTED: ApplicationExceptionType.UNKNOWN_METHOD,
  INTERNAL: ApplicationExceptionType.INTERNAL_ERROR,
  UNAVAILABLE: ApplicationExceptionType.LOADSHEDDING,
  DATA_LOSS: ApplicationExceptionType.UNKNOWN,
  UNAUTHENTICATED: ApplicationExceptionType.UNKNOWN,
  PROTOCOL: ApplicationExceptionType.PROTOCOL_ERROR,
};

/** The code a client reports for each exception type, when the reply carries no skiff status. */
const CODE_OF_TYPE: Readonly<Record<number, ErrorCode>> = {
  [ApplicationExceptionType.UNKNOWN_METHOD]: ErrorCode.UNIMPLEMENTED,
  [ApplicationExceptionType.INVALID_MESSAGE_TYPE]: ErrorCode.PROTOCOL,
  [ApplicationExceptionType.WRONG_METHOD_NAME]: ErrorCode.PROTOCOL,
  [ApplicationExceptionType.BAD_SEQUENCE_ID]: ErrorCode.PROTOCOL,
  [ApplicationExceptionType.MISSING_RESULT]: ErrorCode.INTERNAL,
  [ApplicationExceptionType.INTERNAL_ERROR]: ErrorCode.INTERNAL,
  [ApplicationExceptionType.PROTOCOL_ERROR]: ErrorCode.PROTOCOL,
  [ApplicationExceptionType.INVALID_TRANSFORM]: ErrorCode.UNIMPLEMENTED,
  [ApplicationExceptionType.INVALID_PROTOCOL]: ErrorCode.UNIMPLEMENTED,
  [ApplicationExceptionType.UNSUPPORTED_CLIENT_TYPE]: ErrorCode.UNIMPLEMENTED,
  [ApplicationExceptionType.LOADSHEDDING]: ErrorCode.RESOURCE_EXHAUSTED,
  [ApplicationExceptionType.TIMEOUT]: ErrorCode.DEADLINE_EXCEEDED,
};

/** The `TApplicationException` sent for `error`. */
export function toApplicationException(error: RpcError): ApplicationException {
  return { message: error.message, type: TYPE_OF_CODE[error.code] };
}

/**
 * The `RpcError` a client raises for a received exception. `code` is the exact status when the
 * peer sent one (skiff servers do, in a THeader info header); otherwise it is derived from `type`.
 */
export function fromApplicationException(exception: ApplicationException, code?: ErrorCode): RpcError {
  return new RpcError(code ?? CODE_OF_TYPE[exception.type] ?? ErrorCode.UNKNOWN, exception.message || 'the server reported an error without a message');
}

/** Whether `value` is one of the {@link ErrorCode}s (for codes read off the wire). */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(TYPE_OF_CODE, value);
}
