/**
 * The benchmark's server process: `node dist/bench/rpc/server-main.js <peer> <generated-json>`,
 * started by `server-process.ts` with `fork()`. Serving in a separate process keeps client and
 * server off one event loop (on a 2-core machine each gets a core).
 *
 * ```
 * parent <- { type: 'listening', port }
 * parent -> { type: 'cpu' }    parent <- { type: 'cpu', micros }   CPU time used so far (user + system)
 * parent -> { type: 'stop' }   the server closes, the process disconnects and exits
 * ```
 */
import { SERVER_PEERS } from './peers/index.js';
import type { GeneratedCode } from './peer.js';

/** Messages from the parent. */
export type ServerCommand = { readonly type: 'cpu' } | { readonly type: 'stop' };
/** Messages to the parent. */
export type ServerReply = { readonly type: 'listening'; readonly port: number } | { readonly type: 'cpu'; readonly micros: number };

const [name, generatedJson] = process.argv.slice(2);
const peer = SERVER_PEERS.get(name ?? '');
if (peer === undefined || generatedJson === undefined) {
  process.stderr.write(`usage: server-main.js <${[...SERVER_PEERS.keys()].join('|')}> <generated-json>\n`);
  process.exit(2);
}
const server = await peer.serve(JSON.parse(generatedJson) as GeneratedCode);
const reply = (message: ServerReply): void => void process.send?.(message);
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  // Bounded: a peer's close may wait for clients that are gone already.
  setTimeout(() => process.exit(0), 2000).unref();
  void server.close().then(() => {
    if (process.connected) process.disconnect();
    process.exit(0);
  });
};
process.on('message', (message: ServerCommand) => {
  if (message.type === 'cpu') {
    const usage = process.cpuUsage();
    reply({ type: 'cpu', micros: usage.user + usage.system });
  } else if (message.type === 'stop') {
    stop();
  }
});
process.on('disconnect', stop);
reply({ type: 'listening', port: server.port });
