/**
 * The `CallContext` a handler receives. Its `signal` is created on first access: measured on
 * Node 20, constructing an `AbortController` per call took a quarter of the server's CPU time at
 * 256 calls in flight, and most handlers never look at the signal.
 */
import type { PeerCertificate } from 'node:tls';
import type { WireProtocol } from '../protocol/framing.js';
import type { CallContext } from '../service.js';

/** A call to run on the worker-thread pool: what the thread needs besides the context. */
export interface OffloadedCall {
  /** `Service:method`. */
  readonly name: string;
  readonly protocol: WireProtocol;
  /** The `<method>_args` struct's bytes, in a buffer of their own (it is transferred). */
  readonly args: Uint8Array;
  readonly oneway: boolean;
}

/** A handler's view of one call, with an abort signal made only when asked for. */
export class ServerCallContext implements CallContext {
  private controller: AbortController | undefined;
  private abortReason: unknown;
  private isAborted = false;
  /** `traceparent` for the handler's outgoing calls (see `server-tracing.ts`). */
  traceparent: string | undefined = undefined;
  /** Told when the call is aborted: the worker-thread pool forwards it to the thread. */
  onAbort: ((reason: unknown) => void) | undefined;

  constructor(
    readonly metadata: Readonly<Record<string, string>>,
    readonly deadline: number | undefined,
    readonly peer: string,
    /** Set when the method runs on the worker-thread pool: its undecoded arguments. */
    readonly offloaded?: OffloadedCall,
    readonly peerCertificate?: PeerCertificate,
  ) {}

  /** Aborted when the client cancels, the deadline passes or the connection closes. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Aborts the call's signal with `reason` (once; later calls are ignored). */
  abort(reason: unknown): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.onAbort?.(reason);
  }
}
