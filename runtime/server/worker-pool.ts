/**
 * The event-loop side of a server's worker-thread pool (concurrency model 4): CPU-heavy methods
 * run in `worker_threads` while the event loop keeps reading, writing and running the light
 * methods.
 *
 * - A call goes to the thread with the fewest calls in flight. Its argument bytes are copied once
 *   out of the connection's read buffer and transferred to the thread; the thread transfers the
 *   result struct's bytes back; the event loop frames and writes the reply (`server-connection.ts`).
 * - Cancellation and deadlines stay on the event loop; an aborted call sends the thread a cancel,
 *   which aborts the handler's `ctx.signal` there.
 * - A thread that dies (an uncaught exception, `process.exit` in the thread, running out of
 *   memory) fails each of its calls with `UNAVAILABLE` at once and is replaced: immediately if it
 *   had been serving, after a doubling delay (100 ms up to 5 s) if it died while starting, so a
 *   module that crashes on load does not spin.
 *
 * Lifecycle: `start()` spawns every thread and resolves once each has registered its handlers
 * (rejects if one fails to) -> serving -> `close()` terminates the threads (the server calls it
 * after its connections have drained).
 */
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { ErrorCode, RpcError } from '../errors.js';
import { backoffDelayMs } from '../internal/backoff.js';
import { nodeOs, nodeWorkerThreads } from '../internal/node-builtins.js';
import type { Logger } from '../logger.js';
import type { ServerCallContext } from './call-context.js';
import { WORKER_THREAD_MARK, type FromThreadMessage, type ToThreadMessage } from './worker-pool-protocol.js';

/** Settings of a server's worker-thread pool (`ServerOptions.workerThreads`). */
export interface WorkerThreadOptions {
  /**
   * The module each thread runs (a file URL or an absolute path to JavaScript). It calls
   * `serveInWorkerThread(...)` to register the handlers of the methods the pool serves.
   */
  readonly module: string | URL;
  /** Threads in the pool. Default: the number of CPUs minus one (the event loop's), at least 1. */
  readonly threads?: number;
  /**
   * Methods to run on the pool besides those declared `(worker.thread)` in the IDL:
   * `'Service.method'`, or `'Service'` for all its methods. `listen` fails on a name no
   * registered service has.
   */
  readonly methods?: readonly string[];
  /** Appended to `process.argv` in each thread (Node's `Worker` option `argv`). */
  readonly argv?: readonly string[];
  /** Heap limits of each thread (Node's `ResourceLimits`); a thread over its limit dies and is replaced. */
  readonly resourceLimits?: ResourceLimits;
}

/** What `server.stats().workerThreads` reports. */
export interface WorkerPoolStats {
  /** Threads in the pool. */
  readonly threads: number;
  /** Of those, threads that have registered their handlers and take calls. */
  readonly ready: number;
  /** Calls sent to threads and not finished. */
  readonly inFlight: number;
  /** Threads that died and were replaced since the pool started. */
  readonly restarts: number;
}

/**
 * What a method run on the pool returns through the server's interceptors: the encoded
 * `<method>_result` struct (the value or a declared exception), written to the client as is.
 */
export class WorkerThreadResult {
  constructor(readonly bytes: Uint8Array) {}
}

interface PendingCall {
  readonly slot: Slot;
  readonly what: string;
  readonly oneway: boolean;
  /** The event loop stopped waiting (cancelled, timed out, connection gone); the thread has not said it finished. */
  abandoned: boolean;
  readonly resolve: (result: WorkerThreadResult | undefined) => void;
  readonly reject: (error: RpcError) => void;
}

interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  ready: boolean;
  inFlight: number;
  /** Starts in a row that died before the thread became ready (drives the restart delay). */
  failedStarts: number;
  restartTimer: NodeJS.Timeout | undefined;
}

/** A pool of worker threads serving offloaded methods (see the module comment). */
export class WorkerPool {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private restarts = 0;
  private closed = false;
  /** Settles `start()`: the first thread to fail rejects it, the last one ready resolves it. */
  private starting: { resolve: () => void; reject: (error: RpcError) => void } | undefined;
  /** What the threads serve, from their `ready` messages. */
  private served: ReadonlySet<string> = new Set();

