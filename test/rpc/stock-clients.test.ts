/**
 * Stock Thrift clients on skiff's port: requests written by the npm `thrift` library's own
 * TFramedTransport with TBinaryProtocol (strict and old non-strict) and TCompactProtocol, on the
 * same port a skiff channel uses, get answers in kind that the same library decodes.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from 'skiff/runtime';
import { UserStore } from '../../demo/user-store.js';
import { Role, UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { HealthStatus } from '../../generated/common/types.js';
import { Cleanup, openChannel, RawClient, startServer } from './fixtures/harness.js';

/** The parts of the npm `thrift` library used here (it ships no types). */
interface ThriftProtocol {
  writeMessageBegin(name: string, type: number, seqId: number): void;
  writeMessageEnd(): void;
  writeStructBegin(name: string): void;
  writeStructEnd(): void;
  writeFieldBegin(name: string, type: number, id: number): void;
  writeFieldEnd(): void;
  writeFieldStop(): void;
  writeI64(value: number): void;
  readMessageBegin(): { fname: string | Buffer; mtype: number; rseqid: number };
  readMessageEnd(): void;
  readStructBegin(): void;
  readStructEnd(): void;
  readFieldBegin(): { fname: string; ftype: number; fid: number };
  readFieldEnd(): void;
  readString(): string;
  readI32(): number;
  readI64(): { toNumber(allowImprecise?: boolean): number };
  skip(type: number): void;
}
interface ThriftTransport {
  flush(): void;
}
interface ThriftLibrary {
  TFramedTransport: new (buffer?: Buffer, onFlush?: (frame: Buffer) => void) => ThriftTransport;
  TBinaryProtocol: new (transport: ThriftTransport, strictRead?: boolean, strictWrite?: boolean) => ThriftProtocol;
  TCompactProtocol: new (transport: ThriftTransport) => ThriftProtocol;
  Thrift: {
    Type: Record<'STOP' | 'STRING' | 'I32' | 'I64' | 'STRUCT', number>;
    MessageType: Record<'CALL' | 'REPLY' | 'EXCEPTION' | 'ONEWAY', number>;
    TApplicationException: new () => { message: string; type: number; read(input: ThriftProtocol): void };
    TApplicationExceptionType: Record<'UNKNOWN_METHOD' | 'INTERNAL_ERROR', number>;
  };
}

const require = createRequire(import.meta.url);
const thrift = require('thrift') as ThriftLibrary;
const { Type, MessageType } = thrift.Thrift;

type Flavor = 'binary (strict)' | 'binary (old, non-strict)' | 'compact';

function protocolFor(flavor: Flavor, transport: ThriftTransport): ThriftProtocol {
  if (flavor === 'compact') return new thrift.TCompactProtocol(transport);
  return new thrift.TBinaryProtocol(transport, false, flavor === 'binary (strict)');
}

/** One framed request written by the library: `args` writes the fields of `<method>_args`. */
function request(flavor: Flavor, name: string, seqId: number, args: (p: ThriftProtocol) => void = () => {}): Uint8Array {
  let frame: Buffer | undefined;
  const transport = new thrift.TFramedTransport(undefined, (bytes) => (frame = bytes));
  const p = protocolFor(flavor, transport);
  p.writeMessageBegin(name, MessageType.CALL, seqId);
  p.writeStructBegin(`${name}_args`);
  args(p);
  p.writeFieldStop();
  p.writeStructEnd();
  p.writeMessageEnd();
  transport.flush();
  return frame!;
}

/** Reads a reply frame (bytes after the length) with the library. */
function replyReader(flavor: Flavor, frame: Uint8Array): ThriftProtocol {
  return protocolFor(flavor, new thrift.TFramedTransport(Buffer.from(frame)));
}

/** Reads a `<method>_result` struct: the id and value of its one set field. */
function readResult(p: ThriftProtocol, readField: (p: ThriftProtocol, fieldId: number, type: number) => unknown): { fieldId: number; value: unknown } {
  p.readStructBegin();
  let result: { fieldId: number; value: unknown } | undefined;
  for (let field = p.readFieldBegin(); field.ftype !== Type.STOP; field = p.readFieldBegin()) {
    result = { fieldId: field.fid, value: readField(p, field.fid, field.ftype) };
    p.readFieldEnd();
  }
  p.readStructEnd();
  return result!;
}

/** Reads a struct's string, i32 and i64 fields by id (others skipped). */
function readStruct(p: ThriftProtocol): Map<number, string | number> {
  const fields = new Map<number, string | number>();
  p.readStructBegin();
  for (let field = p.readFieldBegin(); field.ftype !== Type.STOP; field = p.readFieldBegin()) {
    if (field.ftype === Type.STRING) fields.set(field.fid, p.readString());
    else if (field.ftype === Type.I32) fields.set(field.fid, p.readI32());
    else if (field.ftype === Type.I64) fields.set(field.fid, p.readI64().toNumber(true));
    else p.skip(field.ftype);
    p.readFieldEnd();
  }
  p.readStructEnd();
  return fields;
}

