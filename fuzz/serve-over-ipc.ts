/**
 * Runs a fuzz target in a child process and answers its parent (`server-process.ts`) over IPC,
 * with the messages `server-protocol.ts` defines: the entry of `fuzz-server.ts`, and of test
 * servers that sabotage the target on purpose to show the fuzzer catches it.
 *
 * ```
 * argv[2]: JSON of the ServerOptions overrides (numbers only); argv[3]: `log` to print warnings and errors
 * parent <- { type: 'listening', port }
 * parent -> { type: 'memory', id, gc }  <- { type: 'memory', id, usage }   (usage: process.memoryUsage())
 * parent -> { type: 'stats', id }       <- { type: 'stats', id, stats, logs }
 * parent <- { type: 'internal', report }  a connection was closed by an error that is not the peer's fault
 * parent -> { type: 'stop' }            drains, then the process exits
 * ```
 */
import { stderrLogger, type ServerOptions } from 'skiff/runtime';
import { countingLogger, createFuzzTarget } from './fuzz-target.js';
import { send, type ParentMessage } from './server-protocol.js';

/**
 * Starts the fuzz target on 127.0.0.1, port 0, with this process's argv overrides plus `extra`
 * (a test's sabotage, say), and serves the parent's requests until told to stop.
 */
export async function serveOverIpc(extra: ServerOptions = {}): Promise<void> {
  const overrides = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
  const logger = countingLogger((report) => send({ type: 'internal', report }), process.argv[3] === 'log' ? stderrLogger : undefined);
  const server = createFuzzTarget(logger, { ...overrides, ...extra });
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  send({ type: 'listening', port });

  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message: ParentMessage) => {
    switch (message.type) {
      case 'memory':
        if (message.gc) gc?.();
        send({ type: 'memory', id: message.id, usage: process.memoryUsage() });
        break;
      case 'stats':
        send({ type: 'stats', id: message.id, stats: server.stats(), logs: Object.fromEntries(logger.counts) });
        break;
      case 'stop':
        void server.close({ graceMs: 1000 }).then(() => process.disconnect());
        break;
    }
  });
  // The fuzzer went away: do not linger.
  process.on('disconnect', () => process.exit(0));
}
