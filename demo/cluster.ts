/**
 * `npm run cluster-demo`: skiff across several server processes on one machine, found through a
 * real etcd. It starts etcd (Debian's `etcd-server`) on 127.0.0.1, three `UserService` servers
 * on 127.0.0.1, 127.0.0.2 and 127.0.0.3 that register themselves, and a client that follows the
 * registry. Then, under load, it kills one server with SIGKILL, adds a fourth, and drains
 * another, checking that no call fails. It prints one line per step and exits 1 if any check
 * fails.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannel, etcdResolver, silentLogger, type ClientChannel } from 'skiff/runtime';
import { UserServiceClient } from '../generated/account/user_service.js';

const children = new Set<ChildProcess>();
let dataDir: string | undefined;

function line(step: string, what: string): void {
  console.log(`${step.padEnd(42)} ${what}`);
}

function fail(step: string, why: string): never {
  console.log(`FAILED at "${step}": ${why}`);
  cleanup();
  process.exit(1);
}

function cleanup(): void {
  for (const child of children) child.kill('SIGKILL');
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) return -1;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

async function startEtcd(): Promise<string> {
  if (spawnSync('etcd', ['--version']).status !== 0) {
    fail('start etcd', 'the etcd binary is missing: install it with `sudo apt-get install -y etcd-server`');
  }
  dataDir = mkdtempSync(join(tmpdir(), 'skiff-cluster-etcd-'));
  const url = `http://127.0.0.1:${await freePort()}`;
  const peer = `http://127.0.0.1:${await freePort()}`;
  const etcd = spawn(
    'etcd',
    [
      '--logger=zap',
      '--log-level=error',
      '--name=demo',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=demo=${peer}`,
    ],
    { stdio: 'ignore' },
  );
  children.add(etcd);
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/v3/kv/range`, { method: 'POST', body: '{"key":"AA=="}', signal: AbortSignal.timeout(1000) });
      if (response.ok) return url;
    } catch {
      // not up yet
    }
    if (Date.now() > end) fail('start etcd', 'etcd did not answer within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface ServerProcess {
  readonly host: string;
  readonly child: ChildProcess;
  calls(): Promise<number>;
  stop(): Promise<void>;
}

async function startServer(host: string, etcdUrl: string): Promise<ServerProcess> {
  const child = fork(new URL('./cluster-server.js', import.meta.url), [host, etcdUrl], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`server on ${host} exited with ${code}`)));
  });
  return {
    host,
    child,
    calls: () =>
      new Promise((resolve) => {
        child.once('message', (m: { calls: number }) => resolve(m.calls));
        child.send({ type: 'count' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

/** Calls `ping` from 8 lanes until `stop()`; counts successes and failures. */
function load(users: UserServiceClient): { stop(): Promise<{ ok: number; failed: string[] }> } {
  let running = true;
  let ok = 0;
  const failed: string[] = [];
  const lane = async (): Promise<void> => {
    while (running) {
      try {
        await users.ping({ timeoutMs: 5000 });
        ok++;
      } catch (error) {
        failed.push(String(error));
      }
    }
  };
  const lanes = Array.from({ length: 8 }, lane);
  return {
    async stop() {
      running = false;
      await Promise.all(lanes);
      return { ok, failed };
    },
  };
}

process.on('exit', cleanup);
const etcdUrl = await startEtcd();
line('etcd', `${etcdUrl} (temporary data dir)`);
const servers = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((host) => startServer(host, etcdUrl)));
line('3 servers registered', servers.map((s) => s.host).join(', '));

const channel: ClientChannel = createChannel({ resolver: etcdResolver({ etcd: [etcdUrl], service: 'UserService', logger: silentLogger }) });
const users = new UserServiceClient(channel);
await users.ping({ timeoutMs: 5000 });
const readyIn = await until(() => channel.instances.length === 3 && channel.instances.every((i) => i.state === 'ready'), 5000);
if (readyIn < 0) fail('client follows etcd', `instances: ${JSON.stringify(channel.instances)}`);
line('client follows etcd', `3 instances connected`);

await Promise.all(Array.from({ length: 3000 }, () => users.ping({ timeoutMs: 5000 })));
const counts = await Promise.all(servers.map((s) => s.calls()));
if (counts.some((c) => c < 300)) fail('3000 calls, spread', `per server: ${counts.join(', ')}`);
line('3000 calls, two-choices balancer', `per server: ${counts.join(' / ')}`);

let traffic = load(users);
await new Promise((resolve) => setTimeout(resolve, 300));
servers[1]!.child.kill('SIGKILL');
await new Promise((resolve) => setTimeout(resolve, 700));
let result = await traffic.stop();
if (result.failed.length > 0) fail('kill -9 under load', `${result.failed.length} failed, e.g. ${result.failed[0]}`);
line('kill -9 127.0.0.2 under load', `${result.ok} calls, 0 failed (idempotent calls retried elsewhere)`);

// New instances are connected on the next calls: keep calling while the fourth registers.
traffic = load(users);
const added = await startServer('127.0.0.4', etcdUrl);
servers.push(added);
const joinedIn = await until(() => channel.instances.some((i) => i.key.startsWith('127.0.0.4:') && i.state === 'ready'), 5000);
result = await traffic.stop();
if (joinedIn < 0) fail('scale up', '127.0.0.4 never became ready on the client');
if (result.failed.length > 0) fail('scale up', `${result.failed.length} failed, e.g. ${result.failed[0]}`);
line('scale up: 127.0.0.4 registers', `in use ${joinedIn} ms after it registered; ${result.ok} calls, 0 failed`);

traffic = load(users);
await new Promise((resolve) => setTimeout(resolve, 200));
await servers[2]!.stop();
await new Promise((resolve) => setTimeout(resolve, 300));
result = await traffic.stop();
if (result.failed.length > 0) fail('scale down with drain', `${result.failed.length} failed, e.g. ${result.failed[0]}`);
line('scale down: 127.0.0.3 deregisters, drains', `${result.ok} calls, 0 failed`);

await channel.close();
await Promise.all([servers[0]!, added].map((s) => s.stop()));
console.log('cluster demo OK: every step behaved as described');
process.exit(0);
