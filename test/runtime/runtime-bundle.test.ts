/**
 * The bundled runtime that `skiff/runtime` resolves to after `npm run build`
 * (scripts/bundle-runtime.mjs), in fresh Node processes: other tests run the TypeScript sources
 * module by module, so only these see the bundle's own shape. It must import cheaply (no slow
 * Node built-in at import: issue 8), and its lazily loaded parts must share the entry's classes.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildChildBundle, type ChildBundle } from '../rpc/fixtures/child-bundle.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** Built-ins that take milliseconds to load: the runtime loads them on first use. */
const SLOW_BUILTINS = ['net', 'tls', 'http', 'https', 'crypto', 'cluster', 'child_process', 'worker_threads', 'perf_hooks', 'os'];

let bundle: ChildBundle;

beforeAll(() => {
  // The generated modules of the README's example, importing the bundle in place of the runtime.
  bundle = buildChildBundle(['generated/common/types.ts', 'generated/account/user_service.ts', 'demo/user-store.ts']);
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-runtime.mjs'), join(bundle.dir, 'runtime')], { stdio: ['ignore', 'ignore', 'inherit'] });
});

afterAll(() => bundle?.dispose());

const url = (source: string): string => JSON.stringify(pathToFileURL(bundle.path(source)).href);

/** Runs `script` (an ES module whose last act is to print one JSON value) in a new process. */
function run(script: string): unknown {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: bundle.dir, encoding: 'utf8', timeout: 20_000 });
  return JSON.parse(output);
}

it('imports without loading a slow Node built-in', () => {
  const loaded = run(`
    const before = new Set(process.moduleLoadList);
    await import(${url('runtime/index.ts')});
    const loaded = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    process.stdout.write(JSON.stringify(loaded));
  `) as string[];
  expect(loaded.filter((name) => SLOW_BUILTINS.includes(name))).toEqual([]);
});

it('loads the admin endpoint and prefork on first use, throwing the entry RpcError class', () => {
  const outcome = run(`
    const runtime = await import(${url('runtime/index.ts')});
    const code = (promise) => promise.then(() => 'resolved', (error) => (error instanceof runtime.RpcError ? error.code : String(error)));
    const admin = await runtime.createAdminServer({ port: 0, logger: runtime.silentLogger });
    const page = await fetch(admin.url);
    const served = { status: page.status, csp: page.headers.get('content-security-policy') };
    await admin.close();
    process.stdout.write(JSON.stringify({
      served,
      badAdminPort: await code(runtime.createAdminServer({ port: -1 })),
      noWorkers: await code(runtime.startPrefork({ workers: 0 })),
    }));
  `) as { served: { status: number; csp: string }; badAdminPort: string; noWorkers: string };
  expect(outcome.served.status).toBe(200);
  expect(outcome.served.csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
  expect(outcome.badAdminPort).toBe('INVALID_ARGUMENT');
  expect(outcome.noWorkers).toBe('INVALID_ARGUMENT');
});

it('serves and calls generated services as the README shows', () => {
  const outcome = run(`
    const { createChannel, createServer, RpcError, silentLogger } = await import(${url('runtime/index.ts')});
    const { UserService, UserServiceClient } = await import(${url('generated/account/user_service.ts')});
    const { NotFound } = await import(${url('generated/common/types.ts')});
    const { UserStore } = await import(${url('demo/user-store.ts')});
    const server = createServer({ logger: silentLogger }).addService(UserService, new UserStore());
    const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
    const channel = createChannel({ host: '127.0.0.1', port });
    const users = new UserServiceClient(channel);
    const outcome = await users.getUser(42n, { timeoutMs: 5000 }).then(
      () => 'found',
      (error) => (error instanceof NotFound ? 'no such user: ' + error.id : error instanceof RpcError ? error.code : String(error)),
    );
    await channel.close();
    await server.close({ graceMs: 1000 });
    process.stdout.write(JSON.stringify(outcome));
  `);
  expect(outcome).toBe('no such user: 42');
});
