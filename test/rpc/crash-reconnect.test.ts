/**
 * The server process dies mid-call (SIGKILL: no goaway, no FIN handshake of its own choosing):
 * every pending call fails UNAVAILABLE promptly, calls made while it is down fail fast, and once a
 * new server listens on the same port the same channel reconnects and its calls succeed again.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ErrorCode, RpcError } from 'skiff/runtime';
import { Role, UserServiceClient } from '../../generated/account/user_service.js';
import { buildChildBundle, type ChildBundle } from './fixtures/child-bundle.js';
import { Cleanup, openChannel, rejection, sleep, waitFor, within } from './fixtures/harness.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./fixtures/child-server.mjs', import.meta.url));

interface ChildServer {
  readonly process: ChildProcess;
  readonly port: number;
  /** `listUsers` calls the child has started. */
  readonly calls: () => number;
  readonly exited: Promise<void>;
}

let bundle: ChildBundle;
const cleanup = new Cleanup();

beforeAll(() => {
  bundle = buildChildBundle();
});
afterAll(() => bundle.dispose());
afterEach(() => cleanup.run());

/** Forks child-server.mjs on `port` (0: any) and waits until it listens. */
function startChild(port: number): Promise<ChildServer> {
  const child = fork(CHILD_SCRIPT, [bundle.dir, String(port)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanup.add(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let calls = 0;
  return within(
    new Promise<ChildServer>((resolve, reject) => {
      child.on('message', (message: { event: string; port?: number; message?: string }) => {
        if (message.event === 'listening') resolve({ process: child, port: message.port!, calls: () => calls, exited });
        else if (message.event === 'call') calls++;
        else if (message.event === 'error') reject(new Error(`child server failed: ${message.message}`));
      });
      child.once('exit', (code, signal) => reject(new Error(`child server exited early (${code ?? signal})`)));
    }),
    10_000,
    'the child server listening',
  );
}

it('kill -9 of the server mid-call fails every pending call UNAVAILABLE promptly; the channel reconnects to a new server on the same port', async () => {
  const first = await startChild(0);
  const channel = openChannel(cleanup, first.port, { connections: 1, backoff: { baseMs: 20, maxMs: 200 } });
  const client = new UserServiceClient(channel);
  expect(await client.ping({ timeoutMs: 5000 })).toBe('pong');

  const PENDING = 20;
  // Slow calls with far deadlines: nothing but the crash can end them within this test.
  const pending = Array.from({ length: PENDING }, () =>
    rejection(client.listUsers({ page: { cursor: 'slow:60000', limit: 1 } }, { timeoutMs: 120_000 })),
  );
  await waitFor(() => first.calls() === PENDING, 'every slow call to reach the child server');

  const killedAt = Date.now();
  first.process.kill('SIGKILL');
  const errors = await within(Promise.all(pending), 5000, 'pending calls failing after the crash');
  expect(Date.now() - killedAt).toBeLessThan(5000);
  for (const error of errors) {
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(ErrorCode.UNAVAILABLE);
  }
  await first.exited;

  // While nothing listens, calls fail fast with UNAVAILABLE (refused, or inside the backoff window).
  const down = await within(rejection(client.ping({ timeoutMs: 5000 })), 5000, 'a call while the server is down');
  expect((down as RpcError).code).toBe(ErrorCode.UNAVAILABLE);

  // A new server on the same port: the same channel recovers, within a bounded number of tries.
  const second = await startChild(first.port);
  expect(second.port).toBe(first.port);
  let recovered = false;
  for (let attempt = 0; attempt < 100 && !recovered; attempt++) {
    try {
      recovered = (await client.ping({ timeoutMs: 2000 })) === 'pong';
    } catch (error) {
      expect((error as RpcError).code).toBe(ErrorCode.UNAVAILABLE);
      await sleep(50);
    }
  }
  expect(recovered).toBe(true);
  const created = await Promise.all(
    Array.from({ length: 10 }, (_, i) => client.createUser({ email: `after-crash-${i}@example.com`, role: Role.VIEWER }, { timeoutMs: 5000 })),
  );
  expect(new Set(created.map((u) => u.id)).size).toBe(10);
  expect((await client.getUser(created[3]!.id, { timeoutMs: 5000 })).email).toBe('after-crash-3@example.com');
});
