/**
 * The benchmark's server process: `node dist/bench/rpc/server-main.js <peer> <generated-json>`,
 * started by `server-process.ts` with `fork()`. Serving in a separate process keeps client and
 * server off one event loop (on a 2-core machine each gets a core), and lets the benchmark read
 * the server's own CPU time and memory. Only the named peer's module is loaded, so a server's RSS
 * holds its own stack and no other.
 *
 * ```
 * parent <- { type: 'listening', port }
 * parent -> { type: 'stats' }  parent <- { type: 'stats', cpuMicros, rssBytes }  CPU time used so far
 *                                                                                (user + system), RSS now
 * parent -> { type: 'stop' }   the server closes, the process disconnects and exits
 * ```
 */
import { loadServerPeer, SERVER_PEER_NAMES } from './peers/index.js';
import type { GeneratedCode } from './peer.js';

/** Messages from the parent. */
export type ServerCommand = { readonly type: 'stats' } | { readonly type: 'stop' };
/** Messages to the parent. */
export type ServerReply =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'stats'; readonly cpuMicros: number; readonly rssBytes: number };

const [name, generatedJson] = process.argv.slice(2);
if (name === undefined || !SERVER_PEER_NAMES.includes(name) || generatedJson === undefined) {
  process.stderr.write(`usage: server-main.js <${SERVER_PEER_NAMES.join('|')}> <generated-json>\n`);
  process.exit(2);
}
const peer = await loadServerPeer(name);
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
  if (message.type === 'stats') {
    const usage = process.cpuUsage();
    reply({ type: 'stats', cpuMicros: usage.user + usage.system, rssBytes: process.memoryUsage.rss() });
  } else if (message.type === 'stop') {
    stop();
  }
});
process.on('disconnect', stop);
reply({ type: 'listening', port: server.port });
