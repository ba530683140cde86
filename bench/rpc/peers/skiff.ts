/**
 * skiff on both sides, as an application uses it: rpcgen's `UserServiceClient` over
 * `createChannel` (one connection), `createServer().addService(UserService, handler)`.
 */
import { pathToFileURL } from 'node:url';
import { createChannel, createServer, type CallOptions, type Channel, type Framing, type ServiceDescriptor } from '../../../runtime/index.js';
import { checkPong, checkUser, USERS } from '../fixture.js';
import type { BenchClient, ClientPeer, GeneratedCode, ServerPeer, Workload } from '../peer.js';

/** The parts of the generated module the benchmark uses. */
interface UserServiceModule {
  readonly UserService: ServiceDescriptor<unknown>;
  readonly UserServiceClient: new (channel: Channel) => {
    ping(options?: CallOptions): Promise<string>;
    getUser(id: bigint, options?: CallOptions): Promise<{ readonly id: bigint; readonly email: string }>;
  };
  readonly User: { create(init: Record<string, unknown>): unknown };
}

async function load(generated: GeneratedCode): Promise<UserServiceModule> {
  return (await import(pathToFileURL(generated.skiffUserService).href)) as UserServiceModule;
}

/** skiff's server: every framing on one port; the handler answers from prebuilt values. */
export const skiffServer: ServerPeer = {
  name: 'skiff',
  async serve(generated) {
    const { UserService, User } = await load(generated);
    const users = new Map(
      USERS.map((u) => [
        BigInt(u.id),
        User.create({
          ...u,
          id: BigInt(u.id),
          createdAt: BigInt(u.createdAt),
          lastLoginAt: BigInt(u.lastLoginAt),
          tags: new Set(u.tags),
          preferences: new Map(Object.entries(u.preferences)),
        }),
      ]),
    );
    const handler = {
      ping: () => 'pong',
      health: () => 1,
      getUser: (id: bigint) => {
        const user = users.get(id);
        if (user === undefined) throw new Error(`no user ${id}`);
        return user;
      },
    };
    const server = createServer().addService(UserService, handler);
    const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
    return { port, close: async () => void (await server.close({ graceMs: 1000 })) };
  },
};

/**
 * Calls carry a 60 s deadline: every skiff call has one (getUser declares 200 ms, which a loaded
 * machine could exceed at 256 in flight), so each call pays for its timer.
 */
const CALL_OPTIONS: CallOptions = { timeoutMs: 60_000 };

function skiffClient(name: string, framing: Framing, wire: string): ClientPeer {
  return {
    name,
    wire,
    async connect(generated, port) {
      const { UserServiceClient } = await load(generated);
      const channel = createChannel({ host: '127.0.0.1', port, connections: 1, framing, protocol: 'compact' });
      const client = new UserServiceClient(channel);
      const ids = USERS.map((u) => BigInt(u.id));
      const bench: BenchClient = {
        async call(workload: Workload, key: number) {
          if (workload === 'ping') {
            checkPong(name, await client.ping(CALL_OPTIONS));
          } else {
            const user = await client.getUser(ids[key - 1]!, CALL_OPTIONS);
            checkUser(name, key, Number(user.id), user.email);
          }
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
