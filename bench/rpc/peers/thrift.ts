/**
 * The npm `thrift` library on both sides, with the code `thrift --gen js:node,es6` generates:
 * `thrift.createServer(UserService, handler, { transport: TFramedTransport, protocol:
 * TCompactProtocol })` and `thrift.createClient(UserService, thrift.createConnection(...))`.
 *
 * Its client does multiplex: every call gets a new seqid, the reply is matched through the
 * client's `_reqs[seqid]` table, so many calls may be in flight on one connection. What it does
 * not do is batch: each call is a separate `socket.write`, and so is each reply of its server.
 */
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { checkPong, checkUser, USERS } from '../fixture.js';
import type { BenchClient, ClientPeer, GeneratedCode, ServerPeer, Workload } from '../peer.js';

const require = createRequire(import.meta.url);

/** The slice of the npm `thrift` API used here. */
interface ThriftLibrary {
  readonly TFramedTransport: unknown;
  readonly TCompactProtocol: unknown;
  readonly Int64: new (value: number) => { toNumber(allowImprecise?: boolean): number };
  createServer(service: unknown, handler: unknown, options: unknown): Server;
  createConnection(host: string, port: number, options: unknown): ThriftConnection;
  createClient(service: unknown, connection: ThriftConnection): ThriftUserClient;
}

interface ThriftConnection {
  on(event: 'error' | 'close' | 'connect', listener: (...args: unknown[]) => void): void;
  once(event: 'error' | 'close' | 'connect', listener: (...args: unknown[]) => void): void;
  end(): void;
  readonly connected: boolean;
}

interface ThriftUserClient {
  ping(): Promise<string>;
  getUser(id: unknown): Promise<{ id: { toNumber(): number }; email: string }>;
}

interface GeneratedThrift {
  readonly service: unknown;
  readonly User: new (init: Record<string, unknown>) => unknown;
}

function load(generated: GeneratedCode): GeneratedThrift {
  return {
    service: require(join(generated.thriftDir, 'UserService.js')) as unknown,
    User: (require(join(generated.thriftDir, 'user_service_types.js')) as { User: GeneratedThrift['User'] }).User,
  };
}

const thrift = (): ThriftLibrary => require('thrift') as ThriftLibrary;

const OPTIONS = (): { transport: unknown; protocol: unknown } => ({ transport: thrift().TFramedTransport, protocol: thrift().TCompactProtocol });

/** The npm thrift server, framed compact; promise-returning handler methods. */
export const thriftServer: ServerPeer = {
  name: 'thrift',
  async serve(generated) {
    const { service, User } = load(generated);
    const { Int64 } = thrift();
    const users = USERS.map(
      (u) => new User({ ...u, id: new Int64(u.id), createdAt: new Int64(u.createdAt), lastLoginAt: new Int64(u.lastLoginAt), tags: [...u.tags], preferences: { ...u.preferences } }),
    );
    const handler = {
      ping: () => 'pong',
      health: () => 1,
      getUser: (id: { toNumber(): number }) => {
        const user = users[id.toNumber() - 1];
        if (user === undefined) throw new Error(`no user ${id.toNumber()}`);
        return user;
      },
    };
    const server = thrift().createServer(service, handler, OPTIONS());
    server.on('error', (error) => process.stderr.write(`thrift server error: ${String(error)}\n`));
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('thrift server has no TCP address');
    return {
      port: address.port,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          // It has no drain of its own: close the connections it still has.
          for (const socket of sockets) socket.destroy();
        }),
    };
  },
};

/** The npm thrift client, framed compact, promise API. */
export const thriftClient: ClientPeer = {
  name: 'thrift',
  wire: 'TFramedTransport + compact',
  async connect(generated, port) {
    const { service } = load(generated);
    const lib = thrift();
    const connection = lib.createConnection('127.0.0.1', port, { ...OPTIONS(), max_attempts: 0 });
    let failure: unknown;
    connection.on('error', (error) => {
      failure = error;
    });
    await new Promise<void>((resolve, reject) => {
      connection.once('connect', () => resolve());
      connection.once('error', reject);
    });
    const client = lib.createClient(service, connection);
    const ids = USERS.map((u) => new lib.Int64(u.id));
    const bench: BenchClient = {
      async call(workload: Workload, key: number) {
        if (failure !== undefined) throw failure;
        if (workload === 'ping') {
          checkPong('thrift', await client.ping());
        } else {
          const user = await client.getUser(ids[key - 1]);
          checkUser('thrift', key, user.id.toNumber(), user.email);
        }
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
