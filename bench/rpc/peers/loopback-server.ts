/** Listening for the server peers built on a plain `node:net` server (raw, npm thrift). */
import type { Server, Socket } from 'node:net';
import type { RunningServer } from '../peer.js';

/**
 * Starts `server` on 127.0.0.1, port 0. Its `close` also destroys the connections still open:
 * neither server has a drain of its own, and `server.close()` alone waits for every client.
 */
export async function listenOnLoopback(server: Server, name: string): Promise<RunningServer> {
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
  if (address === null || typeof address === 'string') throw new Error(`${name} server has no TCP address`);
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
