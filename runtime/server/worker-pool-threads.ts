/**
 * The threads of a server's worker-thread pool: spawning, picking, message passing, restarts
 * (see `worker-pool.ts`, whose `WorkerPool` loads this module when the server starts, so that
 * importing the runtime does not parse it).
 */
import type { Worker } from 'node:worker_threads';
import { ErrorCode, RpcError } from '../errors.js';
import { backoffDelayMs } from '../internal/backoff.js';
import { nodeWorkerThreads } from '../internal/node-builtins.js';
import type { Logger } from '../logger.js';
import type { ServerCallContext } from './call-context.js';
import type { WorkerPoolStats, WorkerThreadOptions, WorkerThreadResult } from './worker-pool.js';
import { WORKER_THREAD_MARK, type FromThreadMessage, type ToThreadMessage } from './worker-pool-protocol.js';

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

/** The threads of a started {@link WorkerPool} (see `worker-pool.ts`). */
export class WorkerPoolThreads {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private restarts = 0;
  private closed = false;
  /** Settles `start()`: the first thread to fail rejects it, the last one ready resolves it. */
  private starting: { resolve: () => void; reject: (error: RpcError) => void } | undefined;
  /** What the threads serve, from their `ready` messages. */
  private served: ReadonlySet<string> = new Set();

  /**
   * @param threads - how many (checked by `WorkerPool`).
   * @param resultClass - the class replies are wrapped in: passed rather than imported, because
   *   the build bundles this module apart from the runtime's entry, whose class the server's
   *   `instanceof` tests know.
   */
  constructor(
    threads: number,
    private readonly options: WorkerThreadOptions,
    private readonly logger: Logger,
    private readonly resultClass: typeof WorkerThreadResult,
  ) {
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
        pending.resolve(new this.resultClass(message.result));
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
