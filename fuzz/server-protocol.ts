/**
 * The IPC messages between a fuzzing run and its server process; the sequence is documented in
 * `serve-over-ipc.ts`.
 */
import type { ServerStats } from 'skiff/runtime';
import type { InternalErrorReport } from './fuzz-target.js';

/** What the fuzzer sends to the server process. */
export type ParentMessage =
  | { readonly type: 'memory'; readonly id: number; readonly gc: boolean }
  | { readonly type: 'stats'; readonly id: number }
  | { readonly type: 'stop' };

/** What the server process sends back. */
export type ChildMessage =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'memory'; readonly id: number; readonly usage: NodeJS.MemoryUsage }
  | { readonly type: 'stats'; readonly id: number; readonly stats: ServerStats; readonly logs: Readonly<Record<string, number>> }
  | { readonly type: 'internal'; readonly report: InternalErrorReport };

/** Sends `message` to the parent (a no-op without an IPC channel). */
export function send(message: ChildMessage): void {
  process.send?.(message);
}