  constructor(
    private readonly options: WorkerThreadOptions,
    private readonly logger: Logger,
  ) {
    const threads = options.threads ?? Math.max(1, nodeOs().availableParallelism() - 1);
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RpcError(ErrorCode.INVALID_ARGUMENT, `workerThreads.threads must be a whole number >= 1, not ${threads}`);
    }
    this.slots = Array.from({ length: threads }, (_, index) => ({
      index,
      worker: undefined,
      ready: false,
      inFlight: 0,
      failedStarts: 0,
      restartTimer: undefined,
    }));
  }

  /** Spawns every thread; resolves to the `Service:method` names they serve once all are ready. */
  start(): Promise<ReadonlySet<string>> {
    return new Promise<void>((resolve, reject) => {
      this.starting = { resolve, reject };
      for (const slot of this.slots) this.spawn(slot);
    }).then(() => this.served);
  }

  /**
   * Runs `ctx.offloaded` on the least busy thread. Resolves to the encoded result (`undefined`
   * for a oneway call); rejects with the `RpcError` to answer with.
   */
  run(ctx: ServerCallContext): Promise<WorkerThreadResult | undefined> {
    const call = ctx.offloaded;
    if (call === undefined) return Promise.reject(new RpcError(ErrorCode.INTERNAL, 'the call was not marked for the worker-thread pool'));
    const slot = this.pick();
    if (slot?.worker === undefined) {
      return Promise.reject(new RpcError(ErrorCode.UNAVAILABLE, 'no worker thread is running (they are restarting); retry later'));
    }
    const worker = slot.worker;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const pending: PendingCall = { slot, what: call.name.replace(':', '.'), oneway: call.oneway, abandoned: false, resolve, reject };
      this.pending.set(id, pending);
      slot.inFlight++;
      if (!call.oneway) {
        ctx.onAbort = (reason) => {
          if (pending.abandoned) return;
          pending.abandoned = true;
          const error = reason instanceof RpcError ? reason : new RpcError(ErrorCode.CANCELLED, 'the call was cancelled');
          this.post(worker, { t: 'cancel', id, code: error.code, message: error.message });
        };
      }
      const message: ToThreadMessage = {
        t: 'call',
        id,
        name: call.name,
        protocol: call.protocol,
        args: call.args,
        metadata: ctx.metadata,
        deadline: ctx.deadline,
        peer: ctx.peer,
        oneway: call.oneway,
      };
      this.post(worker, message, [call.args.buffer as ArrayBuffer]);
    });
  }

  /** Load of the pool now. */
  stats(): WorkerPoolStats {
    let ready = 0;
    for (const slot of this.slots) if (slot.ready) ready++;
    return { threads: this.slots.length, ready, inFlight: this.pending.size, restarts: this.restarts };
  }

  /** Terminates every thread; calls still on them fail with `UNAVAILABLE`. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const exits: Promise<number>[] = [];
    for (const slot of this.slots) {
      clearTimeout(slot.restartTimer);
      if (slot.worker !== undefined) exits.push(slot.worker.terminate());
    }
    await Promise.all(exits);
  }

  /** The ready thread with the fewest calls in flight; a starting one when none is ready. */
  private pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.worker === undefined) continue;
      if (best === undefined || (slot.ready && !best.ready) || (slot.ready === best.ready && slot.inFlight < best.inFlight)) best = slot;
    }
    return best;
  }

  private spawn(slot: Slot): void {
    slot.restartTimer = undefined;
    const worker = new (nodeWorkerThreads().Worker)(this.options.module, {
      workerData: WORKER_THREAD_MARK,
      ...(this.options.argv === undefined ? {} : { argv: [...this.options.argv] }),
      ...(this.options.resourceLimits === undefined ? {} : { resourceLimits: this.options.resourceLimits }),
    });
    slot.worker = worker;
    slot.ready = false;
    worker.on('message', (message: FromThreadMessage) => this.receive(slot, worker, message));
    worker.on('error', (error) => {
      this.logger.error({ thread: slot.index, error: error.stack ?? error.message }, 'a worker thread crashed');
    });
    worker.on('exit', (code) => this.onExit(slot, worker, code));
  }

  private receive(slot: Slot, worker: Worker, message: FromThreadMessage): void {
    switch (message.t) {
      case 'ready':
        slot.ready = true;
        slot.failedStarts = 0;
        this.served = new Set(message.methods);
        if (this.slots.every((s) => s.ready)) {
          this.starting?.resolve();
          this.starting = undefined;
        }
        return;
      case 'failed':
        this.logger.error({ thread: slot.index, error: message.message }, 'a worker thread could not set up its handlers');
        this.starting?.reject(new RpcError(ErrorCode.FAILED_PRECONDITION, `the worker-thread module failed to set up: ${message.message}`));
        this.starting = undefined;
        void worker.terminate();
        return;
      default:
        this.settle(message);
    }
  }

  private settle(message: Exclude<FromThreadMessage, { t: 'ready' } | { t: 'failed' }>): void {
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    this.pending.delete(message.id);
    pending.slot.inFlight--;
    if (pending.abandoned) return;
    switch (message.t) {
      case 'reply':
        pending.resolve(new WorkerThreadResult(message.result));
        return;
      case 'done':
        pending.resolve(undefined);
        return;
      case 'error':
        pending.reject(new RpcError(message.code, message.message));
        return;
      case 'crash':
        this.logger.error({ error: message.detail }, `handler of ${pending.what} failed in a worker thread`);
        // Logged here with the thread's stack; a oneway caller gets no answer either way.
        if (pending.oneway) pending.resolve(undefined);
        else pending.reject(new RpcError(ErrorCode.INTERNAL, `internal error in ${pending.what}`));
    }
  }

  private onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    const wasReady = slot.ready;
    slot.worker = undefined;
    slot.ready = false;
    for (const [id, pending] of this.pending) {
      if (pending.slot !== slot) continue;
      this.pending.delete(id);
      if (!pending.abandoned) pending.reject(new RpcError(ErrorCode.UNAVAILABLE, `the worker thread running ${pending.what} exited (code ${code})`));
    }
    slot.inFlight = 0;
    if (this.closed) return;
    if (this.starting !== undefined) {
      this.starting.reject(new RpcError(ErrorCode.FAILED_PRECONDITION, `a worker thread exited (code ${code}) before it was ready; see the logged error`));
      this.starting = undefined;
      return;
    }
    this.restarts++;
    if (!wasReady) slot.failedStarts++;
    const delayMs = slot.failedStarts === 0 ? 0 : backoffDelayMs(slot.failedStarts - 1, { baseMs: 100, maxMs: 5000 });
    this.logger.warn({ thread: slot.index, exitCode: code, delayMs }, 'replacing a worker thread');
    slot.restartTimer = setTimeout(() => this.spawn(slot), delayMs);
  }

  private post(worker: Worker, message: ToThreadMessage, transfer: ArrayBuffer[] = []): void {
    worker.postMessage(message, transfer);
  }
}
