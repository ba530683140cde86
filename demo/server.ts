/**
 * The demo's server process, started by `demo/main.ts` with `fork()`: serves `UserService` from
 * an in-memory {@link UserStore} on 127.0.0.1 (an ephemeral port) and tells its parent what it
 * sees over the IPC channel, so the client side can check that deadlines, cancellation and oneway
 * calls really reached the server.
 *
 * ```
 * parent <- { type: 'listening', port, pid }
 * parent <- { type: 'started', step, method }          a call tagged with metadata `demo-step` began
 * parent <- { type: 'aborted', step, method, code, reason }   its handler's signal fired
 * parent <- { type: 'login', id, at }                   the oneway recordLogin arrived
 * parent -> { type: 'stats' }   parent <- { type: 'stats', connections }
 * parent -> { type: 'close', graceMs }
 * parent <- { type: 'draining', inFlight }   server.close() began with this many calls running
 * parent <- { type: 'closed', state }        every call answered, every connection closed
 * ```
 *
 * After `closed` the process disconnects and exits 0 on its own (nothing may keep it alive). If
 * the parent goes away first, the server closes at once and the process exits.
 */
import { createServer, ErrorCode, RpcError, type CallContext, type ServerInterceptor } from 'skiff/runtime';
import { UserService } from '../generated/account/user_service.js';
import type { UserId, Timestamp } from '../generated/common/types.js';
import { STEP_HEADER, type ServerCommand, type ServerEvent } from './messages.js';
import { UserStore } from './user-store.js';

function report(event: ServerEvent): void {
  if (process.connected) process.send?.(event);
}

/** The demo store, plus a report of each login the oneway `recordLogin` delivers. */
class ObservedUserStore extends UserStore {
  override recordLogin(id: UserId, at: Timestamp): void {
    super.recordLogin(id, at);
    report({ type: 'login', id: String(id), at: String(at) });
  }
}

let running = 0;

/** Reports calls tagged with a `demo-step` header: when they start and when their signal aborts. */
const observe: ServerInterceptor = (next) => async (call) => {
  const ctx: CallContext = call.ctx;
  const step = ctx.metadata[STEP_HEADER];
  const method = call.method.name;
  if (step !== undefined) {
    ctx.signal.addEventListener(
      'abort',
      () => {
        const reason: unknown = ctx.signal.reason;
        report({
          type: 'aborted',
          step,
          method,
          code: reason instanceof RpcError ? reason.code : ErrorCode.UNKNOWN,
          reason: reason instanceof Error ? reason.message : String(reason),
        });
      },
      { once: true },
    );
    report({ type: 'started', step, method });
  }
  running++;
  try {
    return await next(call);
  } finally {
    running--;
  }
};

const server = createServer({ interceptors: [observe] }).addService(UserService, new ObservedUserStore());
const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
let closing = false;

process.on('message', (message: ServerCommand) => {
  if (message.type === 'stats') {
    report({ type: 'stats', connections: server.connectionCount });
  } else if (message.type === 'close' && !closing) {
    closing = true;
    report({ type: 'draining', inFlight: running });
    void server.close({ graceMs: message.graceMs }).then(() => {
      report({ type: 'closed', state: server.state });
      process.disconnect();
    });
  }
});

// The parent went away without asking us to close: stop at once rather than linger.
process.on('disconnect', () => {
  if (closing) return;
  closing = true;
  void server.close({ graceMs: 0 });
});

report({ type: 'listening', port, pid: process.pid });
