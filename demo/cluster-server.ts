/**
 * One server process of `demo/cluster.ts`: serves `UserService` on `<host>` (an ephemeral
 * port), registers itself in etcd, and answers its parent over IPC.
 *
 * ```
 * parent <- { type: 'ready', host, port }
 * parent -> { type: 'count' }   parent <- { type: 'count', calls }
 * parent -> { type: 'stop' }    deregister, drain, exit 0
 * ```
 */
import { createServer, etcdRegistration, silentLogger } from 'skiff/runtime';
import { UserService } from '../generated/account/user_service.js';
import { UserStore } from './user-store.js';

const [host = '127.0.0.1', etcdUrl = 'http://127.0.0.1:2379'] = process.argv.slice(2);
let calls = 0;
const server = createServer({ logger: silentLogger, interceptors: [(next) => (call) => (calls++, next(call))] }).addService(
  UserService,
  new UserStore(),
);
const { port } = await server.listen({ port: 0, host });
const registration = etcdRegistration({ etcd: [etcdUrl], service: 'UserService', host, port, ttlSec: 5, logger: silentLogger });
await registration.ready;
process.send?.({ type: 'ready', host, port });

process.on('message', (message: { type: string }) => {
  if (message.type === 'count') process.send?.({ type: 'count', calls });
  if (message.type === 'stop') {
    void (async () => {
      // Deregister first, so clients stop choosing this server; then drain what is running.
      await registration.close({ settleMs: 300 });
      await server.close({ graceMs: 5000 });
      process.disconnect();
    })();
  }
});
