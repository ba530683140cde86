/**
 * What the demo's client (`main.ts`) and server process (`server.ts`) tell each other over the
 * IPC channel of `fork()`; see `server.ts` for the sequence.
 */

/** Messages the server process sends to its parent. */
export type ServerEvent =
  | { readonly type: 'listening'; readonly port: number; readonly pid: number }
  | { readonly type: 'started'; readonly step: string; readonly method: string }
  | { readonly type: 'aborted'; readonly step: string; readonly method: string; readonly code: string; readonly reason: string }
  | { readonly type: 'login'; readonly id: string; readonly at: string }
  | { readonly type: 'stats'; readonly connections: number }
  | { readonly type: 'draining'; readonly inFlight: number }
  | { readonly type: 'closed'; readonly state: string };

/** Messages the parent sends to the server process. */
export type ServerCommand = { readonly type: 'stats' } | { readonly type: 'close'; readonly graceMs: number };

/** The metadata key the client tags calls with, so the server can say which step it saw. */
export const STEP_HEADER = 'demo-step';
