/**
 * Prefork servers: a primary process forks N worker processes that each run a skiff
 * {@link Server}, so a server uses every core (issue 6, models 2 and 3).
 *
 * ```
 * shared-accept (node:cluster, SCHED_NONE)      handoff (child_process, send(msg, socket))
 *
 *   primary: binds the port, never accepts        primary: listens and accepts (paused sockets)
 *        | one listening socket, shared              | pick(worker): round robin / least conns
 *   +----+----+                                 +----+----+
 *   w0   w1   w2  each accept()s; the kernel      w0   w1   w2  serve handed sockets, report
 *                 decides who wins                              each one's close
 * ```
 *
 * Shared accept costs the primary nothing per connection, but the kernel's choice of worker is
 * uneven (a busy worker simply accepts less). Handoff costs the primary one accept and one IPC
 * send per connection (not per call: calls then flow straight between client and worker), and
 * lets a {@link WorkerPicker} place each connection.
 *
 * ```ts
 * // primary.js
 * const prefork = await startPrefork({ workers: 4, model: 'handoff', pick: 'least-connections',
 *   port: 9090, module: new URL('./worker.js', import.meta.url) });
 * prefork.closeOnSignals();
 * // worker.js
 * await runWorker(() => createServer().addService(UserService, new UserStore()));
 * ```
 *
 * Lifecycle: `starting` (forking; resolves once every worker serves) -> `running` (a worker that
 * exits is replaced in its slot; its connections die with it, so its clients' pending calls fail
 * `UNAVAILABLE` and they reconnect to the others) -> `draining` ({@link Prefork.close}: stop
 * accepting, every worker drains and exits 0) -> `closed`.
 *
 * Workers are separate Node processes running `module` (plain JavaScript on Node 20). Shared
 * accept sets node:cluster's process-wide `schedulingPolicy` to `SCHED_NONE`, which Node freezes
 * at the first cluster fork: it fails if this process already forked cluster workers with
 * round-robin scheduling. Handoff does not use node:cluster.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ErrorCode, RpcError } from '../errors.js';
import { stderrLogger, type Logger } from '../logger.js';
import { nodeChildProcess, nodeCluster, nodeNet } from '../internal/node-builtins.js';
import { leastConnectionsPicker, roundRobinPicker, type PreforkWorker, type WorkerPicker } from './prefork-picker.js';
import { isSkiffMessage, PREFORK_ENV, type PreforkModel, type PrimaryMessage, type WorkerMessage, type WorkerSettings } from './prefork-protocol.js';
import type { CloseOptions, DrainReport } from './server.js';

export type { PreforkModel } from './prefork-protocol.js';

/** Settings of {@link startPrefork}. */
export interface PreforkOptions {
  /** Worker processes to keep running (at least 1); typically `os.availableParallelism()`. */
  readonly workers: number;
  /** How workers get connections (see the module comment). */
  readonly model: PreforkModel;
  /** `handoff` only: which worker gets a new connection. Default `'round-robin'`. */
  readonly pick?: 'round-robin' | 'least-connections' | WorkerPicker;
  /** Port to serve (0: any free port; read it from {@link Prefork.port}). */
  readonly port: number;
  readonly host?: string;
  /** The worker module (JavaScript), which calls `runWorker`. Default: this process's main script. */
  readonly module?: string | URL;
  /** Arguments of the worker module (`process.argv.slice(2)` in the worker). Default none. */
  readonly args?: readonly string[];
  /** Node flags of the workers. Default: this process's `process.execArgv`. */
  readonly execArgv?: readonly string[];
  /** Extra environment variables of the workers (added to this process's). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long the workers may take to start serving, in milliseconds. Default 10,000. */
  readonly startTimeoutMs?: number;
  /**
   * Delay before replacing a worker that died before it served, in milliseconds, doubling up to
   * 5,000 while replacements keep failing (a crash loop must not fork as fast as it can). A
   * worker that died after serving is replaced at once. Default 100.
   */
  readonly restartDelayMs?: number;
  /** Where worker exits and replacements are reported. Default: stderr. */
  readonly logger?: Logger;
}

/** What {@link Prefork.close} did: the workers' {@link DrainReport}s added up, and each worker's. */
export interface PreforkDrainReport extends DrainReport {
  readonly workers: ReadonlyArray<{
    readonly pid: number;
    /** The worker's own report; absent if it exited without one (crashed or killed while draining). */
    readonly report?: DrainReport;
    readonly exitCode: number | null;
    readonly signal: NodeJS.Signals | null;
  }>;
  /** Workers that had not exited `killAfterMs` after the grace period and were killed (SIGKILL). */
  readonly killed: number;
}

