/**
 * The Node built-ins that take milliseconds to load, each loaded by the first call of its getter.
 *
 * Importing `skiff/runtime` must stay cheap (issue 8: <= 10 ms beyond Node's cost of importing any
 * module), and these modules alone cost about 17 ms there, yet most programs use few of them: only TLS users need
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

/** A getter that loads built-in `id` by its first call and returns the same module after. */
function lazyBuiltin<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= (requireBuiltin ??= createRequire(import.meta.url))(id) as T);
}

/** `node:net`, loaded on first use. */
export const nodeNet = lazyBuiltin<typeof Net>('node:net');

/** `node:tls`, loaded on first use. */
export const nodeTls = lazyBuiltin<typeof Tls>('node:tls');

/** `node:http`, loaded on first use. */
export const nodeHttp = lazyBuiltin<typeof Http>('node:http');

/** `node:crypto`, loaded on first use. */
export const nodeCrypto = lazyBuiltin<typeof Crypto>('node:crypto');

/** `node:child_process`, loaded on first use. */
export const nodeChildProcess = lazyBuiltin<typeof ChildProcess>('node:child_process');

/** `node:cluster`'s process-wide cluster object (its default export), loaded on first use. */
export const nodeCluster = lazyBuiltin<typeof Cluster.default>('node:cluster');

/** `node:worker_threads`, loaded on first use. */
export const nodeWorkerThreads = lazyBuiltin<typeof WorkerThreads>('node:worker_threads');

/** `node:perf_hooks`, loaded on first use. */
export const nodePerfHooks = lazyBuiltin<typeof PerfHooks>('node:perf_hooks');

/** `node:os`, loaded on first use. */
export const nodeOs = lazyBuiltin<typeof Os>('node:os');

/**
 * Whether `socket` is a `tls.TLSSocket`, without loading node:tls for an `instanceof` test (a
 * plain TCP server would otherwise load it at its first connection): Node documents
 * `tlsSocket.encrypted` as always `true`, to tell TLS sockets from plain ones.
 */
export const isTlsSocket = (socket: Net.Socket): socket is Tls.TLSSocket => (socket as Partial<Tls.TLSSocket>).encrypted === true;
