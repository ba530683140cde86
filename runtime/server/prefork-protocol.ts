/**
 * What a prefork primary ({@link startPrefork} in `prefork.ts`) and its workers (`runWorker` in
 * `prefork-worker.ts`) say to each other over the IPC channel of `child_process.fork` /
 * `cluster.fork`. Every message is an object with a `skiff` discriminant, so an application's
 * own messages (anything else) pass through untouched.
 *
 * ```
 * primary -> worker   { skiff: 'socket', id }   + the connection's socket (handoff model)
 *                     { skiff: 'drain', graceMs }
 * worker  -> primary  { skiff: 'ready', port }  (after listen / serveHandedSockets)
 *                     { skiff: 'failed', message }  (the server factory or listen threw)
 *                     { skiff: 'socket-closed', id }  (a handed connection closed)
 *                     { skiff: 'drained', report }  (then the worker exits 0)
 * ```
 */
import type { DrainReport } from './server.js';

/** How the workers of a prefork server get their connections. */
export type PreforkModel = 'shared-accept' | 'handoff';

/** The environment variable through which the primary tells a worker how to serve. */
export const PREFORK_ENV = 'SKIFF_PREFORK';

/** The value of {@link PREFORK_ENV}, as JSON. */
export interface WorkerSettings {
  readonly model: PreforkModel;
  /** Worker slot, 0 to workers - 1; a replacement takes the slot of the worker it replaces. */
  readonly slot: number;
  /** Shared accept: where to listen (the primary's cluster shares one socket among workers). */
  readonly port: number;
  readonly host: string | undefined;
}

export type PrimaryMessage = { readonly skiff: 'socket'; readonly id: number } | { readonly skiff: 'drain'; readonly graceMs: number };

export type WorkerMessage =
  | { readonly skiff: 'ready'; readonly port: number | undefined }
  | { readonly skiff: 'failed'; readonly message: string }
  | { readonly skiff: 'socket-closed'; readonly id: number }
  | { readonly skiff: 'drained'; readonly report: DrainReport };

/** Whether an IPC message is one of skiff's (rather than the application's). */
export function isSkiffMessage(message: unknown): message is { readonly skiff: string } {
  return typeof message === 'object' && message !== null && typeof (message as { skiff?: unknown }).skiff === 'string';
}