/** Options of {@link Prefork.close}. */
export interface PreforkCloseOptions extends CloseOptions {
  /** How long after the grace period a worker that has not exited is killed (SIGKILL), in milliseconds. Default 5,000. */
  readonly killAfterMs?: number;
}

/** Lifecycle state of a {@link Prefork}; see the module comment. */
export type PreforkState = 'starting' | 'running' | 'draining' | 'closed';

/** A running prefork server (see the module comment). */
export interface Prefork {
  readonly model: PreforkModel;
  readonly state: PreforkState;
  /** The bound port (the one asked for, or the one chosen for port 0). */
  readonly port: number;
  /** Live workers, in slot order (a snapshot). */
  workers(): PreforkWorker[];
  /** A worker serves (at start, or a replacement). */
  on(event: 'worker-ready', listener: (worker: PreforkWorker) => void): this;
  /** A worker exited (crash, kill, or drain); a replacement follows unless the prefork is draining. */
  on(event: 'worker-exit', listener: (worker: PreforkWorker, exitCode: number | null, signal: NodeJS.Signals | null) => void): this;
  /** A worker sent a message of its own (`process.send`; skiff's messages are not reported). */
  on(event: 'message', listener: (worker: PreforkWorker, message: unknown) => void): this;
  off(event: string, listener: (...args: never[]) => void): this;
  /**
   * Stops accepting and drains every worker (each closes its server with `graceMs` and exits 0);
   * resolves once every worker has exited. Calling it again returns the same promise.
   */
  close(options?: PreforkCloseOptions): Promise<PreforkDrainReport>;
  /** Closes on one of `signals` (default SIGTERM and SIGINT); listeners are removed once closed. */
  closeOnSignals(signals?: readonly NodeJS.Signals[], options?: PreforkCloseOptions): this;
}

/** One worker process, as the primary tracks it. */
interface Slot {
  readonly slot: number;
  readonly child: ChildProcess;
  readonly pid: number;
  ready: boolean;
  /** Ids of handed sockets not yet reported closed. */
  readonly open: Set<number>;
  report?: DrainReport;
  readonly exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
}

const snapshot = (w: Slot): PreforkWorker => ({ slot: w.slot, pid: w.pid, ready: w.ready, connections: w.open.size });

/**
 * Forks the workers and resolves once every one of them serves (see the module comment).
 * Rejects (killing what it started) if one fails to start or the start takes longer than
 * `startTimeoutMs`.
 */
