/**
 * The server's entry point. One port serves every registered service to skiff clients (THeader)
 * and to stock Thrift clients (`TFramedTransport` with Binary or Compact), with no option needed.
 *
 * ```ts
 * const server = createServer();
 * server.addService(UserService, new UserHandler());
 * const { port } = await server.listen({ port: 9090, host: '127.0.0.1' });
 * ...
 * await server.close({ graceMs: 10_000 });
 * ```
 *
 * Lifecycle: `created` -> `listening` (after {@link Server.listen}) or `serving-handed` (after
 * {@link Server.serveHandedSockets}: connections come from {@link Server.acceptSocket}) ->
 * `draining` (during {@link Server.close}: no new connections, running calls finish) -> `closed`.
 */
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { TlsOptions } from 'node:tls';
import type { IntervalHistogram } from 'node:perf_hooks';
import { ErrorCode, RpcError } from '../errors.js';
import { stderrLogger, type Logger } from '../logger.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/frame-decoder.js';
import type { ServiceDescriptor } from '../service.js';
import { MethodRegistry } from './method-registry.js';
import { ServerLoad, type LoadCounters } from './server-load.js';
import { AdaptiveLimiter, type AdaptiveLimitOptions } from './adaptive-limiter.js';
import { nodeNet, nodePerfHooks, nodeTls } from '../internal/node-builtins.js';
import { otel } from '../internal/otel.js';
import { ServerCallContext } from './call-context.js';
import { CallObservers, type CallObserver } from './call-observer.js';
import { ServerConnection, type ServerCallHandler, type ServerInterceptor } from './server-connection.js';
import { WorkerPool, type WorkerPoolStats, type WorkerThreadOptions } from './worker-pool.js';

/** Settings of {@link createServer}; every field has a default. */
export interface ServerOptions {
  /** Largest request frame accepted, in bytes; a bigger one closes its connection. Default 16 MiB. */
  readonly maxFrameBytes?: number;
  /** Largest THeader header section (a request's metadata), in bytes; a bigger one closes its connection. Default 16 KiB. */
  readonly maxHeaderBytes?: number;
  /** Most THeader info headers in one request (metadata plus the few skiff adds); more close its connection. Default 128. */
  readonly maxHeaders?: number;
  /**
   * Calls running at once across all connections; beyond it a call is refused at once with
   * `RESOURCE_EXHAUSTED` (its handler never runs), so the client can retry elsewhere instead of
   * queueing behind an overloaded server. Default 10,000.
   */
  readonly maxInFlight?: number;
  /**
   * Adapts the server-wide limit to the concurrency that keeps call latency near its no-load
   * value, refusing the rest with `RESOURCE_EXHAUSTED` (see `AdaptiveLimiter`; `true` takes its
   * defaults). Never above `maxInFlight`. Default off: the limit is `maxInFlight`.
   */
  readonly adaptiveLimit?: boolean | AdaptiveLimitOptions;
  /** Calls served at once per connection before it stops reading (TCP backpressure). Default 1,000. */
  readonly maxInFlightPerConnection?: number;
  /** Reply bytes queued per connection before it stops reading until the client catches up. Default 8 MiB. */
  readonly maxBufferedBytesPerConnection?: number;
  /** Run around every handler call, first one outermost. */
  readonly interceptors?: readonly ServerInterceptor[];
  /** Where connection problems and handler crashes are reported. Default: stderr. */
  readonly logger?: Logger;
  /**
   * Runs CPU-heavy methods on a pool of worker threads (see {@link WorkerThreadOptions}): those
   * declared `(worker.thread)` in the IDL and those listed in `methods`. The event loop keeps
   * doing the I/O and the other methods. Default: no pool; every method runs on the event loop.
   */
  readonly workerThreads?: WorkerThreadOptions;
  /**
   * Serve TLS instead of plain TCP: Node's `tls.createServer` options (`key` and `cert`; for
   * mutual TLS also `ca`, `requestCert: true` and `rejectUnauthorized: true`, and handlers see
   * the client's certificate as `ctx.peerCertificate`). Replace the certificate of a running
   * server with {@link Server.setTlsOptions}. Default: plain TCP.
   */
  readonly tls?: ServerTlsOptions;
  /** A TLS handshake not finished within this many milliseconds closes the connection. Default 10,000. */
  readonly tlsHandshakeTimeoutMs?: number;
  /**
   * Connections open at once; a new one beyond it is closed at once (counted in
   * `stats().connectionsRefused`, logged at most once a second). Default 10,000.
   */
  readonly maxConnections?: number;
  /**
   * A connection with no call running and no frame received (keepalive pings count) for this
   * many milliseconds is drained and closed; skiff clients reconnect when they next need it.
   * `0` turns it off. Default 300,000 (5 minutes).
   */
  readonly idleTimeoutMs?: number;
  /**
   * A frame that starts arriving but does not complete within this many milliseconds closes its
   * connection (a slowloris peer holding memory and a connection slot). `0` turns it off.
   * Default 30,000.
   */
  readonly frameTimeoutMs?: number;
}

