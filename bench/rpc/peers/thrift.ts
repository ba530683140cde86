/**
 * The npm `thrift` library on both sides, with the code `thrift --gen js:node,es6` generates:
 * `thrift.createServer(EchoService, handler, { transport: TFramedTransport, protocol })` and
 * `thrift.createClient(EchoService, thrift.createConnection(...))`, in compact and in binary.
 *
 * Its client does multiplex: every call gets a new seqid, the reply is matched through the
 * client's `_reqs[seqid]` table, so many calls may be in flight on one connection. What it does
 * not do is batch: each call is a separate `socket.write`, and so is each reply of its server.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { checkEcho, ITEMS } from '../fixture.js';
import type { BenchClient, ClientPeer, GeneratedCode, ServerPeer } from '../peer.js';
import { listenOnLoopback } from './loopback-server.js';

const require = createRequire(import.meta.url);

/** The generated `Item` class (i64 as node-int64). */
interface ThriftItem {
  id: { toNumber(allowImprecise?: boolean): number };
  name: string;
  tags: string[];
  score: number;
}

/** The slice of the npm `thrift` API used here (it ships no types). */
interface ThriftLibrary {
  readonly TFramedTransport: unknown;
  readonly TCompactProtocol: unknown;
  readonly TBinaryProtocol: unknown;
  readonly Int64: new (value: number) => ThriftItem['id'];
  createServer(service: unknown, handler: unknown, options: unknown): Server;
  createConnection(host: string, port: number, options: unknown): ThriftConnection;
  createClient(service: unknown, connection: ThriftConnection): ThriftEchoClient;
}

interface ThriftConnection {
  on(event: 'error' | 'close' | 'connect', listener: (...args: unknown[]) => void): void;
  once(event: 'error' | 'close' | 'connect', listener: (...args: unknown[]) => void): void;
  end(): void;
}

interface ThriftEchoClient {
  echo(item: ThriftItem): Promise<ThriftItem>;
}

/** Which of the library's protocols a peer speaks. */
type ThriftProtocol = 'compact' | 'binary';

interface GeneratedThrift {
  readonly service: unknown;
  readonly Item: new (init: Record<string, unknown>) => ThriftItem;
}

function load(generated: GeneratedCode): GeneratedThrift {
  return {
    service: require(join(generated.thriftDir, 'EchoService.js')) as unknown,
    Item: (require(join(generated.thriftDir, 'echo_types.js')) as { Item: GeneratedThrift['Item'] }).Item,
  };
}

const thrift = (): ThriftLibrary => require('thrift') as ThriftLibrary;

function options(protocol: ThriftProtocol): { transport: unknown; protocol: unknown } {
  const lib = thrift();
  return { transport: lib.TFramedTransport, protocol: protocol === 'compact' ? lib.TCompactProtocol : lib.TBinaryProtocol };
}

/** The npm thrift server, framed; its handler returns the decoded item. */
function thriftServer(name: string, protocol: ThriftProtocol): ServerPeer {
  return {
    name,
    async serve(generated) {
      const { service } = load(generated);
      const server = thrift().createServer(service, { echo: (item: ThriftItem) => item }, options(protocol));
      server.on('error', (error) => process.stderr.write(`thrift server error: ${String(error)}\n`));
      return listenOnLoopback(server, 'thrift');
    },
  };
}

/** The npm thrift client, framed, promise API. */
function thriftClient(name: string, protocol: ThriftProtocol): ClientPeer {
  return {
    name,
    wire: `TFramedTransport + ${protocol}`,
    async connect(generated, port) {
      const { service, Item } = load(generated);
      const lib = thrift();
      const connection = lib.createConnection('127.0.0.1', port, { ...options(protocol), max_attempts: 0 });
      let failure: unknown;
      connection.on('error', (error) => {
        failure = error;
      });
      await new Promise<void>((resolve, reject) => {
        connection.once('connect', () => resolve());
        connection.once('error', reject);
      });
      const client = lib.createClient(service, connection);
      const items = ITEMS.map((item) => new Item({ ...item, id: new lib.Int64(item.id), tags: [...item.tags] }));
      const echo = (index: number): Promise<ThriftItem> => {
        if (failure !== undefined) return Promise.reject(failure instanceof Error ? failure : new Error(String(failure)));
        return client.echo(items[index % items.length]!);
      };
      const bench: BenchClient = {
        async call(index) {
          const reply = await echo(index);
          checkEcho(name, index, reply.id.toNumber(), reply.name);
        },
        async echo(index) {
          const reply = await echo(index);
          return { id: reply.id.toNumber(), name: reply.name, tags: reply.tags, score: reply.score };
        },
        close: () =>
          new Promise<void>((resolve) => {
            connection.once('close', () => resolve());
            connection.end();
          }),
      };
      return bench;
    },
  };
}

/** npm thrift server, framed compact. */
export const thriftServerCompact = thriftServer('thrift', 'compact');
/** npm thrift server, framed binary. */
export const thriftServerBinary = thriftServer('thrift-binary', 'binary');
/** npm thrift client, framed compact. */
export const thriftClientCompact = thriftClient('thrift', 'compact');
/** npm thrift client, framed binary. */
export const thriftClientBinary = thriftClient('thrift-binary', 'binary');
