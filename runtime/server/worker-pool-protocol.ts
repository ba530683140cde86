/**
 * What a server's event loop (`WorkerPool` in `worker-pool.ts`) and its worker threads
 * (`serveInWorkerThread` in `worker-thread.ts`) say to each other over `postMessage`. Argument and
 * result bytes travel as transferred `ArrayBuffer`s: each is copied once out of (or into) a
 * connection's buffers and then moved between threads, never cloned.
 *
 * ```
 * event loop -> thread   { t: 'call', id, name, protocol, args, metadata, deadline, peer, oneway }
 *                        { t: 'cancel', id, code, message }
 * thread -> event loop   { t: 'ready', methods }           (every `Service:method` it serves)
 *                        { t: 'failed', message }          (the setup function threw)
 *                        { t: 'reply', id, result }        (a `<method>_result` struct's bytes)
 *                        { t: 'error', id, code, message } (an RpcError to send as such)
 *                        { t: 'crash', id, detail }        (the handler threw something else)
 *                        { t: 'done', id }                 (a oneway or cancelled call finished)
 * ```
 */
import type { ErrorCode } from '../errors.js';
import type { WireProtocol } from '../protocol/framing.js';

/** Marks a worker thread started by a skiff server (its `workerData`). */
export const WORKER_THREAD_MARK = 'skiff-worker-thread';

export interface CallMessage {
  readonly t: 'call';
  readonly id: number;
  /** The qualified `Service:method` name. */
  readonly name: string;
  readonly protocol: WireProtocol;
  /** The `<method>_args` struct's bytes (transferred). */
  readonly args: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
  /** Epoch milliseconds, if the caller set a deadline. */
  readonly deadline: number | undefined;
  readonly peer: string;
  readonly oneway: boolean;
}

export type ToThreadMessage = CallMessage | { readonly t: 'cancel'; readonly id: number; readonly code: ErrorCode; readonly message: string };

export type FromThreadMessage =
  | { readonly t: 'ready'; readonly methods: readonly string[] }
  | { readonly t: 'failed'; readonly message: string }
  | { readonly t: 'reply'; readonly id: number; readonly result: Uint8Array }
  | { readonly t: 'error'; readonly id: number; readonly code: ErrorCode; readonly message: string }
  | { readonly t: 'crash'; readonly id: number; readonly detail: string }
  | { readonly t: 'done'; readonly id: number };
