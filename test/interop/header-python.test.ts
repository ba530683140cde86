/**
 * Byte-level THeader interop with Apache Thrift's own Python library (python3-thrift 0.17:
 * thrift/transport/THeaderTransport.py and thrift/protocol/THeaderProtocol.py), driven by
 * test/interop/python/header_peer.py.
 *
 * (a) Frames we write (beginHeaderFrame/endFrame, Compact and Binary payloads, info headers of
 *     every size class) are read by Python's THeaderProtocol, which must see our seqid, protocol,
 *     headers and message; TApplicationException bodies are decoded by Thrift's own class. Our
 *     plain TFramedTransport frames are detected by Python as framed compact/binary, and our
 *     control frames (empty payload) are read by its THeaderTransport.
 * (b) Frames Python writes (with write headers) parse with parseHeaderFrame/unwrapFrame and the
 *     messages read with our CompactReader/BinaryReader; with the same inputs our frames are
 *     byte-identical to Python's. A zlib transform, which skiff does not support, is refused.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, requireThrift } from './thrift-tools.js';
import { ProtocolError } from '../../runtime/errors.js';
import {
  ApplicationExceptionType,
  readApplicationException,
  writeApplicationException,
} from '../../runtime/protocol/application-exception.js';
import { BinaryReader, BinaryWriter } from '../../runtime/protocol/binary.js';
import { CompactReader, CompactWriter } from '../../runtime/protocol/compact.js';
import { FrameDecoder } from '../../runtime/protocol/frame-decoder.js';
import { headerProtocolId, unwrapFrame, type IncomingFrame, type WireProtocol } from '../../runtime/protocol/framing.js';
import { HeaderProtocolId, beginHeaderFrame, beginPlainFrame, endFrame, parseHeaderFrame } from '../../runtime/protocol/header.js';
import { MessageType, TType, type Reader, type Writer } from '../../runtime/protocol/types.js';

const PEER_SCRIPT = join(import.meta.dirname, 'python/header_peer.py');
const PROTOCOLS: readonly WireProtocol[] = ['compact', 'binary'];

// ---------------------------------------------------------------------------------------------
// The Python peer.

/** A message body both sides can write and read without generated code. */
type Body =
  | { readonly kind: 'exception'; readonly message: string; readonly type: number }
  | { readonly kind: 'struct'; readonly fields: readonly (readonly [number, 'string', string] | readonly [number, 'i32', number])[] };

interface PythonMessage {
  readonly clientType: string;
  readonly seqId: number;
  readonly protocolId: number;
  readonly flags: number;
  readonly headers: [string, string][];
  readonly name: string;
  readonly type: number;
  readonly messageSeqId: number;
  readonly body: Body;
  readonly left: number;
}

type Job =
  | { readonly op: 'read'; readonly hex: string; readonly count: number; readonly allow?: readonly string[] }
  | { readonly op: 'frames'; readonly hex: string; readonly count: number }
  | {
      readonly op: 'write';
      readonly protocol: WireProtocol;
      readonly headers: readonly (readonly [string, string])[];
      readonly seqId: number;
      readonly name: string;
      readonly type: number;
      readonly body: Body;
      readonly zlib?: boolean;
    };

interface JobResult {
  readonly messages?: PythonMessage[];
  readonly frames?: { seqId: number; headers: [string, string][]; payload: string }[];
  readonly hex?: string;
  readonly error?: string;
}

/** Runs jobs through header_peer.py; a job Python failed is a test failure with Python's error. */
function runPython(jobs: readonly Job[]): JobResult[] {
  const output = execFileSync(PYTHON, [PEER_SCRIPT], { input: JSON.stringify(jobs), encoding: 'utf8' });
  const results = JSON.parse(output) as JobResult[];
  results.forEach((result, i) => {
    if (result.error !== undefined) throw new Error(`header_peer.py job ${i} (${jobs[i]!.op}): ${result.error}`);
  });
  return results;
}

const pythonReads = (stream: Uint8Array, count: number, allow?: readonly string[]): PythonMessage[] =>
  runPython([{ op: 'read', hex: hex(stream), count, ...(allow ? { allow } : {}) }])[0]!.messages!;

// ---------------------------------------------------------------------------------------------
// Our side.

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

const writerFor = (protocol: WireProtocol): CompactWriter | BinaryWriter =>
  protocol === 'compact' ? new CompactWriter() : new BinaryWriter();
const readerFor = (protocol: WireProtocol, bytes: Uint8Array): Reader =>
  protocol === 'compact' ? new CompactReader(bytes) : new BinaryReader(bytes);

