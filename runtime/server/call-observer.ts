/**
 * How a server reports each call's end to whoever watches it (metrics, an admin page, a call
 * log): one {@link CallRecord} per call, including calls refused before their handler ran.
 * With no observer the server neither reads the clock nor builds records.
 */
import type { ErrorCode } from '../errors.js';

/** How one call ended. */
export interface CallRecord {
  /** The service that registered the method; `undefined` when the method is unknown. */
  readonly service: string | undefined;
  /** The method's IDL name (or the name the client sent, when unknown). */
  readonly method: string;
  /**
   * `'OK'` for a result (a declared exception included: it is a normal reply in Thrift), else the
   * error code sent, or the reason the call ended unanswered (`CANCELLED`, `DEADLINE_EXCEEDED`,
   * or the connection's close reason).
   */
  readonly code: 'OK' | ErrorCode;
  /** The declared exception's name when the handler threw one. */
  readonly exception: string | undefined;
  /** A reply was sent (not a oneway call, nor one cancelled, timed out or cut off). */
  readonly answered: boolean;
  /** From the request's arrival to the reply being queued (or the call's end), in milliseconds. */
  readonly durationMs: number;
  /** When the request arrived (epoch milliseconds). */
  readonly startedAt: number;
  /** The client's address, `host:port`. */
  readonly peer: string;
  /** The request's metadata, unredacted: observers that keep or show it must redact secrets. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly oneway: boolean;
}

/** Called synchronously at the end of every call; keep it cheap. Exceptions it throws are ignored. */
export type CallObserver = (record: CallRecord) => void;

/** The observers of one server. */
export class CallObservers {
  private list: readonly CallObserver[] = [];

  /** Whether anyone watches: when not, the server builds no records. */
  get active(): boolean {
    return this.list.length > 0;
  }

  /** Adds `observer`; returns a function that removes it. */
  add(observer: CallObserver): () => void {
    this.list = [...this.list, observer];
    return () => {
      this.list = this.list.filter((o) => o !== observer);
    };
  }

  emit(record: CallRecord): void {
    for (const observer of this.list) {
      try {
        observer(record);
      } catch {
        // An observer's bug must not break serving; it sees the next call anyway.
      }
    }
  }
}