export async function startPrefork(options: PreforkOptions): Promise<Prefork> {
  if (!Number.isInteger(options.workers) || options.workers < 1)
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, `startPrefork: workers must be an integer >= 1, got ${options.workers}`);
  const logger = options.logger ?? stderrLogger;
  const model = options.model;
  const modulePath = options.module === undefined ? process.argv[1] : options.module instanceof URL ? fileURLToPath(options.module) : options.module;
  if (modulePath === undefined) throw new RpcError(ErrorCode.INVALID_ARGUMENT, 'startPrefork: no worker module');
  const execArgv = [...(options.execArgv ?? process.execArgv)];
  const args = [...(options.args ?? [])];
  const pick: WorkerPicker =
    typeof options.pick === 'function' ? options.pick : options.pick === 'least-connections' ? leastConnectionsPicker() : roundRobinPicker();
  const restartDelayMs = options.restartDelayMs ?? 100;
  const events = new EventEmitter();

  if (model === 'shared-accept') {
    const cluster = nodeCluster();
    const frozen = Object.keys(cluster.settings).length > 0;
    if (frozen && cluster.schedulingPolicy !== cluster.SCHED_NONE) {
      throw new RpcError(
        ErrorCode.FAILED_PRECONDITION,
        'startPrefork: shared-accept needs cluster.SCHED_NONE, but this process already forked cluster workers with another scheduling policy',
      );
    }
    cluster.schedulingPolicy = cluster.SCHED_NONE;
  }

  let state: PreforkState = 'starting';
  let boundPort = options.port;
  const slots: Array<Slot | undefined> = Array.from({ length: options.workers }, () => undefined);
  /** Consecutive replacements of a slot that died before serving (for the restart backoff). */
  const failures = new Array<number>(options.workers).fill(0);
  const restartTimers = new Set<NodeJS.Timeout>();
  let startFailed: ((error: Error) => void) | undefined;
  let nextSocketId = 1;
  let acceptor: NetServer | undefined;
  /** Handoff: connections accepted while no worker was ready, handed out as soon as one is. */
  const waiting: Socket[] = [];
  const MAX_WAITING = 1024;

  const live = (): Slot[] => slots.filter((w): w is Slot => w !== undefined);
  const ready = (): Slot[] => live().filter((w) => w.ready && w.child.connected);

  const spawn = (slot: number): Slot => {
    // Shared accept: a worker listening with the same (host, port) as a live one gets cluster's
    // already bound socket; once none is alive, the socket is gone and a replacement binds the
    // port that was bound (not 0 again, which would move the server to another port).
    const port = model === 'shared-accept' && live().some((w) => w.ready) ? options.port : boundPort;
    const settings: WorkerSettings = { model, slot, port, host: options.host };
    const env = { ...options.env, [PREFORK_ENV]: JSON.stringify(settings) };
    let child: ChildProcess;
    if (model === 'shared-accept') {
      nodeCluster().setupPrimary({ exec: modulePath, args, execArgv, silent: false });
      child = nodeCluster().fork(env).process;
    } else {
      child = nodeChildProcess().fork(modulePath, args, { execArgv, env: { ...process.env, ...env }, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    }
    const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })),
    );
    const worker: Slot = { slot, child, pid: child.pid ?? -1, ready: false, open: new Set(), exited };
    slots[slot] = worker;
    child.on('error', (error) => logger.warn({ pid: worker.pid, error: error.message }, 'prefork worker IPC error'));
    child.on('message', (message: unknown) => onMessage(worker, message));
    void exited.then(({ exitCode, signal }) => onExit(worker, exitCode, signal));
    return worker;
  };

  const onMessage = (worker: Slot, message: unknown): void => {
    if (!isSkiffMessage(message)) {
      events.emit('message', snapshot(worker), message);
      return;
    }
    const m = message as WorkerMessage;
    switch (m.skiff) {
      case 'ready':
        worker.ready = true;
        failures[worker.slot] = 0;
        if (m.port !== undefined) boundPort = m.port;
        events.emit('worker-ready', snapshot(worker));
        flushWaiting();
        break;
      case 'failed':
        logger.error({ pid: worker.pid, error: m.message }, 'prefork worker failed to start');
        // Its IPC channel would keep it alive: end it (a replacement follows, after a delay).
        worker.child.kill('SIGKILL');
        startFailed?.(new RpcError(ErrorCode.UNAVAILABLE, `prefork worker ${worker.pid} failed to start: ${m.message}`));
        break;
      case 'socket-closed':
        worker.open.delete(m.id);
        break;
      case 'drained':
        worker.report = m.report;
        break;
    }
  };

  const onExit = (worker: Slot, exitCode: number | null, signal: NodeJS.Signals | null): void => {
    if (slots[worker.slot] === worker) slots[worker.slot] = undefined;
    const info = snapshot(worker);
    events.emit('worker-exit', info, exitCode, signal);
    if (state === 'starting') {
      startFailed?.(new RpcError(ErrorCode.UNAVAILABLE, `prefork worker ${worker.pid} exited during start (${exitCode ?? signal})`));
      return;
    }
    if (state !== 'running') return;
    const crashLoop = !worker.ready;
    const delayMs = crashLoop ? Math.min(5000, restartDelayMs * 2 ** failures[worker.slot]!) : 0;
    if (crashLoop) failures[worker.slot]!++;
    logger.warn(
      { pid: worker.pid, code: exitCode ?? undefined, signal: signal ?? undefined, connections: info.connections, delayMs },
      'prefork worker exited: replacing it',
    );
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (state === 'running') spawn(worker.slot);
    }, delayMs);
    restartTimers.add(timer);
  };

  const handOff = (socket: Socket): void => {
    const candidates = ready();
    if (candidates.length === 0) {
      if (waiting.length >= MAX_WAITING) socket.destroy();
      else waiting.push(socket);
      return;
    }
    const chosen = pick(candidates.map(snapshot));
    const worker = candidates.find((w) => w.slot === chosen.slot) ?? candidates[0]!;
    const id = nextSocketId++;
    worker.open.add(id);
    const message: PrimaryMessage = { skiff: 'socket', id };
    worker.child.send(message, socket, { keepOpen: false }, (error) => {
      if (error === null || error === undefined) return;
      worker.open.delete(id);
      socket.destroy();
    });
  };

  const flushWaiting = (): void => {
    while (waiting.length > 0 && ready().length > 0) {
      const socket = waiting.shift()!;
      if (!socket.destroyed) handOff(socket);
    }
  };

  const killAll = (): void => {
    for (const w of live()) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  };

  // Start: fork everyone, wait until every worker serves.
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RpcError(ErrorCode.DEADLINE_EXCEEDED, `prefork workers did not start within ${options.startTimeoutMs ?? 10_000} ms`)),
        options.startTimeoutMs ?? 10_000,
      );
      startFailed = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      const onReady = (): void => {
        if (ready().length < options.workers) return;
        clearTimeout(timer);
        events.off('worker-ready', onReady);
        resolve();
      };
      events.on('worker-ready', onReady);
      for (let slot = 0; slot < options.workers; slot++) spawn(slot);
    });
    startFailed = undefined;
    if (model === 'handoff') {
      acceptor = nodeNet().createServer({ pauseOnConnect: true }, (socket) => {
        socket.on('error', () => {});
        if (state !== 'running') socket.destroy();
        else handOff(socket);
      });
      const server = acceptor;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          server.on('error', (error) => logger.error({ error: error.message }, 'prefork listening socket error'));
          boundPort = (server.address() as AddressInfo).port;
          resolve();
        });
      });
    }
  } catch (error) {
    state = 'closed';
    killAll();
    await Promise.all(live().map((w) => w.exited));
    throw error;
  }
  state = 'running';

  let closing: Promise<PreforkDrainReport> | undefined;
  const drainAll = async (closeOptions: PreforkCloseOptions): Promise<PreforkDrainReport> => {
    state = 'draining';
    const startedAt = Date.now();
    const graceMs = closeOptions.graceMs ?? 10_000;
    for (const timer of restartTimers) clearTimeout(timer);
    restartTimers.clear();
    const stopped = new Promise<void>((resolve) => (acceptor === undefined ? resolve() : acceptor.close(() => resolve())));
    for (const socket of waiting.splice(0)) socket.destroy();
    const workers = live();
    const message: PrimaryMessage = { skiff: 'drain', graceMs };
    for (const w of workers) {
      // A worker still starting has no calls: stop it outright.
      if (!w.ready || !w.child.connected) w.child.kill('SIGKILL');
      else w.child.send(message, undefined, {}, (error) => error && w.child.kill('SIGKILL'));
    }
    let killed = 0;
    const killTimer = setTimeout(
      () => {
        for (const w of workers) {
          if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
          killed++;
          w.child.kill('SIGKILL');
        }
      },
      graceMs + (closeOptions.killAfterMs ?? 5000),
    );
    const exits = await Promise.all(workers.map((w) => w.exited));
    clearTimeout(killTimer);
    await stopped;
    state = 'closed';
    const perWorker = workers.map((w, i) => ({
      pid: w.pid,
      ...(w.report === undefined ? {} : { report: w.report }),
      exitCode: exits[i]!.exitCode,
      signal: exits[i]!.signal,
    }));
    const sum = (key: 'inFlightAtClose' | 'completed' | 'cutOff'): number => perWorker.reduce((n, w) => n + (w.report?.[key] ?? 0), 0);
    const report: PreforkDrainReport = {
      inFlightAtClose: sum('inFlightAtClose'),
      completed: sum('completed'),
      cutOff: sum('cutOff'),
      durationMs: Date.now() - startedAt,
      workers: perWorker,
      killed,
    };
    logger.info({ workers: workers.length, inFlightAtClose: report.inFlightAtClose, cutOff: report.cutOff, killed }, 'prefork server closed');
    for (const callback of whenClosed.splice(0)) callback();
    return report;
  };
  const whenClosed: Array<() => void> = [];

  const prefork: Prefork = {
    model,
    get state() {
      return state;
    },
    get port() {
      return boundPort;
    },
    workers: () => live().map(snapshot),
    on(event: string, listener: (...args: never[]) => void) {
      events.on(event, listener as (...args: unknown[]) => void);
      return prefork;
    },
    off(event, listener) {
      events.off(event, listener as (...args: unknown[]) => void);
      return prefork;
    },
    close(closeOptions = {}) {
      closing ??= drainAll(closeOptions);
      return closing;
    },
    closeOnSignals(signals = ['SIGTERM', 'SIGINT'], closeOptions = {}) {
      const onSignal = (signal: NodeJS.Signals): void => {
        logger.info({ graceMs: closeOptions.graceMs ?? 10_000 }, `received ${signal}: draining the prefork workers`);
        void prefork.close(closeOptions);
      };
      for (const signal of signals) process.on(signal, onSignal);
      whenClosed.push(() => {
        for (const signal of signals) process.off(signal, onSignal);
      });
      return prefork;
    },
  };
  return prefork;
}
