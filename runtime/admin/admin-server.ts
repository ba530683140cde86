/**
 * The admin endpoint: an HTTP listener of its own, beside the RPC port, that shows what a running
 * process is doing. Off unless created; loopback unless told otherwise.
 *
 * ```ts
 * const server = createServer().addService(UserService, new UserStore());
 * await server.listen({ port: 9090, host: '0.0.0.0' });
 * const admin = await createAdminServer({ port: 9901, server, channels: { orders: ordersChannel } });
 * // http://127.0.0.1:9901/ in a browser; Prometheus scrapes http://127.0.0.1:9901/metrics
 * ```
 *
 * | path | answer |
 * |---|---|
 * | `/` | the status page (HTML, refreshes itself every second) |
 * | `/status.json` | everything the page shows (`StatusSnapshot`) |
 * | `/metrics` | Prometheus text format (see `metrics-exposition.ts`) |
 * | `/healthz` | `200 ok`: the process is alive and its event loop answers |
 * | `/readyz` | `200 ready`, or `503 not ready: <reason>` while a server is not serving (draining, closed) or `ready()` says no |
 * | `/rpcz` | the most recent and the slowest calls, metadata redacted (`Rpcz`) |
 *
 * Only `GET` and `HEAD` (else `405`); other paths `404`. JSON answers are indented with `?pretty`.
 * The admin listener does not keep the process alive on its own (it is `unref`ed): a process
 * exits once its RPC servers have closed, even if `close()` was never called here.
 *
 * Lifecycle: `listening` (once the promise of {@link createAdminServer} resolves) -> `closed`.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, RpcError } from '../errors.js';
import { nodeHttp } from '../internal/node-builtins.js';
import { stderrLogger, type Logger } from '../logger.js';
import type { Server } from '../server/server.js';
import type { ChannelStatusSource } from './channel-status.js';
import { renderMetrics } from './metrics-exposition.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-text.js';
import { readiness, type Readiness } from './readiness.js';
import { collectRpcz } from './rpcz.js';
import { ServerWatch } from './server-watch.js';
import { buildStatus } from './status-snapshot.js';
import { STATUS_PAGE_HTML, statusPageCsp } from './status-page.js';

/** Settings of {@link createAdminServer}. */
export interface AdminServerOptions {
  /**
   * The port to listen on. Required: a scrape configuration and a bookmark need a known port.
   * `0` picks a free one (read it from {@link AdminServer.address}), for tests.
   */
  readonly port: number;
  /**
   * The address to listen on. Default `'127.0.0.1'`: the page shows peers, method names and
   * (redacted) metadata, so exposing it beyond the machine is a decision to make explicitly.
   */
  readonly host?: string;
  /** A server to watch, named `main` on the page and in the metrics' `server` label. */
  readonly server?: Server;
  /** Servers to watch, by name (for a process with several). */
  readonly servers?: Readonly<Record<string, Server>>;
  /** Client channels to show, by name (`ClientChannel` or anything with `status()`). */
  readonly channels?: Readonly<Record<string, ChannelStatusSource>>;
  /**
   * The application's part of readiness, asked on every `/readyz`: e.g.
   * `() => registration.state === 'registered'`. Keep it cheap and synchronous. Default: none
   * (ready when every watched server is serving).
   */
  readonly ready?: () => boolean;
  /** Where the endpoint reports its address and request failures. Default: stderr. */
  readonly logger?: Logger;
  /** Calls kept per server in each `/rpcz` list (recent, slowest). Default 100. */
  readonly rpczSize?: number;
  /**
   * The window of the page's rates and percentiles and of the slowest calls, in milliseconds.
   * Default 60,000 (six 10-second slots).
   */
  readonly windowMs?: number;
  /** The clock, epoch milliseconds (for tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** A running admin endpoint (see the module comment). */
export interface AdminServer {
  /** `http://host:port/`, the status page. */
  readonly url: string;
  /** The bound address. */
  address(): AddressInfo;
  /** `listening`, then `closed` after {@link close}. */
  readonly state: 'listening' | 'closed';
  /**
   * Starts watching `server` under `name`: calls that end from now on are counted. Throws
   * `ALREADY_EXISTS` if the name is taken.
   */
  addServer(name: string, server: Server): this;
  /** Stops watching a server; returns whether it was watched. */
  removeServer(name: string): boolean;
  /** Shows `channel` under `name`. Throws `ALREADY_EXISTS` if the name is taken. */
  addChannel(name: string, channel: ChannelStatusSource): this;
  /** Stops showing a channel; returns whether it was shown. */
  removeChannel(name: string): boolean;
  /** Stops listening, closes open admin connections and stops watching; calling it again returns the same promise. */
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Starts the admin endpoint (see the module comment); resolves once it listens. Rejects with
 * `INVALID_ARGUMENT` for a bad port, `UNAVAILABLE` when the address cannot be bound.
 */
export async function createAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { port } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `the admin port must be an integer in 0..65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? stderrLogger;
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? 60_000;
  const rpczSize = options.rpczSize ?? 100;
  const watches = new Map<string, ServerWatch>();
  const channels = new Map<string, ChannelStatusSource>();
  let state: AdminServer['state'] = 'listening';
  let closing: Promise<void> | undefined;

  const checkName = (kind: string, name: string, taken: boolean): void => {
    if (typeof name !== 'string' || name === '') throw new RpcError(ErrorCode.INVALID_ARGUMENT, `a ${kind} needs a non-empty name`);
    if (taken) throw new RpcError(ErrorCode.ALREADY_EXISTS, `the admin endpoint already has a ${kind} named '${name}'`);
  };
  const watch = (name: string, server: Server): void => {
    checkName('server', name, watches.has(name));
    watches.set(name, new ServerWatch(name, server, { metrics: { windowMs, now }, log: { size: rpczSize, slowestWindowMs: windowMs, now } }));
  };
  const addChannel = (name: string, channel: ChannelStatusSource): void => {
    checkName('channel', name, channels.has(name));
    channels.set(name, channel);
  };
  const stopWatching = (): void => {
    for (const w of watches.values()) w.stop();
  };
  try {
    if (options.server !== undefined) watch('main', options.server);
    for (const [name, server] of Object.entries(options.servers ?? {})) watch(name, server);
    for (const [name, channel] of Object.entries(options.channels ?? {})) addChannel(name, channel);
  } catch (error) {
    stopWatching(); // a failed start must leave no observer behind on the servers
    throw error;
  }

  const ready = (): Readiness =>
    readiness(
      [...watches.values()].map((w) => ({ name: w.name, state: w.server.state })),
      options.ready,
    );
  const rpcz = () => collectRpcz([...watches.values()], { size: rpczSize, slowestWindowMs: windowMs });
  const json = (value: unknown, pretty: boolean): Reply => ({ status: 200, type: JSON_TYPE, body: `${JSON.stringify(value, null, pretty ? 2 : undefined)}\n` });

  const routes: Readonly<Record<string, (pretty: boolean) => Reply>> = {
    '/': () => ({ status: 200, type: 'text/html; charset=utf-8', body: STATUS_PAGE_HTML, headers: { 'Content-Security-Policy': statusPageCsp() } }),
    '/status.json': (pretty) => json(buildStatus({ servers: [...watches.values()], channels, ready: ready(), rpcz: rpcz(), windowMs, now: now() }), pretty),
    '/metrics': () => ({ status: 200, type: PROMETHEUS_CONTENT_TYPE, body: renderMetrics({ servers: [...watches.values()], channels, ready: ready() }) }),
    '/healthz': () => ({ status: 200, type: TEXT, body: 'ok\n' }),
    '/readyz': () => {
      const r = ready();
      return r.ready ? { status: 200, type: TEXT, body: 'ready\n' } : { status: 503, type: TEXT, body: `not ready: ${r.reason}\n` };
    },
    '/rpcz': (pretty) => json(rpcz(), pretty),
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    let reply: Reply;
    try {
      reply = route(request);
    } catch (error) {
      logger.error({ path: request.url, error: error instanceof Error ? error.message : String(error) }, 'admin endpoint failed to answer');
      reply = { status: 500, type: TEXT, body: 'internal error\n' };
    }
    response.statusCode = reply.status;
    response.setHeader('Content-Type', reply.type);
    response.setHeader('Content-Length', Buffer.byteLength(reply.body));
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
    response.end(request.method === 'HEAD' ? undefined : reply.body);
  };

  const route = (request: IncomingMessage): Reply => {
    const target = parseTarget(request.url ?? '/');
    if (target === undefined) return { status: 400, type: TEXT, body: 'bad request target\n' };
    const answer = Object.hasOwn(routes, target.path) ? routes[target.path] : undefined;
    if (answer === undefined)
      return { status: 404, type: TEXT, body: `not found: ${target.path}\n(try /, /status.json, /metrics, /healthz, /readyz, /rpcz)\n` };
    if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, type: TEXT, body: 'only GET and HEAD\n', headers: { Allow: 'GET, HEAD' } };
    return answer(target.query.has('pretty'));
  };

  const http: HttpServer = nodeHttp().createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 }, handle);
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      stopWatching();
      reject(new RpcError(ErrorCode.UNAVAILABLE, `the admin endpoint cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    http.once('error', fail);
    http.listen(port, host, () => {
      http.off('error', fail);
      http.on('error', (error) => logger.error({ error: error.message }, 'admin endpoint socket error'));
      resolve();
    });
  });
  http.unref();
  const bound = http.address() as AddressInfo;
  const url = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}/`;
  logger.info({ url }, 'admin endpoint listening');
  if (!isLoopback(bound.address)) logger.warn({ url }, 'the admin endpoint listens beyond loopback: anyone who can reach it sees call details');

  const admin: AdminServer = {
    url,
    address: () => bound,
    get state() {
      return state;
    },
    addServer(name, server) {
      watch(name, server);
      return admin;
    },
    removeServer(name) {
      const w = watches.get(name);
      w?.stop();
      return watches.delete(name);
    },
    addChannel(name, channel) {
      addChannel(name, channel);
      return admin;
    },
    removeChannel(name) {
      return channels.delete(name);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        state = 'closed';
        stopWatching();
        http.close(() => resolve());
        http.closeAllConnections();
      });
      return closing;
    },
  };
  return admin;
}

/**
 * The path and query of a request target. Origin-form (`/metrics?x`) is split by hand: parsed as a
 * URL, `//metrics` would read as a host name. Absolute-form (`http://host/metrics`, which proxies
 * send) goes through `URL`; anything else is `undefined` (answered 400).
 */
function parseTarget(target: string): { path: string; query: URLSearchParams } | undefined {
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    return q === -1 ? { path: target, query: new URLSearchParams() } : { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
  }
  try {
    const url = new URL(target);
    return { path: url.pathname, query: url.searchParams };
  } catch {
    return undefined;
  }
}

function isLoopback(address: string): boolean {
  return /^(127\.|::1$|::ffff:127\.)/.test(address);
}