function writeBody(w: Writer, body: Body): void {
  if (body.kind === 'exception') {
    writeApplicationException(w, body);
    return;
  }
  w.writeStructBegin();
  for (const [id, kind, value] of body.fields) {
    if (kind === 'string') {
      w.writeFieldBegin(TType.STRING, id);
      w.writeString(value);
    } else {
      w.writeFieldBegin(TType.I32, id);
      w.writeI32(value);
    }
  }
  w.writeFieldStop();
  w.writeStructEnd();
}

function readBody(r: Reader, type: number): Body {
  if (type === MessageType.EXCEPTION) return { kind: 'exception', ...readApplicationException(r) };
  const fields: (readonly [number, 'string', string] | readonly [number, 'i32', number])[] = [];
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    if (t === TType.STRING) fields.push([r.fieldId, 'string', r.readString()]);
    else if (t === TType.I32) fields.push([r.fieldId, 'i32', r.readI32()]);
    else throw new Error(`unexpected field type ${t}`);
  }
  r.readStructEnd();
  return { kind: 'struct', fields };
}

interface Message {
  readonly protocol: WireProtocol;
  readonly seqId: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly name: string;
  readonly type: MessageType;
  readonly body: Body;
}

/** Appends one THeader frame holding `m` to `w` (a writer of `m.protocol`). */
function writeHeaderFrame(w: Writer & (CompactWriter | BinaryWriter), m: Message): void {
  const mark = beginHeaderFrame(w, m.seqId, headerProtocolId(m.protocol), m.headers);
  w.writeMessageBegin(m.name, m.type, m.seqId);
  writeBody(w, m.body);
  endFrame(w, mark);
}

function headerFrame(m: Message): Uint8Array {
  const w = writerFor(m.protocol);
  writeHeaderFrame(w, m);
  return w.finish();
}

