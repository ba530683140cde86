/**
 * Shared protocol test kit: a script format for protocol calls that both Apache Thrift's own
 * Python library (python3-thrift, the oracle: its TCompactProtocol/TBinaryProtocol are reference
 * implementations) and our writers can run, so tests compare bytes; plus a "kitchen sink"
 * message that uses every type and its reader.
 */

import { execFileSync } from 'node:child_process';
import { ProtocolError } from '../../runtime/errors.js';
import type { MessageType, NonBoolValueType, Reader, ValueType, Writer } from '../../runtime/protocol/types.js';

/** One protocol call. Struct/field/container ends are no-ops for our writers but Python needs them. */
export type Op =
  | readonly ['message', string, MessageType, number]
  | readonly ['structBegin']
  | readonly ['structEnd']
  | readonly ['field', NonBoolValueType, number]
  | readonly ['fieldEnd']
  | readonly ['boolField', number, boolean]
  | readonly ['stop']
  | readonly ['list', ValueType, number]
  | readonly ['set', ValueType, number]
  | readonly ['map', ValueType, ValueType, number]
  | readonly ['containerEnd']
  | readonly ['bool', boolean]
  | readonly ['i8', number]
  | readonly ['i16', number]
  | readonly ['i32', number]
  | readonly ['i64', bigint]
  | readonly ['double', number]
  | readonly ['string', string]
  | readonly ['binary', Uint8Array];

const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import json, sys
from thrift.transport.TTransport import TMemoryBuffer
from thrift.protocol.TCompactProtocol import TCompactProtocol
from thrift.protocol.TBinaryProtocol import TBinaryProtocol
jobs = json.load(sys.stdin)
out = []
for job in jobs:
    buf = TMemoryBuffer()
    p = TCompactProtocol(buf) if job['protocol'] == 'compact' else TBinaryProtocol(buf, strictWrite=job['strict'])
    if job['protocol'] == 'compact' and job['ops'] and job['ops'][0][0] != 'message':
        p.state = 3  # CONTAINER_WRITE: lets the state machine accept bare values
    for op in job['ops']:
        k, a = op[0], op[1:]
        if k == 'message': p.writeMessageBegin(a[0], a[1], a[2])
        elif k == 'structBegin': p.writeStructBegin('S')
        elif k == 'structEnd': p.writeStructEnd()
        elif k == 'field': p.writeFieldBegin('f', a[0], a[1])
        elif k == 'fieldEnd': p.writeFieldEnd()
        elif k == 'boolField':
            p.writeFieldBegin('f', 2, a[0]); p.writeBool(a[1]); p.writeFieldEnd()
        elif k == 'stop': p.writeFieldStop()
        elif k == 'list': p.writeListBegin(a[0], a[1])
        elif k == 'set': p.writeSetBegin(a[0], a[1])
        elif k == 'map': p.writeMapBegin(a[0], a[1], a[2])
        elif k == 'containerEnd': p.writeListEnd()
        elif k == 'bool': p.writeBool(a[0])
        elif k == 'i8': p.writeByte(a[0])
        elif k == 'i16': p.writeI16(a[0])
        elif k == 'i32': p.writeI32(a[0])
        elif k == 'i64': p.writeI64(int(a[0]))
        elif k == 'double': p.writeDouble(a[0])
        elif k == 'string': p.writeString(a[0])
        elif k == 'binary': p.writeBinary(bytes.fromhex(a[0]))
        else: raise Exception('unknown op ' + k)
    out.append(buf.getvalue().hex())
