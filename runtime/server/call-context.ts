/**
 * The `CallContext` a handler receives. Its `signal` is created on first access: measured on
 * Node 20, constructing an `AbortController` per call took a quarter of the server's CPU time at
 * 256 calls in flight, and most handlers never look at the signal.
 */
import type { PeerCertificate } from 'node:tls';
import type { WireProtocol } from '../protocol/framing.js';
import type { InfoHeaders } from '../protocol/header.js';
import { RESERVED_HEADER_PREFIX } from '../protocol/skiff-headers.js';
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

  private metadataSource: Readonly<Record<string, string>> | InfoHeaders;

  /**
   * @param metadata - the caller's metadata, or the request's info headers to take it from when
   *   first asked (most handlers never ask; skiff's own `skiff-*` headers are left out).
   */
  constructor(
    metadata: Readonly<Record<string, string>> | InfoHeaders,
    readonly deadline: number | undefined,
    readonly peer: string,
    /** Set when the method runs on the worker-thread pool: its undecoded arguments. */
    readonly offloaded?: OffloadedCall,
    readonly peerCertificate?: PeerCertificate,
  ) {
    this.metadataSource = metadata;
  }

  /** Metadata the client sent with the call (its info headers, without skiff's own). */
  get metadata(): Readonly<Record<string, string>> {
    const source = this.metadataSource;
    if (!(source instanceof Map)) return source as Readonly<Record<string, string>>;
    const metadata = metadataOf(source);
    this.metadataSource = metadata;
    return metadata;
  }

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

const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});

/** The application metadata among a request's info headers: all but skiff's own `skiff-*` keys. */
export function metadataOf(headers: InfoHeaders): Readonly<Record<string, string>> {
  if (headers.size === 0) return NO_METADATA;
  let metadata: Record<string, string> | undefined;
  for (const [key, value] of headers) {
    if (key.startsWith(RESERVED_HEADER_PREFIX)) continue;
    metadata ??= Object.create(null) as Record<string, string>;
    metadata[key] = value;
  }
  return metadata ?? NO_METADATA;
}
