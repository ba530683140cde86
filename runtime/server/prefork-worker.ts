/**
 * The worker side of a prefork server: what a worker module started by {@link startPrefork}
 * (`prefork.ts`) calls to serve.
 *
 * ```ts
 * // worker.js (plain JavaScript: workers are separate Node processes)
 * import { createServer, runWorker } from 'skiff/runtime';
 * await runWorker(() => createServer().addService(UserService, new UserStore()));
 * ```
 *
 * - `shared-accept`: the worker listens on the primary's port; node:cluster shares one listening
 *   socket among all workers and each accepts from it (the kernel picks who gets a connection).
 * - `handoff`: the worker never listens; the primary accepts and sends each connection's socket
 *   over IPC, which the worker serves with {@link Server.acceptSocket} and reports when it closes.
 *
 * In both, a `drain` message from the primary closes the server ({@link Server.close}, with the
 * primary's grace period), sends the {@link DrainReport} back and exits 0. Workers never outlive
 * their primary: when it goes away (IPC disconnect) a handoff worker drains the same way, and a
 * cluster worker (shared accept) exits at once, as node:cluster makes it. SIGINT
 * is ignored (a terminal's Ctrl-C reaches every process of the group; the primary decides), and
 * SIGTERM drains this one worker (the primary replaces it).
 */
import type { Socket } from 'node:net';
import { ErrorCode, RpcError } from '../errors.js';
import { isSkiffMessage, PREFORK_ENV, type PrimaryMessage, type WorkerMessage, type WorkerSettings } from './prefork-protocol.js';
import type { Server } from './server.js';

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  /** Grace period when the worker drains on its own (SIGTERM, primary gone), in milliseconds. Default 10,000. */
  readonly graceMs?: number;
}

/** Whether this process is a worker started by `startPrefork` (its module should call {@link runWorker}). */
export function isPreforkWorker(): boolean {
  return process.env[PREFORK_ENV] !== undefined && process.send !== undefined;
}

/**
 * Creates this worker's server with `create` and serves it the way the primary's model says (see
 * the module comment). Resolves to the server once it serves. Throws `FAILED_PRECONDITION` when
 * the process was not started by `startPrefork`; if `create` or `listen` throws, the primary is
 * told (it fails its start, or retries a replacement later) and the error is rethrown.
 */
export async function runWorker(create: () => Server | Promise<Server>, options: RunWorkerOptions = {}): Promise<Server> {
  const raw = process.env[PREFORK_ENV];
  if (raw === undefined || process.send === undefined) {
    throw new RpcError(ErrorCode.FAILED_PRECONDITION, `runWorker: this process was not started by startPrefork (no ${PREFORK_ENV} and IPC channel)`);
  }
  const settings = JSON.parse(raw) as WorkerSettings;
  const send = (message: WorkerMessage, then?: () => void): void => {
    if (process.connected) process.send!(message, undefined, {}, () => then?.());
    else then?.();
  };

  let server: Server;
  let port: number | undefined;
  try {
    server = await create();
    if (settings.model === 'shared-accept') {
      port = (await server.listen(settings.host === undefined ? { port: settings.port } : { port: settings.port, host: settings.host })).port;
    } else {
      await server.serveHandedSockets();
    }
  } catch (error) {
    send({ skiff: 'failed', message: error instanceof Error ? error.message : String(error) });
    throw error;
  }

  let draining = false;
  const drain = (graceMs: number): void => {
    if (draining) return;
    draining = true;
    void server.close({ graceMs }).then((report) => send({ skiff: 'drained', report }, () => process.exit(0)));
  };

  process.on('message', (message: unknown, handle: unknown) => {
    if (!isSkiffMessage(message)) return;
    const m = message as PrimaryMessage;
    if (m.skiff === 'socket') {
      const socket = handle as Socket | undefined;
      if (socket === undefined) return;
      socket.once('close', () => send({ skiff: 'socket-closed', id: m.id }));
      server.acceptSocket(socket);
    } else if (m.skiff === 'drain') {
      drain(m.graceMs);
    }
  });
  const graceMs = options.graceMs ?? 10_000;
  process.on('disconnect', () => drain(graceMs));
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => drain(graceMs));
  send({ skiff: 'ready', port });
  return server;
}
