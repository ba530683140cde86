/**
 * `/rpcz`: the most recent and the slowest calls of every watched server, merged, with their
 * metadata redacted (see `redact.ts`). Shown as JSON at `/rpcz` and on the status page.
 */
import type { CallRecord } from '../server/call-observer.js';
import { redactMetadata } from './redact.js';
import type { ServerWatch } from './server-watch.js';

/** One call as `/rpcz` shows it. */
export interface RpczCall {
  /** The watched server's name. */
  readonly server: string;
  /** `null` for a method no service registered. */
  readonly service: string | null;
  readonly method: string;
  /** `OK` or the error code. */
  readonly code: string;
  /** The declared exception thrown, if any. */
  readonly exception: string | null;
  readonly answered: boolean;
  readonly oneway: boolean;
  /** Milliseconds from arrival to reply (or end), to the microsecond. */
  readonly durationMs: number;
  /** Arrival, epoch milliseconds (rounded). */
  readonly startedAt: number;
  /** Arrival, ISO 8601 (UTC). */
  readonly startedAtIso: string;
  /** The client, `host:port`. */
  readonly peer: string;
  /** The request's metadata with secrets replaced by `[redacted]`. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** What `/rpcz` returns. */
export interface Rpcz {
  /** Most calls per list. */
  readonly size: number;
  /** The window `slowest` covers, in milliseconds. */
  readonly slowestWindowMs: number;
  /** The most recent calls, newest first (by end). */
  readonly recent: readonly RpczCall[];
  /** The slowest calls that ended within the window, slowest first. */
  readonly slowest: readonly RpczCall[];
}

/** Collects {@link Rpcz} from `watches`; `size` and the window come from the first one's log. */
export function collectRpcz(watches: readonly ServerWatch[], defaults: { readonly size: number; readonly slowestWindowMs: number }): Rpcz {
  const size = watches[0]?.log.size ?? defaults.size;
  const recent: RpczCall[] = [];
  const slowest: RpczCall[] = [];
  for (const watch of watches) {
    for (const record of watch.log.recent()) recent.push(shown(watch.name, record));
    for (const record of watch.log.slowest()) slowest.push(shown(watch.name, record));
  }
  const endOf = (call: RpczCall): number => call.startedAt + call.durationMs;
  return {
    size,
    slowestWindowMs: watches[0]?.log.slowestWindowMs ?? defaults.slowestWindowMs,
    recent: watches.length > 1 ? recent.sort((a, b) => endOf(b) - endOf(a)).slice(0, size) : recent,
    slowest: watches.length > 1 ? slowest.sort((a, b) => b.durationMs - a.durationMs).slice(0, size) : slowest,
  };
}

function shown(server: string, record: CallRecord): RpczCall {
  const startedAt = Math.round(record.startedAt);
  return {
    server,
    service: record.service ?? null,
    method: record.method,
    code: record.code,
    exception: record.exception ?? null,
    answered: record.answered,
    oneway: record.oneway,
    durationMs: Math.round(record.durationMs * 1000) / 1000, // microseconds: finer is noise
    startedAt,
    startedAtIso: Number.isFinite(startedAt) ? new Date(startedAt).toISOString() : '',
    peer: record.peer,
    metadata: redactMetadata(record.metadata),
  };
}
