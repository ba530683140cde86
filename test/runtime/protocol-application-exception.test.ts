/**
 * TApplicationException (runtime/protocol/application-exception.ts): the struct in both protocols
 * (exact bytes, round trips, unknown and mistyped fields skipped) and the mapping between its
 * `type` and skiff's ErrorCodes.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError, RpcError } from '../../runtime/errors.js';
import {
  ApplicationExceptionType,
  fromApplicationException,
  isErrorCode,
  readApplicationException,
  toApplicationException,
  writeApplicationException,
  type ApplicationException,
} from '../../runtime/protocol/application-exception.js';
import { BinaryReader, BinaryWriter } from '../../runtime/protocol/binary.js';
import { CompactReader, CompactWriter } from '../../runtime/protocol/compact.js';
import { MessageType, TType, type Reader, type Writer } from '../../runtime/protocol/types.js';
import { toHex } from './protocol-test-kit.js';

const PROTOCOLS = ['compact', 'binary'] as const;
type Protocol = (typeof PROTOCOLS)[number];

const writerFor = (protocol: Protocol): Writer => (protocol === 'compact' ? new CompactWriter() : new BinaryWriter());
const readerFor = (protocol: Protocol, bytes: Uint8Array): Reader =>
  protocol === 'compact' ? new CompactReader(bytes) : new BinaryReader(bytes);

function encode(protocol: Protocol, write: (w: Writer) => void): Uint8Array {
  const w = writerFor(protocol);
  write(w);
  return w.finish();
}

function decode(protocol: Protocol, bytes: Uint8Array): ApplicationException {
  const r = readerFor(protocol, bytes);
  const value = readApplicationException(r);
  r.expectEnd();
  return value;
}

const ALL_CODES = Object.values(ErrorCode);
const ALL_TYPES: readonly number[] = Object.values(ApplicationExceptionType);

describe('TApplicationException struct', () => {
  it('ApplicationExceptionType has Apache Thrift\'s numbering', () => {
    expect(ApplicationExceptionType).toEqual({
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
    });
  });

  it.each([
    // field 1 string "boom" (delta 1, type 8), field 2 i32 1 (delta 1, type 5, zigzag 2), stop
    ['compact', { message: 'boom', type: 1 }, '18 04 626f6f6d 15 02 00'],
    // field 1: type 11, id 1, length 4, "boom"; field 2: type 8, id 2, 1; stop
    ['binary', { message: 'boom', type: 1 }, '0b 0001 00000004 626f6f6d 08 0002 00000001 00'],
    ['compact', { message: '', type: 12 }, '18 00 15 18 00'],
    ['binary', { message: '', type: 12 }, '0b 0001 00000000 08 0002 0000000c 00'],
  ] as const)('%s exact bytes of %j', (protocol, value, hex) => {
    const bytes = encode(protocol, (w) => writeApplicationException(w, value));
    expect(toHex(bytes)).toBe(hex.replace(/\s+/g, ''));
    expect(decode(protocol, bytes)).toEqual(value);
  });

  describe.each(PROTOCOLS)('%s round trip', (protocol) => {
    const values: ApplicationException[] = [
      ...ALL_TYPES.map((type) => ({ message: `type ${type}`, type })),
      { message: '', type: 0 },
      { message: 'non-ASCII: ключ 😀 語', type: 6 },
      { message: 'x'.repeat(10_000), type: 7 },
      { message: 'a type Thrift does not define', type: 4242 },
      { message: 'negative', type: -1 },
      { message: 'i32 max', type: 2 ** 31 - 1 },
    ];

    it.each(values.map((v) => [v.message.slice(0, 30), v] as const))('%s', (_name, value) => {
      expect(decode(protocol, encode(protocol, (w) => writeApplicationException(w, value)))).toEqual(value);
    });

    it('as the body of an EXCEPTION message', () => {
      const bytes = encode(protocol, (w) => {
        w.writeMessageBegin('getUser', MessageType.EXCEPTION, 42);
        writeApplicationException(w, { message: 'no such method', type: ApplicationExceptionType.UNKNOWN_METHOD });
      });
      const r = readerFor(protocol, bytes);
      expect(r.readMessageBegin()).toEqual({ name: 'getUser', type: MessageType.EXCEPTION, seqId: 42 });
      expect(readApplicationException(r)).toEqual({ message: 'no such method', type: 1 });
      r.expectEnd();
    });

    it('missing fields read as empty message and UNKNOWN', () => {
      const bytes = encode(protocol, (w) => {
        w.writeStructBegin();
        w.writeFieldStop();
        w.writeStructEnd();
      });
      expect(decode(protocol, bytes)).toEqual({ message: '', type: ApplicationExceptionType.UNKNOWN });
    });

    it('unknown fields and known ids with the wrong type are skipped', () => {
      const bytes = encode(protocol, (w) => {
        w.writeStructBegin();
        w.writeFieldBegin(TType.LIST, 3);
        w.writeListBegin(TType.STRING, 2);
        w.writeString('a');
        w.writeString('b');
        w.writeFieldBegin(TType.I32, 1); // message with the wrong type
        w.writeI32(5);
        w.writeFieldBegin(TType.STRING, 2); // type with the wrong type
        w.writeString('not an i32');
        w.writeFieldBegin(TType.STRING, 1);
        w.writeString('the message');
        w.writeFieldBegin(TType.STRUCT, 100);
        w.writeStructBegin();
        w.writeBoolField(1, true);
        w.writeFieldBegin(TType.MAP, 2);
        w.writeMapBegin(TType.I64, TType.DOUBLE, 1);
        w.writeI64(1n);
        w.writeDouble(0.5);
        w.writeFieldStop();
        w.writeStructEnd();
        w.writeFieldBegin(TType.I32, 2);
        w.writeI32(ApplicationExceptionType.LOADSHEDDING);
        w.writeFieldBegin(TType.I64, -5);
        w.writeI64(-1n);
        w.writeFieldStop();
        w.writeStructEnd();
      });
      expect(decode(protocol, bytes)).toEqual({ message: 'the message', type: ApplicationExceptionType.LOADSHEDDING });
    });

    it('a truncated struct is a ProtocolError, not a partial value', () => {
      const bytes = encode(protocol, (w) => writeApplicationException(w, { message: 'boom', type: 6 }));
      for (let cut = 0; cut < bytes.length; cut++) {
        expect(() => decode(protocol, bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(ProtocolError);
      }
    });
  });
});

describe('ErrorCode <-> TApplicationException type', () => {
  it('every ErrorCode maps to a defined type, keeping the message', () => {
    for (const code of ALL_CODES) {
      const exception = toApplicationException(new RpcError(code, `why ${code}`));
      expect(ALL_TYPES, code).toContain(exception.type);
      expect(exception.message).toBe(`why ${code}`);
    }
  });

  it.each([
    [ErrorCode.DEADLINE_EXCEEDED, ApplicationExceptionType.TIMEOUT],
    [ErrorCode.RESOURCE_EXHAUSTED, ApplicationExceptionType.LOADSHEDDING],
    [ErrorCode.UNAVAILABLE, ApplicationExceptionType.LOADSHEDDING],
    [ErrorCode.UNIMPLEMENTED, ApplicationExceptionType.UNKNOWN_METHOD],
    [ErrorCode.NOT_FOUND, ApplicationExceptionType.UNKNOWN_METHOD],
    [ErrorCode.INTERNAL, ApplicationExceptionType.INTERNAL_ERROR],
    [ErrorCode.PROTOCOL, ApplicationExceptionType.PROTOCOL_ERROR],
    [ErrorCode.INVALID_ARGUMENT, ApplicationExceptionType.PROTOCOL_ERROR],
    [ErrorCode.UNKNOWN, ApplicationExceptionType.UNKNOWN],
    [ErrorCode.CANCELLED, ApplicationExceptionType.UNKNOWN],
    [ErrorCode.PERMISSION_DENIED, ApplicationExceptionType.UNKNOWN],
  ])('%s is sent as type %i', (code, type) => {
    expect(toApplicationException(new RpcError(code, 'm')).type).toBe(type);
  });

  it.each([
    [ApplicationExceptionType.TIMEOUT, ErrorCode.DEADLINE_EXCEEDED],
    [ApplicationExceptionType.LOADSHEDDING, ErrorCode.RESOURCE_EXHAUSTED],
    [ApplicationExceptionType.UNKNOWN_METHOD, ErrorCode.UNIMPLEMENTED],
    [ApplicationExceptionType.INTERNAL_ERROR, ErrorCode.INTERNAL],
    [ApplicationExceptionType.MISSING_RESULT, ErrorCode.INTERNAL],
    [ApplicationExceptionType.PROTOCOL_ERROR, ErrorCode.PROTOCOL],
    [ApplicationExceptionType.INVALID_MESSAGE_TYPE, ErrorCode.PROTOCOL],
    [ApplicationExceptionType.WRONG_METHOD_NAME, ErrorCode.PROTOCOL],
    [ApplicationExceptionType.BAD_SEQUENCE_ID, ErrorCode.PROTOCOL],
    [ApplicationExceptionType.INVALID_TRANSFORM, ErrorCode.UNIMPLEMENTED],
    [ApplicationExceptionType.INVALID_PROTOCOL, ErrorCode.UNIMPLEMENTED],
    [ApplicationExceptionType.UNSUPPORTED_CLIENT_TYPE, ErrorCode.UNIMPLEMENTED],
    [ApplicationExceptionType.UNKNOWN, ErrorCode.UNKNOWN],
    [ApplicationExceptionType.INJECTED_FAILURE, ErrorCode.UNKNOWN],
    [4242, ErrorCode.UNKNOWN],
    [-1, ErrorCode.UNKNOWN],
  ])('type %i is received as %s', (type, code) => {
    const error = fromApplicationException({ message: 'from the server', type });
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(code);
    expect(error.message).toBe('from the server');
  });

  it('every type Thrift defines is received as some ErrorCode', () => {
    for (const type of ALL_TYPES) expect(ALL_CODES).toContain(fromApplicationException({ message: 'm', type }).code);
  });

  it('an explicit code (skiff-status) wins over the type', () => {
    const timeout = { message: 'slow', type: ApplicationExceptionType.TIMEOUT };
    expect(fromApplicationException(timeout, ErrorCode.CANCELLED).code).toBe(ErrorCode.CANCELLED);
    const shed = { message: 'busy', type: ApplicationExceptionType.LOADSHEDDING };
    expect(fromApplicationException(shed, ErrorCode.UNAVAILABLE).code).toBe(ErrorCode.UNAVAILABLE);
    expect(fromApplicationException({ message: 'x', type: 4242 }, ErrorCode.DATA_LOSS).code).toBe(ErrorCode.DATA_LOSS);
  });

  it('every ErrorCode survives the trip with its explicit code; without it, codes with their own type survive', () => {
    for (const code of ALL_CODES) {
      const sent = toApplicationException(new RpcError(code, 'm'));
      expect(fromApplicationException(sent, code).code).toBe(code);
    }
    for (const code of [ErrorCode.DEADLINE_EXCEEDED, ErrorCode.RESOURCE_EXHAUSTED, ErrorCode.UNIMPLEMENTED, ErrorCode.INTERNAL, ErrorCode.PROTOCOL, ErrorCode.UNKNOWN]) {
      expect(fromApplicationException(toApplicationException(new RpcError(code, 'm'))).code).toBe(code);
    }
  });

  it('an empty message gets a placeholder', () => {
    const error = fromApplicationException({ message: '', type: ApplicationExceptionType.INTERNAL_ERROR });
    expect(error.message).not.toBe('');
  });

  it('isErrorCode accepts exactly the ErrorCodes', () => {
    for (const code of ALL_CODES) expect(isErrorCode(code)).toBe(true);
    for (const other of ['OK', '', 'internal', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'PROTOCOL ']) {
      expect(isErrorCode(other), other).toBe(false);
    }
  });
});
