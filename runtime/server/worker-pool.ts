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
 *
 * The threads themselves are managed by `worker-pool-threads.ts`, which `start()` loads (the
 * server starts the pool in `listen()`/`serveHandedSockets()`): importing the runtime does not
 * parse that code (issue 8), and most servers never run a pool.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { ErrorCode, RpcError } from '../errors.js';
import { nodeOs } from '../internal/node-builtins.js';
import type { Logger } from '../logger.js';
import type { ServerCallContext } from './call-context.js';
import type { WorkerPoolThreads } from './worker-pool-threads.js';

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

/** A pool of worker threads serving offloaded methods (see the module comment). */
export class WorkerPool {
  private readonly threadCount: number;
  /** The threads, once `start()` has loaded their module. */
  private threads: WorkerPoolThreads | undefined;
  /** Counts `close()` calls: a `start()` that a close overtook while it loaded does not spawn. */
  private closes = 0;

  /** @throws `RpcError` `INVALID_ARGUMENT` for a thread count that is not a whole number >= 1. */
  constructor(
    private readonly options: WorkerThreadOptions,
    private readonly logger: Logger,
  ) {
    const threads = options.threads ?? Math.max(1, nodeOs().availableParallelism() - 1);
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RpcError(ErrorCode.INVALID_ARGUMENT, `workerThreads.threads must be a whole number >= 1, not ${threads}`);
    }
    this.threadCount = threads;
  }

  /**
   * Spawns every thread; resolves to the `Service:method` names they serve once all are ready.
   * Rejects with `CANCELLED` when `close()` is called before the threads' module has loaded.
   */
  async start(): Promise<ReadonlySet<string>> {
    const closes = this.closes;
    const { WorkerPoolThreads } = await import('./worker-pool-threads.js');
    if (closes !== this.closes) throw new RpcError(ErrorCode.CANCELLED, 'the worker-thread pool was closed while it started');
    this.threads = new WorkerPoolThreads(this.threadCount, this.options, this.logger, WorkerThreadResult);
    return this.threads.start();
  }

  /**
   * Runs `ctx.offloaded` on the least busy thread. Resolves to the encoded result (`undefined`
   * for a oneway call); rejects with the `RpcError` to answer with.
   */
  run(ctx: ServerCallContext): Promise<WorkerThreadResult | undefined> {
    return this.threads?.run(ctx) ?? Promise.reject(new RpcError(ErrorCode.UNAVAILABLE, 'the worker-thread pool has not started'));
  }

  /** Load of the pool now. */
  stats(): WorkerPoolStats {
    return this.threads?.stats() ?? { threads: this.threadCount, ready: 0, inFlight: 0, restarts: 0 };
  }

  /** Terminates every thread; calls still on them fail with `UNAVAILABLE`. Idempotent. */
  async close(): Promise<void> {
    this.closes++;
    await this.threads?.close();
  }
}
