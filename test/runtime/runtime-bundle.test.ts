/**
 * The bundled runtime that `skiff/runtime` resolves to after `npm run build`
 * (scripts/bundle-runtime.mjs), in fresh Node processes: other tests run the TypeScript sources
 * module by module, so only these see the bundle's own shape. It must import cheaply (no slow
 * Node built-in at import: issue 8), and its lazily loaded parts (the admin endpoint, prefork,
 * etcd discovery, the worker-thread pool) must share the entry's classes.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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

let scripts = 0;

/**
 * Runs `script` (an ES module whose last act is to print one JSON value) in a new process. From
 * a file rather than `--input-type=module -e`: worker threads inherit the process's `execArgv`,
 * and `--input-type` makes their start fail.
 */
function run(script: string): unknown {
  const file = bundle.path(`script-${++scripts}.mjs`);
  writeFileSync(file, script);
  const output = execFileSync(process.execPath, [file], { cwd: bundle.dir, encoding: 'utf8', timeout: 20_000 });
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

it('loads etcd discovery on first use, throwing the entry RpcError class', () => {
  // A stand-in for etcd's JSON gateway: one instance registered, a watch that stays open.
  const outcome = run(`
    const runtime = await import(${url('runtime/index.ts')});
    const { etcdRegistration, etcdResolver, EtcdClient, RpcError, silentLogger } = runtime;
    const b64 = (text) => Buffer.from(text).toString('base64');
    const instance = JSON.stringify({ host: '127.0.0.2', port: 9090, weight: 1, protocol: 'compact' });
    const requests = [];
    const fetch = async (url, init) => {
      const path = new URL(url).pathname;
      requests.push(path);
      if (path === '/v3/kv/range') return Response.json({ header: { revision: '7' }, kvs: [{ key: b64('/skiff/services/UserService/127.0.0.2:9090'), value: b64(instance), mod_revision: '7' }] });
      if (path === '/v3/watch') {
        return new Response(new ReadableStream({ start(c) {
          const fail = () => c.error(init.signal.reason);
          if (init.signal.aborted) fail();
          else init.signal.addEventListener('abort', fail);
        } }));
      }
      if (path === '/v3/lease/grant') return Response.json({ ID: '42', TTL: '10' });
      return Response.json({ header: { revision: '8' } });
    };
    const resolver = etcdResolver({ etcd: ['http://etcd.invalid'], service: 'UserService', fetch, logger: silentLogger });
    await resolver.ready;
    const resolved = resolver.endpoints.map((e) => e.host + ':' + e.port);
    resolver.close();
    const registration = etcdRegistration({ etcd: ['http://etcd.invalid'], service: 'UserService', host: '127.0.0.2', port: 9090, fetch, logger: silentLogger });
    await registration.ready;
    const lease = registration.leaseId;
    await registration.close();
    const code = (promise) => promise.then(() => 'resolved', (error) => (error instanceof RpcError ? error.code : String(error)));
    const unreachable = new EtcdClient({ endpoints: ['http://etcd.invalid'], fetch: async () => { throw new TypeError('fetch failed'); } });
    process.stdout.write(JSON.stringify({
      resolved,
      lease,
      requests: [...new Set(requests)].sort(),
      unreachable: await code(unreachable.range('/a')),
      notFound: await code(new EtcdClient({ endpoints: ['http://etcd.invalid'], fetch: async () => Response.json({ code: 5, message: 'gone' }, { status: 404 }) }).put('/a', 'b')),
      noEndpoints: (() => { try { new EtcdClient({ endpoints: [] }); return 'constructed'; } catch (error) { return error instanceof RpcError ? error.code : String(error); } })(),
    }));
  `);
  expect(outcome).toEqual({
    resolved: ['127.0.0.2:9090'],
    lease: '42',
    requests: ['/v3/kv/deleterange', '/v3/kv/put', '/v3/kv/range', '/v3/lease/grant', '/v3/lease/revoke', '/v3/watch'],
    unreachable: 'UNAVAILABLE',
    notFound: 'NOT_FOUND',
    noEndpoints: 'INVALID_ARGUMENT',
  });
});

it('loads the worker-thread pool on listen, whose replies the server passes through', () => {
  const thread = bundle.path('user-thread.mjs');
  writeFileSync(
    thread,
    [
      `import { serveInWorkerThread } from ${url('runtime/index.ts')};`,
      `import { UserService } from ${url('generated/account/user_service.ts')};`,
      `import { UserStore } from ${url('demo/user-store.ts')};`,
      'await serveInWorkerThread((threads) => threads.addService(UserService, new UserStore()));',
      '',
    ].join('\n'),
  );
  const outcome = run(`
    const { createChannel, createServer, RpcError, silentLogger } = await import(${url('runtime/index.ts')});
    const { UserService, UserServiceClient } = await import(${url('generated/account/user_service.ts')});
    const { NotFound } = await import(${url('generated/common/types.ts')});
    const { UserStore } = await import(${url('demo/user-store.ts')});
    const workerThreads = { module: ${JSON.stringify(thread)}, threads: 1, methods: ['UserService.getUser'] };
    const server = createServer({ logger: silentLogger, workerThreads }).addService(UserService, new UserStore());
    const before = server.stats().workerThreads;
    const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
    const channel = createChannel({ host: '127.0.0.1', port });
    const outcome = await new UserServiceClient(channel).getUser(42n, { timeoutMs: 5000 }).then(
      () => 'found',
      (error) => (error instanceof NotFound ? 'no such user: ' + error.id : error instanceof RpcError ? error.code : String(error)),
    );
    const after = server.stats().workerThreads;
    await channel.close();
    await server.close({ graceMs: 1000 });
    const badThreads = (() => { try { createServer({ workerThreads: { module: 'x', threads: 0 } }); return 'created'; } catch (error) { return error instanceof RpcError ? error.code : String(error); } })();
    process.stdout.write(JSON.stringify({ outcome, before, after, badThreads }));
  `);
  expect(outcome).toEqual({
    outcome: 'no such user: 42',
    before: { threads: 1, ready: 0, inFlight: 0, restarts: 0 },
    after: { threads: 1, ready: 1, inFlight: 0, restarts: 0 },
    badThreads: 'INVALID_ARGUMENT',
  });
});
