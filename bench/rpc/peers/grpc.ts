/**
 * `@grpc/grpc-js` on both sides, with protobufjs static code (`pbjs -t static-module`) as the
 * serialisers: the fastest way grpc-js is commonly used (proto-loader's reflection-based codecs
 * are slower). One `Client` is one channel with one HTTP/2 connection; each has its own
 * subchannel pool (`grpc.use_local_subchannel_pool`), because grpc-js otherwise shares one
 * connection among all clients of a target and "4 connections" would be one.
 */
import * as grpc from '@grpc/grpc-js';
import { pathToFileURL } from 'node:url';
import { checkEcho, ITEMS } from '../fixture.js';
import type { BenchClient, ClientPeer, GeneratedCode, ServerPeer } from '../peer.js';

/** protobufjs's int64 value: a `Long` (a number when no `long` library is installed). */
type Int64Value = number | { toNumber(): number };

/** A decoded or built `bench.echo.Item` message. */
interface ProtoItem {
  id: Int64Value;
  name: string;
  tags: string[];
  score: number;
}

/** The parts of the static module the peer uses. */
interface EchoProtoModule {
  readonly bench: {
    readonly echo: {
      readonly Item: {
        fromObject(object: Record<string, unknown>): ProtoItem;
        encode(message: ProtoItem): { finish(): Uint8Array };
        decode(bytes: Uint8Array): ProtoItem;
      };
    };
  };
}

const CONNECT_TIMEOUT_MS = 10_000;
/** The same per-call deadline skiff's calls carry (see skiff.ts). */
const DEADLINE_MS = 60_000;

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toNumber(value: Int64Value): number {
  return typeof value === 'number' ? value : value.toNumber();
}

async function definition(generated: GeneratedCode): Promise<{ service: grpc.ServiceDefinition; Item: EchoProtoModule['bench']['echo']['Item'] }> {
  const { Item } = ((await import(pathToFileURL(generated.protobufEcho).href)) as EchoProtoModule).bench.echo;
  const serialize = (message: ProtoItem): Buffer => toBuffer(Item.encode(message).finish());
  const deserialize = (bytes: Buffer): ProtoItem => Item.decode(bytes);
  const service: grpc.ServiceDefinition = {
    echo: {
      path: '/bench.echo.EchoService/Echo',
      requestStream: false,
      responseStream: false,
      requestSerialize: serialize,
      requestDeserialize: deserialize,
      responseSerialize: serialize,
      responseDeserialize: deserialize,
      originalName: 'echo',
    },
  };
  return { service, Item };
}

/** grpc-js's server; the handler returns the decoded message. */
export const grpcServer: ServerPeer = {
  name: 'grpc',
  async serve(generated) {
    const { service } = await definition(generated);
    const server = new grpc.Server();
    server.addService(service, {
      echo: (call: grpc.ServerUnaryCall<ProtoItem, ProtoItem>, callback: grpc.sendUnaryData<ProtoItem>) => callback(null, call.request),
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
    });
    return {
      port,
      close: () =>
        new Promise<void>((resolve) => {
          // tryShutdown waits for open calls; the clients are gone by now, so this is quick.
          server.tryShutdown(() => resolve());
        }),
    };
  },
};

/** The generic client's unary method, as the benchmark calls it. */
type UnaryEcho = (message: ProtoItem, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, reply?: ProtoItem) => void) => grpc.ClientUnaryCall;

/** grpc-js's client, one channel (one HTTP/2 connection). */
export const grpcClient: ClientPeer = {
  name: 'grpc',
  wire: 'HTTP/2 + protobuf',
  async connect(generated, port) {
    const { service, Item } = await definition(generated);
    const Client = grpc.makeGenericClientConstructor(service, 'EchoService');
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => (error === undefined ? resolve() : reject(error))));
    const method = (client as unknown as { echo: UnaryEcho }).echo.bind(client);
    const items = ITEMS.map((item) => Item.fromObject({ ...item, id: String(item.id), tags: [...item.tags] }));
    const echo = (index: number): Promise<ProtoItem> =>
      new Promise((resolve, reject) => {
        method(items[index % items.length]!, { deadline: Date.now() + DEADLINE_MS }, (error, reply) => {
          if (error !== null) reject(error);
          else if (reply === undefined) reject(new Error('grpc: echo returned no message'));
          else resolve(reply);
        });
      });
    const bench: BenchClient = {
      async call(index) {
        const reply = await echo(index);
        checkEcho('grpc', index, toNumber(reply.id), reply.name);
      },
      async echo(index) {
        const reply = await echo(index);
        return { id: toNumber(reply.id), name: reply.name, tags: reply.tags, score: reply.score };
      },
      close: async () => client.close(),
    };
    return bench;
  },
};
