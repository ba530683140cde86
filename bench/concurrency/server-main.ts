/**
 * A server of the concurrency benchmark in one of the four models, in a process of its own:
 * `node dist/bench/concurrency/server-main.js <model> <parallelism>`, forked by `main.ts`.
 * `parallelism` is the number of prefork workers or pool threads.
 *
 * ```
 * parent <- { type: 'listening', port }
 * parent -> { type: 'stop' }   the server drains, then the process exits
 * ```
 */
import { createServer, silentLogger, startPrefork } from 'skiff/runtime';
import { PasswordService } from '../../generated/security/password_service.js';
import { MODELS, type Model } from './models.js';
import { PasswordHasher } from './password-hasher.js';

const [model, parallelismText] = process.argv.slice(2) as [Model | undefined, string | undefined];
const parallelism = Number(parallelismText);
if (model === undefined || !MODELS.includes(model) || !(parallelism >= 1)) {
  process.stderr.write(`usage: server-main.js <${MODELS.join('|')}> <parallelism>\n`);
  process.exit(2);
}

const host = '127.0.0.1';
let port: number;
let close: () => Promise<unknown>;
if (model === 'shared-accept' || model === 'handoff') {
  const prefork = await startPrefork({
    workers: parallelism,
    model,
    port: 0,
    host,
    module: new URL('./prefork-worker.js', import.meta.url),
    logger: silentLogger,
  });
  port = prefork.port;
  close = () => prefork.close({ graceMs: 2000 });
} else {
  const server = createServer({
    logger: silentLogger,
    ...(model === 'worker-threads' ? { workerThreads: { module: new URL('./thread-worker.js', import.meta.url), threads: parallelism } } : {}),
  }).addService(PasswordService, new PasswordHasher());
  port = (await server.listen({ port: 0, host })).port;
  close = () => server.close({ graceMs: 2000 });
}
process.send?.({ type: 'listening', port });
process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') void close().then(() => process.disconnect());
});