/** Every frame of `stream`, unwrapped. */
function unwrapAll(stream: Uint8Array): IncomingFrame[] {
  const decoder = new FrameDecoder();
  const out: IncomingFrame[] = [];
  decoder.push(stream, (frame) => out.push(unwrapFrame(frame, decoder.lastFrameOffset)));
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

// ---------------------------------------------------------------------------------------------

const USER_CALL: Body = { kind: 'struct', fields: [[1, 'string', 'ada@example.com'], [2, 'i32', -42]] };
const EXCEPTION: Body = { kind: 'exception', message: 'server overloaded, try later', type: ApplicationExceptionType.LOADSHEDDING };
const HEADER_SETS: readonly (readonly [string, ReadonlyMap<string, string>])[] = [
  ['no headers', new Map()],
  ['skiff headers', new Map([['skiff-features', 'control'], ['skiff-timeout-ms', '1500']])],
  ['non-ASCII', new Map([['ключ', 'значение 😀'], ['語', 'é']])],
  ['long (>= 128 bytes)', new Map([['trace-'.repeat(30), 'v'.repeat(300)], ['k', '語'.repeat(50)]])],
];

beforeAll(() => {
  requireThrift();
});

describe('(a) Python THeaderTransport reads frames we write', () => {
  describe.each(PROTOCOLS)('%s', (protocol) => {
    it.each(HEADER_SETS)('a call with %s', (_name, headers) => {
      const m: Message = { protocol, seqId: 7, headers, name: 'getUser', type: MessageType.CALL, body: USER_CALL };
      expect(pythonReads(headerFrame(m), 1)).toEqual([
        {
          clientType: 'headers',
          seqId: 7,
          protocolId: headerProtocolId(protocol),
          flags: 0,
          headers: [...headers],
          name: 'getUser',
          type: MessageType.CALL,
          messageSeqId: 7,
          body: USER_CALL,
          left: 0,
        },
      ]);
    });

    it('an EXCEPTION message, decoded by Thrift\'s TApplicationException', () => {
      const m: Message = {
        protocol,
        seqId: -5,
        headers: new Map([['skiff-status', 'RESOURCE_EXHAUSTED']]),
        name: 'getUser',
        type: MessageType.EXCEPTION,
        body: EXCEPTION,
      };
      const [read] = pythonReads(headerFrame(m), 1);
      expect(read).toMatchObject({ seqId: -5, messageSeqId: -5, type: MessageType.EXCEPTION, body: EXCEPTION, left: 0 });
      expect(read!.headers).toEqual([['skiff-status', 'RESOURCE_EXHAUSTED']]);
    });
  });

  it('several frames in one stream, switching protocol per frame, extreme seqids', () => {
    const seqIds = [0, -1, 2 ** 31 - 1, -(2 ** 31)];
    const messages: Message[] = seqIds.map((seqId, i) => ({
      protocol: PROTOCOLS[i % 2]!,
      seqId,
      headers: new Map([['n', String(i)]]),
      name: `m${i}`,
      type: MessageType.CALL,
      body: { kind: 'struct', fields: [[1, 'i32', seqId]] },
    }));
    const read = pythonReads(concat(messages.map(headerFrame)), messages.length);
    expect(read.map((r) => [r.seqId, r.messageSeqId, r.protocolId, r.name, r.headers, r.body])).toEqual(
      messages.map((m) => [m.seqId, m.seqId, headerProtocolId(m.protocol), m.name, [...m.headers], m.body]),
    );
  });

  it.each([
    ['compact', 'framed_compact', () => new CompactWriter()],
    ['binary', 'framed_binary', () => new BinaryWriter()],
  ] as const)('our plain %s frame is detected by Python as %s', (_protocol, clientType, make) => {
    const w = make();
    const mark = beginPlainFrame(w);
    w.writeMessageBegin('getUser', MessageType.CALL, 3);
    writeBody(w, USER_CALL);
    endFrame(w, mark);
    const [read] = pythonReads(w.finish(), 1, ['headers', 'framed_compact', 'framed_binary']);
    expect(read).toMatchObject({ clientType, name: 'getUser', messageSeqId: 3, body: USER_CALL, left: 0 });
  });

  it('control frames (empty payload) are read by THeaderTransport with their headers', () => {
    const w = new CompactWriter();
    for (const [seqId, control] of [[0, 'ping'], [12, 'cancel'], [0, 'goaway']] as const) {
      endFrame(w, beginHeaderFrame(w, seqId, HeaderProtocolId.COMPACT, new Map([['skiff-control', control]])));
    }
    const [result] = runPython([{ op: 'frames', hex: hex(w.finish()), count: 3 }]);
    expect(result!.frames).toEqual([
      { seqId: 0, headers: [['skiff-control', 'ping']], payload: '' },
      { seqId: 12, headers: [['skiff-control', 'cancel']], payload: '' },
      { seqId: 0, headers: [['skiff-control', 'goaway']], payload: '' },
    ]);
  });
});

describe('(b) frames Python writes parse with parseHeaderFrame / unwrapFrame', () => {
  const cases: readonly Message[] = PROTOCOLS.flatMap((protocol) =>
    HEADER_SETS.flatMap(([, headers]) => [
      { protocol, seqId: 99, headers, name: 'getUser', type: MessageType.CALL, body: USER_CALL },
      { protocol, seqId: -(2 ** 31), headers, name: 'getUser', type: MessageType.EXCEPTION, body: EXCEPTION },
    ]),
  );
  const label = (m: Message) =>
    `${m.protocol}, ${m.type === MessageType.CALL ? 'call' : 'exception'}, headers ${[...m.headers.keys()].map((k) => k.slice(0, 12)).join(',') || '-'}`;

  it.each(cases.map((m) => [label(m), m] as const))('%s', (_name, m) => {
    const [written] = runPython([
      { op: 'write', protocol: m.protocol, headers: [...m.headers], seqId: m.seqId, name: m.name, type: m.type, body: m.body },
    ]);
    const stream = fromHex(written!.hex!);

    const [incoming] = unwrapAll(stream);
    expect(incoming).toMatchObject({ framing: 'header', protocol: m.protocol, seqId: m.seqId });
    expect([...incoming!.headers]).toEqual([...m.headers]);
    const r = readerFor(m.protocol, incoming!.payload);
    expect(r.readMessageBegin()).toEqual({ name: m.name, type: m.type, seqId: m.seqId });
    expect(readBody(r, m.type)).toEqual(m.body);
    r.expectEnd();

    const parsed = parseHeaderFrame(stream.subarray(4));
    expect(parsed.flags).toBe(0);
    expect(parsed.protocolId).toBe(headerProtocolId(m.protocol));

    // Same inputs, same bytes: our writer and Thrift's agree on every byte of the frame.
    expect(hex(headerFrame(m))).toBe(written!.hex);
  });

  it('a zlib transform (unsupported by skiff) is refused with INVALID_VALUE at the transform count', () => {
    const [written] = runPython([
      { op: 'write', protocol: 'compact', headers: [['k', 'v']], seqId: 1, name: 'm', type: MessageType.CALL, body: USER_CALL, zlib: true },
    ]);
    const stream = fromHex(written!.hex!);
    const error = (() => {
      try {
        unwrapAll(stream);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ProtocolError);
    // length (4) + magic, flags, seqid, header size (10) + protocol id (1): the transform count.
    expect({ reason: (error as ProtocolError).reason, offset: (error as ProtocolError).offset }).toEqual({ reason: 'INVALID_VALUE', offset: 15 });
  });
});
