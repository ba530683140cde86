/**
 * skiff on both sides, as an application uses it: rpcgen's `EchoServiceClient` over
 * `createChannel` (one connection), `createServer().addService(EchoService, handler)`.
 */
import { pathToFileURL } from 'node:url';
import { createChannel, createServer, type CallOptions, type Channel, type Framing, type ServiceDescriptor } from '../../../runtime/index.js';
import { checkEcho, ITEMS } from '../fixture.js';
import type { BenchClient, ClientPeer, GeneratedCode, ServerPeer } from '../peer.js';

/** rpcgen's `Item`. */
interface SkiffItem {
  id?: bigint;
  name?: string;
  tags?: string[];
  score?: number;
}

/** The parts of the generated module the benchmark uses. */
interface EchoModule {
  readonly EchoService: ServiceDescriptor<unknown>;
  readonly EchoServiceClient: new (channel: Channel) => { echo(item: SkiffItem, options?: CallOptions): Promise<SkiffItem> };
}

async function load(generated: GeneratedCode): Promise<EchoModule> {
  return (await import(pathToFileURL(generated.skiffEcho).href)) as EchoModule;
}

/** skiff's server: every framing and protocol on one port; the handler returns the decoded item. */
export const skiffServer: ServerPeer = {
  name: 'skiff',
  async serve(generated) {
    const { EchoService } = await load(generated);
    const server = createServer().addService(EchoService, { echo: (item: SkiffItem) => item });
    const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
    return { port, close: async () => void (await server.close({ graceMs: 1000 })) };
  },
};

/**
 * Calls carry a 60 s deadline, as production calls do: each pays for keeping it (and, with
 * THeader, for a `skiff-timeout-ms` header). grpc-js calls get the same deadline; thrift has none.
 */
const CALL_OPTIONS: CallOptions = { timeoutMs: 60_000 };

function skiffClient(name: string, framing: Framing, wire: string): ClientPeer {
  return {
    name,
    wire,
    async connect(generated, port) {
      const { EchoServiceClient } = await load(generated);
      const channel = createChannel({ host: '127.0.0.1', port, connections: 1, framing, protocol: 'compact' });
      const client = new EchoServiceClient(channel);
      const items: SkiffItem[] = ITEMS.map((item) => ({ id: BigInt(item.id), name: item.name, tags: [...item.tags], score: item.score }));
      const echo = (index: number): Promise<SkiffItem> => client.echo(items[index % items.length]!, CALL_OPTIONS);
      const bench: BenchClient = {
        async call(index) {
          const reply = await echo(index);
          checkEcho(name, index, Number(reply.id), reply.name ?? '');
        },
        async echo(index) {
          const reply = await echo(index);
          return { id: Number(reply.id), name: reply.name ?? '', tags: reply.tags ?? [], score: reply.score ?? Number.NaN };
        },
        close: () => channel.close(),
      };
      return bench;
    },
  };
}

/** skiff's native client: THeader frames (deadline header, cancel on give-up), compact. */
export const skiffClientHeader = skiffClient('skiff', 'header', 'THeader + compact');
/** skiff's client in stock-Thrift mode: bare `TFramedTransport`, compact (for Thrift servers). */
export const skiffClientFramed = skiffClient('skiff-framed', 'framed', 'TFramedTransport + compact');