/** TLS settings of a server: Node's `tls.createServer` options. */
export type ServerTlsOptions = TlsOptions;

/** Options of {@link Server.close}. */
export interface CloseOptions {
  /**
   * How long running calls may take to finish, in milliseconds; then their signals are aborted
   * and their connections closed (their clients get `UNAVAILABLE`). Default 10,000.
   */
  readonly graceMs?: number;
}

/** What {@link Server.stats} reports. */
export interface ServerStats extends LoadCounters {
  /** Connections open now. */
  readonly connections: number;
  /**
   * How late the event loop runs timers, in milliseconds, since `listen` (Node's
   * `monitorEventLoopDelay`, 10 ms resolution): a busy loop delays every call on this server.
   */
  readonly eventLoopDelayMs: { readonly mean: number; readonly p99: number; readonly max: number };
  /** The worker-thread pool, when the server has one. */
  readonly workerThreads?: WorkerPoolStats;
  /** Connections closed on arrival because `maxConnections` were open. */
  readonly connectionsRefused: number;
  /** Connections closed because a frame did not complete within `frameTimeoutMs`. */
  readonly slowFramesClosed: number;
  /** Connections closed after `idleTimeoutMs` without calls. */
  readonly idleClosed: number;
}

/** What {@link Server.close} did. */
export interface DrainReport {
  /** Calls running when the drain began. */
  readonly inFlightAtClose: number;
  /** Of those, calls that finished (and were answered) within the grace period. */
  readonly completed: number;
  /** Calls still running when the grace period ran out: aborted, their clients got `UNAVAILABLE`. */
  readonly cutOff: number;
  /** How long the drain took, in milliseconds. */
  readonly durationMs: number;
}

/** One open connection, as {@link Server.connections} lists it. */
export interface ConnectionInfo {
  /** The client's address, `host:port`. */
  readonly peer: string;
  /** Calls running on it now. */
  readonly inFlight: number;
  /** When it was accepted (epoch milliseconds). */
  readonly openedAt: number;
}

/** A registered service, as {@link Server.services} lists it. */
export interface ServiceInfo {
  readonly name: string;
  readonly methods: ReadonlyArray<{ readonly name: string; readonly oneway: boolean; readonly idempotent: boolean; readonly workerThread: boolean }>;
}

/** Lifecycle state of a {@link Server}; see the module comment. */
export type ServerState = 'created' | 'listening' | 'serving-handed' | 'draining' | 'closed';

/** A skiff server (see the module comment). */
export interface Server {
  /** Serves `service`'s methods (inherited ones included) with `handler`. Call before or after `listen`. */
  addService<Handler>(service: ServiceDescriptor<Handler>, handler: Handler): this;
  /** Starts accepting connections; resolves to the bound address (useful with `port: 0`). */
  listen(options: { readonly port: number; readonly host?: string }): Promise<AddressInfo>;
  /**
   * Serves a connection accepted elsewhere, e.g. a socket handed to this worker process by a
   * primary that accepts (`child.send(message, socket)`). Destroys it unless the server is
   * listening or was started with {@link Server.serveHandedSockets}.
   */
  acceptSocket(socket: Socket): void;
  /**
   * Makes the server ready for {@link acceptSocket} without listening on a port of its own;
   * resolves once it is (its worker threads, if any, have started).
   */
  serveHandedSockets(): Promise<void>;
  /** The bound address, once listening. */
  address(): AddressInfo | undefined;
  /** Connections currently open. */
  readonly connectionCount: number;
  /** Load and overload counters (see {@link ServerStats}). */
  stats(): ServerStats;
  /** The connections open now. */
  connections(): ConnectionInfo[];
  /** The registered services and their methods, in registration order. */
  services(): ServiceInfo[];
  /**
   * Replaces the TLS settings (typically a renewed certificate and key) of a server created with
   * `tls`: new connections use them, open ones keep theirs. Throws `FAILED_PRECONDITION` for a
   * server without TLS, and Node's error for options it cannot load (the old ones stay).
   */
  setTlsOptions(options: ServerTlsOptions): void;
  /**
   * Tells `observer` how every call ends (see `CallRecord`), including calls refused before
   * their handler ran: for metrics, status pages and call logs. Returns a function that stops it.
   */
  observe(observer: CallObserver): () => void;
  readonly state: ServerState;
  /**
   * Drains and closes (see {@link CloseOptions}); resolves once every connection has closed,
   * with what happened to the calls that were running (also logged). Calling it again returns
   * the same promise.
   */
  close(options?: CloseOptions): Promise<DrainReport>;
  /**
   * Drains and closes the server when the process receives one of `signals` (default SIGTERM
   * and SIGINT), the way process managers and orchestrators stop a service. The listeners are
   * removed once the server has closed; the process then exits on its own when nothing else
   * keeps it alive.
   */
  closeOnSignals(signals?: readonly NodeJS.Signals[], options?: CloseOptions): this;
}

