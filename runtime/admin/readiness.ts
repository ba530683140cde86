/**
 * Whether the process should receive traffic (`/readyz`): every watched server is serving
 * (`listening`, or `serving-handed` in a prefork worker) and the application's own check, if
 * any, agrees (e.g. the instance is registered in etcd). Liveness (`/healthz`) is separate:
 * a draining server is alive but not ready, so an orchestrator stops sending it calls without
 * restarting it.
 */
import type { ServerState } from '../server/server.js';

/** The answer of {@link readiness}. */
export interface Readiness {
  readonly ready: boolean;
  /** Why not, for people (`server 'main' is draining`); `'ready'` when ready. */
  readonly reason: string;
}

/**
 * Decides readiness from the servers' states and the optional check (see the module comment).
 * A check that throws counts as not ready, with its message as the reason.
 */
export function readiness(servers: ReadonlyArray<{ readonly name: string; readonly state: ServerState }>, check: (() => boolean) | undefined): Readiness {
  for (const { name, state } of servers) {
    if (state !== 'listening' && state !== 'serving-handed') return { ready: false, reason: `server '${name}' is ${state}` };
  }
  if (check !== undefined) {
    try {
      if (!check()) return { ready: false, reason: 'the ready() check returned false' };
    } catch (error) {
      return { ready: false, reason: `the ready() check failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { ready: true, reason: 'ready' };
}