const FLAVORS: readonly Flavor[] = ['binary (strict)', 'binary (old, non-strict)', 'compact'];

describe.each(FLAVORS)('a stock TFramedTransport client, %s protocol', (flavor) => {
  const cleanup = new Cleanup();
  let port: number;
  let userId: number;

  beforeAll(async () => {
    ({ port } = await startServer(cleanup, (s) => s.addService(UserService, new UserStore(() => 1_700_000_000_123n)), { logger: silentLogger }));
    // A skiff channel shares the port with the stock clients.
    const skiff = new UserServiceClient(openChannel(cleanup, port));
    userId = Number((await skiff.createUser({ email: 'stock@example.com', displayName: 'Stock', role: Role.EDITOR }, { timeoutMs: 5000 })).id);
  });
  afterAll(() => cleanup.run());

  it('gets replies in kind for pipelined calls, matched by seqid', async () => {
    const raw = await RawClient.connect(cleanup, port);
    raw.send(request(flavor, 'ping', 101));
    raw.send(request(flavor, 'health', 102));
    raw.send(request(flavor, 'getUser', 103, (p) => {
      p.writeFieldBegin('id', Type.I64, 1);
      p.writeI64(userId);
      p.writeFieldEnd();
    }));
    const frames = await raw.waitForFrames(3);
    const bySeqId = new Map<number, { name: string; p: ThriftProtocol }>();
    for (const frame of frames) {
      // In kind: a bare framed reply, in the request's protocol (the library refuses anything else).
      expect([frame[0], frame[1]]).not.toEqual([0x0f, 0xff]);
      const p = replyReader(flavor, frame);
      const message = p.readMessageBegin();
      expect(message.mtype).toBe(MessageType.REPLY);
      bySeqId.set(message.rseqid, { name: String(message.fname), p });
    }
    expect([...bySeqId.keys()].sort()).toEqual([101, 102, 103]);

    const ping = bySeqId.get(101)!;
    expect(ping.name).toBe('ping');
    expect(readResult(ping.p, (p) => p.readString())).toEqual({ fieldId: 0, value: 'pong' });
    const health = bySeqId.get(102)!;
    expect(readResult(health.p, (p) => p.readI32())).toEqual({ fieldId: 0, value: HealthStatus.SERVING });
    const user = readResult(bySeqId.get(103)!.p, (p) => readStruct(p));
    expect(user.fieldId).toBe(0);
    const fields = user.value as Map<number, string | number>;
    expect(fields.get(1)).toBe(userId);
    expect(fields.get(2)).toBe('stock@example.com');
    expect(fields.get(3)).toBe('Stock');
    expect(fields.get(4)).toBe(Role.EDITOR);
    expect(fields.get(6)).toBe(1_700_000_000_123);
  });

  it('gets a declared exception as its result field, and an unknown method as TApplicationException UNKNOWN_METHOD', async () => {
    const raw = await RawClient.connect(cleanup, port);
    raw.send(request(flavor, 'getUser', 7, (p) => {
      p.writeFieldBegin('id', Type.I64, 1);
      p.writeI64(987_654);
      p.writeFieldEnd();
    }));
    const notFound = replyReader(flavor, (await raw.waitForFrames(1))[0]!);
    expect(notFound.readMessageBegin()).toMatchObject({ mtype: MessageType.REPLY, rseqid: 7 });
    const result = readResult(notFound, (p, fieldId, type) => (fieldId === 1 && type === Type.STRUCT ? readStruct(p) : p.skip(type)));
    expect(result.fieldId).toBe(1);
    expect(result.value).toEqual(
      new Map<number, string | number>([
        [1, 'no user 987654'],
        [2, 'user'],
        [3, '987654'],
      ]),
    );

    raw.send(request(flavor, 'dropTables', 8));
    const unknown = replyReader(flavor, (await raw.waitForFrames(2))[1]!);
    expect(unknown.readMessageBegin()).toMatchObject({ mtype: MessageType.EXCEPTION, rseqid: 8 });
    const exception = new thrift.Thrift.TApplicationException();
    exception.read(unknown);
    expect(exception.type).toBe(thrift.Thrift.TApplicationExceptionType.UNKNOWN_METHOD);
    expect(exception.message).toContain('dropTables');
    // The connection goes on after both.
    raw.send(request(flavor, 'ping', 9));
    const again = replyReader(flavor, (await raw.waitForFrames(3))[2]!);
    expect(again.readMessageBegin()).toMatchObject({ mtype: MessageType.REPLY, rseqid: 9 });
  });
});