/** Sampling period of the event-loop delay monitor, in milliseconds. */
const LOOP_DELAY_RESOLUTION_MS = 10;

/** Creates a server (see the module comment). */
export function createServer(options: ServerOptions = {}): Server {
  // Loaded now, not by the first call (see internal/otel.ts).
  otel();
  const logger = options.logger ?? stderrLogger;
  const workerPool = options.workerThreads === undefined ? undefined : new WorkerPool(options.workerThreads, logger);
  const offloadNames = new Set(options.workerThreads?.methods ?? []);
  const registry = new MethodRegistry(
    workerPool === undefined
      ? undefined
      : (service, method) => method.workerThread === true || offloadNames.has(service) || offloadNames.has(`${service}.${method.name}`),
  );
  const interceptors = options.interceptors ?? [];
  const innermost: ServerCallHandler = async (call) =>
    workerPool !== undefined && call.ctx instanceof ServerCallContext && call.ctx.offloaded !== undefined
      ? workerPool.run(call.ctx)
      : call.method.invoke(call.handler, call.args, call.ctx);
  const chain = interceptors.length === 0 ? undefined : interceptors.reduceRight<ServerCallHandler>((next, interceptor) => interceptor(next), innermost);
  const connections = new Set<ServerConnection>();
  const observers = new CallObservers();
  const adaptive = options.adaptiveLimit;
  const load = new ServerLoad(
    options.maxInFlight ?? 10_000,
    adaptive === undefined || adaptive === false ? undefined : new AdaptiveLimiter(adaptive === true ? {} : adaptive),
  );
  let loopDelay: IntervalHistogram | undefined;
  let netServer: NetServer | undefined;
  const maxConnections = options.maxConnections ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  const frameTimeoutMs = options.frameTimeoutMs ?? 30_000;
  let sweeper: NodeJS.Timeout | undefined;
  const counters = { connectionsRefused: 0, slowFramesClosed: 0, idleClosed: 0 };
  let lastRefusalLoggedAt = 0;
  /** With `tls`: the TLS server that wraps every connection, listening or handed. */
  const tlsServer =
    options.tls === undefined
      ? undefined
      : nodeTls().createServer({ handshakeTimeout: options.tlsHandshakeTimeoutMs ?? 10_000, ...options.tls }, (socket) => accept(socket));
  tlsServer?.on('tlsClientError', (error, socket) => {
    logger.warn({ peer: `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`, reason: error.message }, 'TLS handshake failed');
  });
  let state: ServerState = 'created';
  let closing: Promise<DrainReport> | undefined;
  /** Run once the server has closed (signal listeners to remove). */
  const whenClosed: Array<() => void> = [];
  let allClosed: (() => void) | undefined;

  const connectionOptions = {
    registry,
    logger,
    chain,
    workerPool,
    observers,
    load,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    headerLimits: { maxHeaderBytes: options.maxHeaderBytes ?? 16 * 1024, maxHeaders: options.maxHeaders ?? 128 },
    maxInFlight: options.maxInFlightPerConnection ?? 1000,
    maxBufferedBytes: options.maxBufferedBytesPerConnection ?? 8 * 1024 * 1024,
    onClose: (connection: ServerConnection) => {
      connections.delete(connection);
      if (connections.size === 0) allClosed?.();
    },
  };

  /** Counts (and logs, at most once a second) a connection refused for `maxConnections`. */
  const connectionRefused = (): void => {
    counters.connectionsRefused++;
    const now = Date.now();
    if (now - lastRefusalLoggedAt >= 1000) {
      lastRefusalLoggedAt = now;
      logger.warn({ maxConnections, refused: counters.connectionsRefused }, 'refusing connections: maxConnections are open');
    }
  };
  const refuseConnection = (socket: Socket): void => {
    socket.destroy();
    connectionRefused();
  };

  const accept = (socket: Socket): void => {
    if (state !== 'listening' && state !== 'serving-handed') {
      socket.destroy();
      return;
    }
    if (connections.size >= maxConnections) {
      refuseConnection(socket);
      return;
    }
    // A socket error is reported through the connection's close; without this listener an
    // error before the connection attaches its own would crash the process.
    socket.on('error', () => {});
    connections.add(new ServerConnection(socket, connectionOptions));
  };

  const server: Server = {
    addService(service, handler) {
      registry.add(service, handler);
      return server;
    },
    async listen({ port, host }) {
      if (state !== 'created') throw new RpcError(ErrorCode.FAILED_PRECONDITION, `cannot listen: the server is ${state}`);
      await startWorkerPool();
      return new Promise((resolve, reject) => {
        const s = tlsServer ?? nodeNet().createServer(accept);
        // Counts sockets still in their TLS handshake too; Node closes the ones beyond it.
        s.maxConnections = maxConnections;
        s.on('drop', connectionRefused);
        const failed = (error: Error): void => {
          void workerPool?.close();
          reject(error);
        };
        s.once('error', failed);
        s.listen(port, host, () => {
          s.off('error', failed);
          s.on('error', (error) => logger.error({ error: error.message }, 'server socket error'));
          netServer = s;
          startServing('listening');
          resolve(s.address() as AddressInfo);
        });
      });
    },
    acceptSocket(socket) {
      if (tlsServer !== undefined && state === 'serving-handed') {
        if (connections.size >= maxConnections) refuseConnection(socket);
        // The TLS server wraps it and hands the secured socket to accept().
        else tlsServer.emit('connection', socket);
      } else {
        accept(socket);
      }
    },
    async serveHandedSockets() {
      if (state !== 'created') throw new RpcError(ErrorCode.FAILED_PRECONDITION, `cannot serve handed sockets: the server is ${state}`);
      await startWorkerPool();
      startServing('serving-handed');
    },
    setTlsOptions(tlsOptions) {
      if (tlsServer === undefined) throw new RpcError(ErrorCode.FAILED_PRECONDITION, 'the server was created without tls: it cannot change TLS settings');
      tlsServer.setSecureContext(tlsOptions);
    },
    address() {
      return (netServer?.address() as AddressInfo | null | undefined) ?? undefined;
    },
    get connectionCount() {
      return connections.size;
    },
    stats() {
      // Node records the whole interval between its sampling timer's runs: the delay is what exceeds the resolution.
      const ms = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0);
      return {
        connections: connections.size,
        inFlight: load.inFlight,
        limit: load.limit,
        rejected: load.rejected,
        expired: load.expired,
        eventLoopDelayMs: {
          mean: ms(loopDelay?.mean ?? 0),
          p99: ms(loopDelay?.percentile(99) ?? 0),
          max: ms(loopDelay?.max ?? 0),
        },
        ...(workerPool === undefined ? {} : { workerThreads: workerPool.stats() }),
        ...counters,
      };
    },
    connections() {
      return [...connections].map((c) => ({ peer: c.peer, inFlight: c.inFlight, openedAt: c.openedAt }));
    },
    services() {
      const byService = new Map<string, Array<ServiceInfo['methods'][number]>>();
      for (const bound of registry.methods()) {
        const methods = byService.get(bound.service) ?? [];
        methods.push({ name: bound.method.name, oneway: bound.method.oneway, idempotent: bound.method.idempotent, workerThread: bound.offloaded });
        byService.set(bound.service, methods);
      }
      return [...byService].map(([name, methods]) => ({ name, methods }));
    },
    observe(observer) {
      return observers.add(observer);
    },
    get state() {
      return state;
    },
    close(closeOptions = {}) {
      closing ??= drain(closeOptions.graceMs ?? 10_000);
      return closing;
    },
    closeOnSignals(signals = ['SIGTERM', 'SIGINT'], closeOptions = {}) {
      const onSignal = (signal: NodeJS.Signals): void => {
        logger.info({ graceMs: closeOptions.graceMs ?? 10_000 }, `received ${signal}: draining`);
        void server.close(closeOptions);
      };
      for (const signal of signals) process.on(signal, onSignal);
      whenClosed.push(() => {
        for (const signal of signals) process.off(signal, onSignal);
      });
      return server;
    },
  };

  /**
   * Starts the worker threads and checks that they serve every method sent to them; on failure
   * the pool is closed and the server stays `created`.
   */
  async function startWorkerPool(): Promise<void> {
    if (workerPool === undefined) return;
    for (const name of offloadNames) {
      const [service, method] = name.split('.');
      const known = [...registry.methods()].some((bound) => bound.service === service && (method === undefined || bound.method.name === method));
      if (!known) throw new RpcError(ErrorCode.INVALID_ARGUMENT, `workerThreads.methods names '${name}', which no registered service has`);
    }
    try {
      const served = await workerPool.start();
      const missing = [...registry.methods()].filter((bound) => bound.offloaded && !served.has(`${bound.service}:${bound.method.name}`));
      if (missing.length > 0) {
        const names = missing.map((bound) => `${bound.service}.${bound.method.name}`).join(', ');
        throw new RpcError(ErrorCode.FAILED_PRECONDITION, `the worker-thread module does not serve ${names}, which should run on the worker threads`);
      }
    } catch (error) {
      await workerPool.close();
      throw error;
    }
  }

  function startServing(serving: 'listening' | 'serving-handed'): void {
    state = serving;
    loopDelay = nodePerfHooks().monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    const shortest = Math.min(idleTimeoutMs || Infinity, frameTimeoutMs || Infinity);
    if (shortest !== Infinity) {
      // One timer for every connection; its period bounds how late a limit is enforced.
      sweeper = setInterval(sweep, Math.max(10, Math.min(1000, Math.floor(shortest / 4))));
      sweeper.unref();
    }
  }

  /** Closes connections stuck in a frame for `frameTimeoutMs`, drains those idle for `idleTimeoutMs`. */
  function sweep(): void {
    const now = Date.now();
    for (const connection of connections) {
      const incompleteSince = connection.connection.incompleteSince;
      if (frameTimeoutMs > 0 && incompleteSince !== 0 && now - incompleteSince > frameTimeoutMs) {
        counters.slowFramesClosed++;
        logger.warn({ peer: connection.peer, frameTimeoutMs }, 'closed a connection whose frame did not complete in time');
        connection.destroy(new RpcError(ErrorCode.UNAVAILABLE, `a frame did not complete within ${frameTimeoutMs} ms`));
        continue;
      }
      const idleSince = connection.idleSince;
      if (idleTimeoutMs > 0 && idleSince !== 0 && now - idleSince > idleTimeoutMs && !connection.isDraining) {
        counters.idleClosed++;
        connection.drain();
      }
    }
  }

  async function drain(graceMs: number): Promise<DrainReport> {
    state = 'draining';
    const startedAt = Date.now();
    const inFlightAtClose = load.inFlight;
    let cutOff = 0;
    const stopped = new Promise<void>((resolve) => (netServer === undefined ? resolve() : netServer.close(() => resolve())));
    const drained = new Promise<void>((resolve) => {
      allClosed = resolve;
      if (connections.size === 0) resolve();
    });
    for (const connection of connections) connection.drain();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        const reason = new RpcError(ErrorCode.UNAVAILABLE, `the server closed after a ${graceMs} ms grace period`);
        for (const connection of connections) cutOff += connection.inFlight;
        if (connections.size > 0)
          logger.warn({ connections: connections.size, calls: cutOff }, 'grace period over: closing connections with calls still running');
        for (const connection of connections) connection.destroy(reason);
        resolve();
      }, graceMs);
    });
    await Promise.race([drained, expired]);
    clearTimeout(timer);
    await stopped;
    clearInterval(sweeper);
    await workerPool?.close();
    loopDelay?.disable();
    state = 'closed';
    const report: DrainReport = { inFlightAtClose, completed: inFlightAtClose - cutOff, cutOff, durationMs: Date.now() - startedAt };
    logger.info({ ...report }, 'server closed');
    for (const callback of whenClosed.splice(0)) callback();
    return report;
  }

  return server;
}
