/**
 * Server-wide overload accounting: how many calls run across all connections, the limit beyond
 * which new calls are refused at once with `RESOURCE_EXHAUSTED` (so a client can retry another
 * server instead of queueing here), and counters of what was shed.
 */

/** Counters a server exposes through `Server.stats()`. */
export interface LoadCounters {
  /** Calls running now (oneway calls excluded). */
  readonly inFlight: number;
  /** Calls refused with `RESOURCE_EXHAUSTED` because `maxInFlight` calls were running. */
  readonly rejected: number;
  /** Calls dropped without running because their deadline had passed before they could start. */
  readonly expired: number;
}

/** The shared in-flight count of one server (see the module comment). */
export class ServerLoad implements LoadCounters {
  inFlight = 0;
  rejected = 0;
  expired = 0;

  constructor(readonly maxInFlight: number) {}

  /** Takes a slot for a call; `false` (and counts a rejection) when the server is full. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.maxInFlight) {
      this.rejected++;
      return false;
    }
    this.inFlight++;
    return true;
  }

  /** Gives back a slot taken by {@link tryAcquire}. */
  release(): void {
    this.inFlight--;
  }
}
