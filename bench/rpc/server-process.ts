/** The parent's handle on a server process (`server-main.ts`). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GeneratedCode } from './peer.js';
import type { ServerCommand, ServerReply } from './server-main.js';

/** What a server process reports about itself. */
export interface ServerStats {
  /** CPU time (user + system) the process has used so far, in microseconds. */
  readonly cpuMicros: number;
  /** Resident set size now, in bytes. */
  readonly rssBytes: number;
}

/** A running server process. */
export interface ServerProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  /** Asks the process for its CPU time and RSS (a round trip over the IPC channel). */
  stats(): Promise<ServerStats>;
  /** Stops the server and waits for the process to exit. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** Forks `server-main.js` for the server peer `name` and waits until it listens. */
export async function startServer(name: string, generated: GeneratedCode): Promise<ServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./server-main.js', import.meta.url)), [name, JSON.stringify(generated)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const statsWaiters: Array<(stats: ServerStats) => void> = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server ${name} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`server ${name} exited with code ${code} before listening`)));
    child.on('message', (message: ServerReply) => {
      if (message.type === 'listening') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'stats') {
        statsWaiters.shift()?.({ cpuMicros: message.cpuMicros, rssBytes: message.rssBytes });
      }
    });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  const send = (command: ServerCommand): void => void child.send(command);
  return {
    name,
    port,
    pid: child.pid ?? -1,
    stats: () =>
      new Promise((resolve, reject) => {
        if (!child.connected) {
          reject(new Error(`server ${name} is gone`));
          return;
        }
        statsWaiters.push(resolve);
        send({ type: 'stats' });
      }),
    stop: async () => {
      if (child.connected) send({ type: 'stop' });
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
