/**
 * The Node built-ins that take milliseconds to load, each loaded by the first call of its getter.
 *
 * Importing `skiff/runtime` must stay cheap (issue 8: <= 10 ms over an empty process), and these
 * modules alone cost about 17 ms there, yet most programs use few of them: only TLS users need
 * node:tls, only the admin endpoint node:http and node:crypto, only prefork node:cluster and
 * node:child_process, only worker-thread servers node:worker_threads; node:net and node:perf_hooks
 * (1.7 ms) wait for the first connection or listening server, and code that only encodes never
 * loads them. Built-ins that Node has loaded before any user code runs (node:events, node:url,
 * node:async_hooks) stay ordinary imports. `require` rather than `await import()` because most
 * call sites are synchronous (`createServer`, `connect`); a built-in loads in a few ms at most.
 */
import type * as ChildProcess from 'node:child_process';
import type * as Cluster from 'node:cluster';
import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import type * as Net from 'node:net';
import type * as Os from 'node:os';
import type * as PerfHooks from 'node:perf_hooks';
import type * as Tls from 'node:tls';
import type * as WorkerThreads from 'node:worker_threads';

let requireBuiltin: NodeJS.Require | undefined;
const load = (id: string): unknown => (requireBuiltin ??= createRequire(import.meta.url))(id);

let net: typeof Net | undefined;
let tls: typeof Tls | undefined;
let http: typeof Http | undefined;
let crypto: typeof Crypto | undefined;
let childProcess: typeof ChildProcess | undefined;
let cluster: typeof Cluster.default | undefined;
let workerThreads: typeof WorkerThreads | undefined;
let perfHooks: typeof PerfHooks | undefined;
let os: typeof Os | undefined;

/** `node:net`, loaded on first use. */
export const nodeNet = (): typeof Net => (net ??= load('node:net') as typeof Net);

/** `node:tls`, loaded on first use. */
export const nodeTls = (): typeof Tls => (tls ??= load('node:tls') as typeof Tls);

/** `node:http`, loaded on first use. */
export const nodeHttp = (): typeof Http => (http ??= load('node:http') as typeof Http);

/** `node:crypto`, loaded on first use. */
export const nodeCrypto = (): typeof Crypto => (crypto ??= load('node:crypto') as typeof Crypto);

/** `node:child_process`, loaded on first use. */
export const nodeChildProcess = (): typeof ChildProcess => (childProcess ??= load('node:child_process') as typeof ChildProcess);

/** `node:cluster`'s process-wide cluster object (its default export), loaded on first use. */
export const nodeCluster = (): typeof Cluster.default => (cluster ??= load('node:cluster') as typeof Cluster.default);

/** `node:worker_threads`, loaded on first use. */
export const nodeWorkerThreads = (): typeof WorkerThreads => (workerThreads ??= load('node:worker_threads') as typeof WorkerThreads);

/** `node:perf_hooks`, loaded on first use. */
export const nodePerfHooks = (): typeof PerfHooks => (perfHooks ??= load('node:perf_hooks') as typeof PerfHooks);

/** `node:os`, loaded on first use. */
export const nodeOs = (): typeof Os => (os ??= load('node:os') as typeof Os);

/**
 * Whether `socket` is a `tls.TLSSocket`, without loading node:tls for an `instanceof` test (a
 * plain TCP server would otherwise load it at its first connection): Node documents
 * `tlsSocket.encrypted` as always `true`, to tell TLS sockets from plain ones.
 */
export const isTlsSocket = (socket: Net.Socket): socket is Tls.TLSSocket => (socket as Partial<Tls.TLSSocket>).encrypted === true;