print(json.dumps(out))
`;

/** A batch of scripts to encode with Python in one process. */
export interface OracleJob {
  readonly protocol: 'compact' | 'binary';
  /** Binary protocol only: strict (versioned) message headers. */
  readonly strict?: boolean;
  readonly ops: readonly Op[];
}

/**
 * Encodes each job with Python's Thrift library and returns the bytes as hex. Fails with an
 * install hint when python3-thrift is missing.
 */
export function encodeWithPython(jobs: readonly OracleJob[]): string[] {
  try {
    execFileSync(PYTHON, ['-c', 'import thrift.protocol.TCompactProtocol'], { stdio: 'pipe' });
  } catch {
    throw new Error(`${PYTHON} cannot import thrift: install it with 'apt-get install python3-thrift'`);
  }
  const input = JSON.stringify(
    jobs.map((job) => ({
      protocol: job.protocol,
      strict: job.strict ?? true,
      ops: job.ops.map((op) =>
        op.map((arg) => (typeof arg === 'bigint' ? arg.toString() : arg instanceof Uint8Array ? toHex(arg) : arg)),
      ),
    })),
  );
  const output = execFileSync(PYTHON, ['-c', SCRIPT], { input, encoding: 'utf8' });
  return JSON.parse(output) as string[];
}

/** Runs a script against one of our writers. */
export function applyOps(writer: Writer, ops: readonly Op[]): void {
  for (const op of ops) {
    switch (op[0]) {
      case 'message': writer.writeMessageBegin(op[1], op[2], op[3]); break;
      case 'structBegin': writer.writeStructBegin(); break;
      case 'structEnd': writer.writeStructEnd(); break;
      case 'field': writer.writeFieldBegin(op[1], op[2]); break;
      case 'boolField': writer.writeBoolField(op[1], op[2]); break;
      case 'stop': writer.writeFieldStop(); break;
      case 'list': writer.writeListBegin(op[1], op[2]); break;
      case 'set': writer.writeSetBegin(op[1], op[2]); break;
      case 'map': writer.writeMapBegin(op[1], op[2], op[3]); break;
      case 'fieldEnd':
      case 'containerEnd':
        break;
      case 'bool': writer.writeBool(op[1]); break;
      case 'i8': writer.writeI8(op[1]); break;
      case 'i16': writer.writeI16(op[1]); break;
      case 'i32': writer.writeI32(op[1]); break;
      case 'i64': writer.writeI64(op[1]); break;
      case 'double': writer.writeDouble(op[1]); break;
      case 'string': writer.writeString(op[1]); break;
      case 'binary': writer.writeBinary(op[1]); break;
    }
  }
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes from hex, ignoring spaces. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

/** Field ids and values of {@link KITCHEN_SINK_OPS}, as {@link readKitchenSink} returns them. */
export const KITCHEN_SINK_STRINGS = Array.from({ length: 16 }, (_, i) => `item-${i}`);

/**
 * A call message whose argument struct uses every type, both field-header forms (short deltas,
 * a long jump, a negative id), a nested struct, bool fields and bool elements, long and short
 * container headers, and an empty map.
 */
export const KITCHEN_SINK_OPS: readonly Op[] = [
  ['message', 'getThing', 1, 42],
  ['structBegin'],
  ['field', 3, 1], ['i8', -5], ['fieldEnd'],
  ['field', 6, 2], ['i16', -300], ['fieldEnd'],
  ['field', 8, 3], ['i32', 123456], ['fieldEnd'],
  ['field', 10, 4], ['i64', -9007199254740993n], ['fieldEnd'],
  ['field', 4, 5], ['double', 3.25], ['fieldEnd'],
  ['boolField', 6, true],
  ['boolField', 7, false],
  ['field', 11, 8], ['string', 'héllo ☃ 😀'], ['fieldEnd'],
  ['field', 11, 9], ['binary', new Uint8Array([0, 1, 2, 255])], ['fieldEnd'],
  ['field', 12, 30], ['structBegin'],
  ['field', 8, 1], ['i32', 7], ['fieldEnd'],
  ['boolField', 2, true],
  ['stop'], ['structEnd'], ['fieldEnd'],
  ['field', 15, 31], ['list', 8, 3], ['i32', 1], ['i32', 2], ['i32', 3], ['containerEnd'], ['fieldEnd'],
  ['field', 15, 32], ['list', 2, 2], ['bool', true], ['bool', false], ['containerEnd'], ['fieldEnd'],
  ['field', 14, 33], ['set', 11, 16], ...KITCHEN_SINK_STRINGS.map((s): Op => ['string', s]), ['containerEnd'], ['fieldEnd'],
  ['field', 13, 34], ['map', 11, 10, 2], ['string', 'a'], ['i64', 1n], ['string', 'b'], ['i64', -1n], ['containerEnd'], ['fieldEnd'],
  ['field', 13, 35], ['map', 8, 8, 0], ['containerEnd'], ['fieldEnd'],
  ['field', 13, 36], ['map', 8, 2, 1], ['i32', -7], ['bool', true], ['containerEnd'], ['fieldEnd'],
  ['field', 15, 37], ['list', 15, 1], ['list', 4, 1], ['double', 0.5], ['containerEnd'], ['containerEnd'], ['fieldEnd'],
  ['field', 8, -1], ['i32', 9], ['fieldEnd'],
  ['field', 6, 40], ['i16', 32767], ['fieldEnd'],
  ['stop'],
  ['structEnd'],
];

/** Reads {@link KITCHEN_SINK_OPS} back, field by field, checking each header; returns the values. */
export function readKitchenSink(r: Reader): unknown[] {
  const out: unknown[] = [];
  const header = r.readMessageBegin();
  out.push(header.name, header.type, header.seqId);
  r.readStructBegin();
  const field = (type: number, id: number): void => {
    const t = r.readFieldBegin();
    if (t !== type || r.fieldId !== id) throw new Error(`expected field ${id} of type ${type}, got ${r.fieldId}/${t}`);
  };
  field(3, 1); out.push(r.readI8());
  field(6, 2); out.push(r.readI16());
  field(8, 3); out.push(r.readI32());
  field(10, 4); out.push(r.readI64());
  field(4, 5); out.push(r.readDouble());
  field(2, 6); out.push(r.readBool());
  field(2, 7); out.push(r.readBool());
  field(11, 8); out.push(r.readString());
  field(11, 9); out.push(r.readBinary());
  field(12, 30);
  r.readStructBegin();
  field(8, 1); out.push(r.readI32());
  field(2, 2); out.push(r.readBool());
  field(0, 2);
  r.readStructEnd();
  field(15, 31);
  for (let n = r.readListBegin(), i = 0; i < n; i++) out.push(r.readI32());
  r.readListEnd();
  field(15, 32);
  for (let n = r.readListBegin(), i = 0; i < n; i++) out.push(r.readBool());
  r.readListEnd();
  field(14, 33);
  for (let n = r.readSetBegin(), i = 0; i < n; i++) out.push(r.readString());
  r.readSetEnd();
  field(13, 34);
  for (let n = r.readMapBegin(), i = 0; i < n; i++) out.push(r.readString(), r.readI64());
  r.readMapEnd();
  field(13, 35);
  out.push(r.readMapBegin());
  r.readMapEnd();
  field(13, 36);
  for (let n = r.readMapBegin(), i = 0; i < n; i++) out.push(r.readI32(), r.readBool());
  r.readMapEnd();
  field(15, 37);
  for (let n = r.readListBegin(), i = 0; i < n; i++) {
    for (let m = r.readListBegin(), j = 0; j < m; j++) out.push(r.readDouble());
    r.readListEnd();
  }
  r.readListEnd();
  field(8, -1); out.push(r.readI32());
  field(6, 40); out.push(r.readI16());
  if (r.readFieldBegin() !== 0) throw new Error('expected stop');
  r.readStructEnd();
  r.expectEnd();
  return out;
}

/** The values {@link readKitchenSink} returns for {@link KITCHEN_SINK_OPS}. */
export const KITCHEN_SINK_VALUES: readonly unknown[] = [
  'getThing', 1, 42,
  -5, -300, 123456, -9007199254740993n, 3.25, true, false, 'héllo ☃ 😀', new Uint8Array([0, 1, 2, 255]),
  7, true,
  1, 2, 3,
  true, false,
  ...KITCHEN_SINK_STRINGS,
  'a', 1n, 'b', -1n,
  0,
  -7, true,
  0.5,
  9, 32767,
];

/** Runs `fn` and returns the ProtocolError it throws (failing on any other outcome). */
export function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected a ProtocolError');
}
