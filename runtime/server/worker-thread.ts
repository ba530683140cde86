/**
 * The thread side of a server's worker-thread pool: what the module named in
 * `createServer({ workerThreads: { module } })` calls to serve the methods the pool runs.
 *
 * ```ts
 * // image-worker.js: runs in each worker thread
 * import { serveInWorkerThread } from 'skiff/runtime';
 * serveInWorkerThread((threads) => threads.addService(ImageService, new ImageHandler()));
 * ```
 *
 * A thread receives each call as the bytes of its `<method>_args` struct, decodes them, runs the
 * handler (inside the call's scope, so calls it makes inherit the deadline and cancellation) and
 * sends back the bytes of the `<method>_result` struct, or the error to answer with. Framing,
 * limits, deadlines and the reply itself stay on the event loop (`worker-pool.ts`).
 */
import type { MessagePort } from 'node:worker_threads';
import { ErrorCode, RpcError } from '../errors.js';
import { runInCallScope } from '../internal/call-scope.js';
import { nodeWorkerThreads } from '../internal/node-builtins.js';
import { isThenable } from '../internal/thenable.js';
import { BinaryReader, BinaryWriter } from '../protocol/binary.js';
import { CompactReader, CompactWriter } from '../protocol/compact.js';
import type { WireProtocol } from '../protocol/framing.js';
import type { ServiceDescriptor } from '../service.js';
import { ServerCallContext } from './call-context.js';
import { MethodRegistry, type BoundMethod } from './method-registry.js';
import { WORKER_THREAD_MARK, type CallMessage, type FromThreadMessage, type ToThreadMessage } from './worker-pool-protocol.js';

/** What the setup function of {@link serveInWorkerThread} registers handlers with. */
export interface WorkerThreadServices {
  /** Serves `service`'s methods in this thread with `handler` (only those the pool sends here run). */
  addService<Handler>(service: ServiceDescriptor<Handler>, handler: Handler): this;
}

/** Whether this code runs in a worker thread started by a skiff server's pool. */
export function isSkiffWorkerThread(): boolean {
  const { parentPort, workerData } = nodeWorkerThreads();
  return parentPort !== null && workerData === WORKER_THREAD_MARK;
}

/**
 * Registers this thread's handlers with `setup` and serves calls until the server closes the
 * pool. Call it once, at the top level of the pool's module. `setup` may be async; if it throws
 * (or rejects), the server's `listen` fails with that message.
 *
 * @throws `RpcError` `FAILED_PRECONDITION` outside a thread started by a skiff server.
 */
export async function serveInWorkerThread(setup: (services: WorkerThreadServices) => unknown): Promise<void> {
  const port = nodeWorkerThreads().parentPort;
  if (port === null || !isSkiffWorkerThread()) {
    throw new RpcError(ErrorCode.FAILED_PRECONDITION, 'serveInWorkerThread() runs only in a worker thread started by a skiff server (createServer({ workerThreads }))');
  }
  const registry = new MethodRegistry();
  const services: WorkerThreadServices = {
    addService(service, handler) {
      registry.add(service, handler);
      return services;
    },
  };
  try {
    await setup(services);
  } catch (error) {
    post(port, { t: 'failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const thread = new ThreadDispatcher(port, registry);
  port.on('message', (message: ToThreadMessage) => thread.receive(message));
  post(port, { t: 'ready', methods: registry.qualifiedNames });
}

/** Runs the calls the pool sends to this thread. */
class ThreadDispatcher {
  private readonly running = new Map<number, ServerCallContext>();
  private readonly compactReader = new CompactReader(new Uint8Array(0));
  private readonly binaryReader = new BinaryReader(new Uint8Array(0));
  private readonly compactWriter = new CompactWriter();
  private readonly binaryWriter = new BinaryWriter();

  constructor(
    private readonly port: MessagePort,
    private readonly registry: MethodRegistry,
  ) {}

  receive(message: ToThreadMessage): void {
    if (message.t === 'cancel') {
      const ctx = this.running.get(message.id);
      this.running.delete(message.id);
      ctx?.abort(new RpcError(message.code, message.message));
    } else {
      this.call(message);
    }
  }

  private call(message: CallMessage): void {
    const bound = this.registry.lookup(message.name);
    if (bound === undefined) {
      this.answerError(message, new RpcError(ErrorCode.UNIMPLEMENTED, `the worker threads do not serve '${message.name}'`));
      return;
    }
    let args: unknown;
    try {
      const r = message.protocol === 'compact' ? this.compactReader : this.binaryReader;
      r.reset(message.args);
      args = bound.method.args.read(r);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.answerError(message, new RpcError(ErrorCode.INVALID_ARGUMENT, `arguments of ${bound.method.name} do not decode: ${detail}`));
      return;
    }
    const ctx = new ServerCallContext(message.metadata, message.deadline, message.peer);
    this.running.set(message.id, ctx);
    let result: unknown;
    try {
      result = runInCallScope(ctx, () => bound.method.invoke(bound.handler, args, ctx));
    } catch (error) {
      this.finish(message, bound, false, error);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.finish(message, bound, true, value),
        (error: unknown) => this.finish(message, bound, false, error),
      );
    } else {
      this.finish(message, bound, true, result);
    }
  }

  private finish(message: CallMessage, bound: BoundMethod, ok: boolean, outcome: unknown): void {
    const { id } = message;
    if (!this.running.delete(id) || message.oneway) {
      // Cancelled (nobody waits for a reply) or oneway: only a crash is worth reporting.
      post(this.port, ok || !message.oneway ? { t: 'done', id } : { t: 'crash', id, detail: describe(outcome) });
    } else if (ok || bound.method.declares(outcome)) {
      const result = ok ? { kind: 'success', value: outcome } : { kind: 'exception', error: outcome };
      const bytes = this.encode(message.protocol, bound, result);
      if (typeof bytes === 'string') post(this.port, { t: 'crash', id, detail: `the result does not encode: ${bytes}` });
      else post(this.port, { t: 'reply', id, result: bytes }, [bytes.buffer as ArrayBuffer]);
    } else if (outcome instanceof RpcError) {
      post(this.port, { t: 'error', id, code: outcome.code, message: outcome.message });
    } else {
      post(this.port, { t: 'crash', id, detail: describe(outcome) });
    }
  }

  /** The result struct's bytes in a buffer of their own (to transfer), or why they do not encode. */
  private encode(protocol: WireProtocol, bound: BoundMethod, result: unknown): Uint8Array | string {
    const w = protocol === 'compact' ? this.compactWriter : this.binaryWriter;
    w.reset();
    try {
      bound.method.result.write(w, result as never);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    // A copy in a fresh ArrayBuffer: the writer's buffer may be a pooled Buffer (whose `slice` shares
    // memory), and transferring that would detach it.
    return new Uint8Array(w.view());
  }

  private answerError(message: CallMessage, error: RpcError): void {
    if (message.oneway) post(this.port, { t: 'crash', id: message.id, detail: error.message });
    else post(this.port, { t: 'error', id: message.id, code: error.code, message: error.message });
  }
}

function post(port: MessagePort, message: FromThreadMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
