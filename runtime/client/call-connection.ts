/**
 * Many calls in flight on one connection: each request gets a fresh seqid, replies are matched by
 * it in whatever order they come back.
 *
 * - A call ends exactly once: with its reply, its deadline (`DEADLINE_EXCEEDED`), its signal
 *   (`CANCELLED`) or the connection's end (`UNAVAILABLE`, at once, for every pending call).
 * - When a call is given up (deadline, abort) and the server announced control support, a
 *   `cancel` control frame tells it to stop; a late reply is dropped.
 * - A `goaway` from a draining server makes the connection unavailable for new calls; it closes
 *   when its last call ends.
 */
import type { Socket } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { ErrorCode, ProtocolError, RpcError } from '../errors.js';
import { fromApplicationException, isErrorCode, readApplicationException } from '../protocol/application-exception.js';
import { BinaryReader } from '../protocol/binary.js';
import { CompactReader } from '../protocol/compact.js';
import { beginMessage, finishMessage, headerProtocolId, unwrapFrame, type Framing, type WireProtocol } from '../protocol/framing.js';
import { beginHeaderFrame, endFrame, type InfoHeaders } from '../protocol/header.js';
import { CONTROL_FEATURE, ControlMessage, SkiffHeader } from '../protocol/skiff-headers.js';
import { MessageType } from '../protocol/types.js';
import { nodeNet, nodeTls } from '../internal/node-builtins.js';
import { DeadlineTimers, type DeadlineEntry } from '../internal/deadline-timers.js';
import type { MethodDescriptor, MethodResult } from '../service.js';
import { FrameConnection, type FrameWriter } from '../transport/frame-connection.js';
import { isServerFailure } from './outlier-detector.js';
import { markNotRun } from './retry.js';
import type { PooledConnection } from '../transport/pool.js';
import { connectionClosed, socketError } from '../transport/socket-errors.js';
import { SeqIdTable } from '../internal/seqid-table.js';

/** How a {@link CallConnection} talks to its server. */
export interface CallConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** Payload protocol. Default `'compact'`. */
  readonly protocol?: WireProtocol;
  /**
   * `'header'` (THeader: metadata, deadlines, control frames), `'framed'` (stock
   * `TFramedTransport`) or `'buffered'` (unframed, stock `TBufferedTransport`). Default `'header'`.
   */
  readonly framing?: Framing;
  /** Give up connecting after this many milliseconds. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Largest reply frame accepted, in bytes. Default 16 MiB. */
  readonly maxFrameBytes?: number;
  /**
   * Send a `ping` after this many milliseconds without a frame from the server, to find a dead
   * peer whose TCP connection never reported an error (a crashed host, a partition). Needs a skiff
   * server (control frames): a connection that receives nothing at all within `keepaliveMs +
   * keepaliveTimeoutMs` of its first request is closed too (a skiff server announces itself at
   * once). Default: off.
   */
  readonly keepaliveMs?: number;
  /** Close the connection (its calls fail `UNAVAILABLE`) when a ping gets no answer within this many milliseconds. Default 10,000. */
  readonly keepaliveTimeoutMs?: number;
  /**
   * Connect with TLS: Node's `tls.connect` options (`ca`, and `cert` + `key` for mutual TLS;
   * `servername` defaults to `host` when it is a name). A function is called for every new
   * connection, so rotated certificates are picked up without recreating the channel.
   * Default: plain TCP.
   */
  readonly tls?: ClientTlsOptions | (() => ClientTlsOptions);
  /** Told how each call that reached the server ended: `failed` for a server-side failure (see `outlier-detector.ts`). */
  readonly onOutcome?: (failed: boolean) => void;
}

/** TLS settings of a client connection: Node's `tls.connect` options without the address. */
export type ClientTlsOptions = Omit<TlsConnectionOptions, 'host' | 'port' | 'path' | 'socket'>;

/** One call as the connection sends it. */
export interface OutgoingCall {
  readonly method: MethodDescriptor<unknown, unknown>;
  readonly args: unknown;
  /** Milliseconds the caller waits, or `undefined` for no deadline. */
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

/** A call waiting for its reply. */
interface PendingCall extends DeadlineEntry {
  readonly seqId: number;
  readonly method: MethodDescriptor<unknown, unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const FEATURES_HEADER: InfoHeaders = new Map([[SkiffHeader.FEATURES, CONTROL_FEATURE]]);
const MAX_SEQ_ID = 0x7fffffff;
/** Most cancels remembered while waiting for the server's announcement. */
const MAX_DEFERRED_CANCELS = 1024;

/** A client connection carrying multiplexed calls (see the module comment). */
export class CallConnection implements PooledConnection {
  private readonly pending = new SeqIdTable<PendingCall>();
  private nextSeqId = 1;
  private readonly protocol: WireProtocol;
  private readonly framing: Framing;
  private readonly writer: FrameWriter;
  private readonly reader: CompactReader | BinaryReader;
  /** The first request frame announces our features; later ones need not. */
  private announced = false;
  /** The server announced control support: it understands cancel and may send goaway. */
  private peerControl = false;
  /**
   * Calls given up before the server's announcement arrived (it follows our first frame by one
   * round trip): cancelled once it comes; dropped when a reply comes first (a stock server).
   */
  private deferredCancels: Array<[seqId: number, code: ErrorCode]> | undefined = [];
  private goaway = false;
  private readonly connection: FrameConnection;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private lastFrameAt = 0;
  /** When the first request was written, while nothing has come back yet (keepalive's silent-peer check); else 0. */
  private unansweredSince = 0;
  private heardFromPeer = false;
  private readonly deadlines = new DeadlineTimers<PendingCall>((pending) => {
    this.giveUp(pending.seqId, new RpcError(ErrorCode.DEADLINE_EXCEEDED, `${pending.method.name} did not complete within ${pending.timeoutMs} ms`));
  });
  /** The headers of a call with only a timeout, and that timeout (see {@link requestHeaders}). */
  private timeoutHeaders: InfoHeaders | undefined;
  private timeoutHeadersMs: number | undefined;
  /** The endpoint this connection was made to, `host:port` as configured (balancers' key). */
  readonly endpointKey: string;

  private constructor(
    socket: Socket,
    private readonly options: CallConnectionOptions,
    private readonly onClosed: (connection: CallConnection) => void,
  ) {
    this.protocol = options.protocol ?? 'compact';
    this.endpointKey = `${options.host}:${options.port}`;
    this.framing = options.framing ?? 'header';
    this.connection = new FrameConnection(
      socket,
      {
        onFrame: (frame, offset) => this.onFrame(frame, offset),
        onClose: (error) => this.onClose(error),
      },
      {
        ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
        ...(this.framing === 'buffered' ? { buffered: this.protocol } : {}),
      },
    );
    this.writer = this.connection.writer(this.protocol);
    this.reader = this.protocol === 'compact' ? new CompactReader(new Uint8Array(0)) : new BinaryReader(new Uint8Array(0));
    if (options.keepaliveMs !== undefined) this.startKeepalive(options.keepaliveMs, options.keepaliveTimeoutMs ?? 10_000);
  }

  /** Connects to `options.host:options.port`; rejects with `UNAVAILABLE` on failure or timeout. */
  static connect(options: CallConnectionOptions, onClosed: (connection: CallConnection) => void): Promise<CallConnection> {
    const peer = `${options.host}:${options.port}`;
    return new Promise((resolve, reject) => {
      const tls = typeof options.tls === 'function' ? options.tls() : options.tls;
      const socket =
        tls === undefined
          ? nodeNet().connect({ host: options.host, port: options.port })
          : nodeTls().connect({ ...(nodeNet().isIP(options.host) === 0 ? { servername: options.host } : {}), ...tls, host: options.host, port: options.port });
      const timeoutMs = options.connectTimeoutMs ?? 5000;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(markNotRun(new RpcError(ErrorCode.UNAVAILABLE, `cannot connect to ${peer}: no answer within ${timeoutMs} ms`)));
      }, timeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        reject(markNotRun(socketError(error, peer, 'connect')));
      };
      socket.once('error', onError);
      socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new CallConnection(socket, options, onClosed));
      });
    });
  }


  /** The server's address, `host:port`. */
  get peer(): string {
    return this.connection.peer;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get available(): boolean {
    return !this.goaway && this.connection.state === 'open';
  }

  /** Sends a call; settles as described in the module comment. */
  call(call: OutgoingCall): Promise<unknown> {
    const { method } = call;
    if (call.signal?.aborted) return Promise.reject(cancelled(call.signal));
    if (!this.available) return Promise.reject(markNotRun(connectionClosed(this.peer, this.goaway ? 'the server is draining' : undefined)));
    const seqId = this.allocateSeqId();
    this.writeRequest(seqId, call);
    if (method.oneway) {
      return new Promise((resolve, reject) => {
        this.connection.whenFlushed((error) => (error ? reject(connectionClosed(this.peer, error.message)) : resolve(undefined)));
      });
    }
    return new Promise((resolve, reject) => {
      const pending: PendingCall = {
        seqId,
        method,
        resolve,
        reject,
        timeoutMs: call.timeoutMs,
        signal: undefined,
        onAbort: undefined,
        deadlineAt: 0,
        deadlineList: undefined,
        deadlinePrev: undefined,
        deadlineNext: undefined,
      };
      if (call.timeoutMs !== undefined) this.deadlines.add(pending, call.timeoutMs);
      const signal = call.signal;
      if (signal !== undefined) {
        pending.signal = signal;
        pending.onAbort = () => this.giveUp(seqId, cancelled(signal));
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.pending.add(pending);
    });
  }

  /** Closes the connection; pending calls fail with `UNAVAILABLE`. */
  close(): void {
    this.connection.destroy();
  }

  /** Takes no new calls; closes once the pending ones have their replies. */
  drain(): void {
    this.goaway = true;
    if (this.pending.size === 0) this.connection.end();
  }

  private allocateSeqId(): number {
    let seqId = this.nextSeqId;
    // Skip an id whose slot an older call still holds (one outliving as many newer calls as the table has slots).
    while (!this.pending.isFree(seqId)) seqId = seqId === MAX_SEQ_ID ? 1 : seqId + 1;
    this.nextSeqId = seqId === MAX_SEQ_ID ? 1 : seqId + 1;
    return seqId;
  }

  private writeRequest(seqId: number, call: OutgoingCall): void {
    const w = this.writer;
    const headers = this.framing === 'header' ? this.requestHeaders(call) : undefined;
    const mark = beginMessage(w, this.framing, seqId, this.protocol, headers);
    if (headers !== undefined) this.announced = true;
    try {
      w.writeMessageBegin(call.method.name, call.method.oneway ? MessageType.ONEWAY : MessageType.CALL, seqId);
      call.method.args.write(w, call.args);
    } catch (error) {
      // Drop the half-written frame: the writer then holds only whole frames.
      w.pos = w.start + mark;
      throw error;
    }
    finishMessage(w, this.framing, mark);
    this.connection.flushSoon();
    if (!this.heardFromPeer && this.unansweredSince === 0) this.unansweredSince = Date.now();
  }

  private requestHeaders(call: OutgoingCall): InfoHeaders {
    const metadata = call.metadata;
    if (call.timeoutMs === undefined && metadata === undefined) return this.announced ? EMPTY_HEADERS : FEATURES_HEADER;
    if (metadata === undefined && this.announced) {
      // Most calls of a client carry the same timeout and nothing else: their headers are shared.
      if (this.timeoutHeaders === undefined || this.timeoutHeadersMs !== call.timeoutMs) {
        this.timeoutHeaders = new Map([[SkiffHeader.TIMEOUT_MS, String(call.timeoutMs)]]);
        this.timeoutHeadersMs = call.timeoutMs;
      }
      return this.timeoutHeaders;
    }
    const headers = new Map<string, string>();
    if (!this.announced) headers.set(SkiffHeader.FEATURES, CONTROL_FEATURE);
    if (call.timeoutMs !== undefined) headers.set(SkiffHeader.TIMEOUT_MS, String(call.timeoutMs));
    if (metadata !== undefined) for (const key in metadata) headers.set(key, metadata[key]!);
    return headers;
  }

  private giveUp(seqId: number, error: RpcError): void {
    const pending = this.pending.get(seqId);
    if (pending === undefined) return;
    this.settle(seqId, pending);
    pending.reject(error);
    if (error.code === ErrorCode.DEADLINE_EXCEEDED) this.options.onOutcome?.(true);
    if (this.connection.state !== 'open' || this.framing !== 'header') return;
    if (this.peerControl) this.sendControl(seqId, ControlMessage.CANCEL, error.code);
    else if (this.deferredCancels !== undefined && this.deferredCancels.length < MAX_DEFERRED_CANCELS) this.deferredCancels.push([seqId, error.code]);
    if (this.goaway && this.pending.size === 0) this.connection.end();
  }

  /** Sends a control frame; a cancel says why (`DEADLINE_EXCEEDED` or `CANCELLED`) in `skiff-status`. */
  private sendControl(seqId: number, message: ControlMessage, status?: ErrorCode): void {
    const w = this.writer;
    const headers = new Map<string, string>([[SkiffHeader.CONTROL, message]]);
    if (status !== undefined) headers.set(SkiffHeader.STATUS, status);
    const mark = beginHeaderFrame(w, seqId, headerProtocolId(this.protocol), headers);
    endFrame(w, mark);
    this.connection.flushSoon();
  }

  private settle(seqId: number, pending: PendingCall): void {
    this.pending.delete(seqId);
    this.deadlines.remove(pending);
    if (pending.onAbort !== undefined) pending.signal!.removeEventListener('abort', pending.onAbort);
  }

  /** Pings an idle server every `intervalMs`; no answer within `timeoutMs` closes the connection. */
  private startKeepalive(intervalMs: number, timeoutMs: number): void {
    this.lastFrameAt = Date.now();
    this.keepaliveTimer = setInterval(() => {
      if (this.connection.state !== 'open') return;
      // Not a byte since the first request: a skiff server announces itself at once, so no
      // announcement (and so no ping) within a ping's interval and timeout means a dead path.
      if (!this.heardFromPeer && this.unansweredSince !== 0 && Date.now() - this.unansweredSince >= intervalMs + timeoutMs) {
        this.connection.destroy(new RpcError(ErrorCode.UNAVAILABLE, `nothing received within ${intervalMs + timeoutMs} ms of the first request (keepalive)`));
        return;
      }
      if (!this.peerControl || this.pingTimer !== undefined) return;
      if (Date.now() - this.lastFrameAt < intervalMs) return;
      this.sendControl(0, ControlMessage.PING);
      this.pingTimer = setTimeout(() => {
        this.connection.destroy(new RpcError(ErrorCode.UNAVAILABLE, `no answer to a keepalive ping within ${timeoutMs} ms`));
      }, timeoutMs);
    }, intervalMs);
    // Keepalive alone must not keep a process alive.
    this.keepaliveTimer.unref();
  }

  private onFrame(frame: Uint8Array, streamOffset: number): void {
    if (this.keepaliveTimer !== undefined) this.lastFrameAt = Date.now();
    this.heardFromPeer = true;
    const incoming = unwrapFrame(frame, streamOffset, this.connection.streamFormat);
    if (incoming.headers.size > 0) this.readHeaders(incoming.headers, incoming.seqId ?? 0);
    if (incoming.payload.length === 0) return;
    // A reply before any announcement: the server does not do control frames.
    if (!this.peerControl) this.deferredCancels = undefined;
    if (incoming.protocol !== this.protocol) {
      throw new ProtocolError('BAD_VERSION', `reply in the ${incoming.protocol} protocol to a ${this.protocol} request`, streamOffset);
    }
    const r = this.reader;
    r.reset(incoming.payload);
    const message = r.readMessageBegin();
    const pending = this.pending.get(message.seqId);
    // A reply to a call given up (deadline, cancel) arrives late: nobody waits for it.
    if (pending === undefined) return;
    this.settle(message.seqId, pending);
    if (!isReplyName(message.name, pending.method.name)) {
      pending.reject(new ProtocolError('INVALID_VALUE', `reply for '${message.name}' to a call of '${pending.method.name}'`, streamOffset + 4));
      return;
    }
    if (message.type === MessageType.REPLY) {
      let result: MethodResult<unknown, Error>;
      try {
        result = pending.method.result.read(r) as MethodResult<unknown, Error>;
      } catch (error) {
        // The frame boundary is intact: only this call's reply is bad, the connection goes on.
        pending.reject(error);
        return;
      }
      // A declared exception is an answer too: the server is working.
      this.options.onOutcome?.(false);
      if (result.kind === 'success') pending.resolve(result.value);
      else pending.reject(result.error);
    } else if (message.type === MessageType.EXCEPTION) {
      let exception;
      try {
        exception = readApplicationException(r);
      } catch (error) {
        pending.reject(error);
        return;
      }
      const status = incoming.headers.get(SkiffHeader.STATUS);
      const error = fromApplicationException(exception, status !== undefined && isErrorCode(status) ? status : undefined);
      const refused = incoming.headers.get(SkiffHeader.REFUSED) === '1';
      if (!refused) this.options.onOutcome?.(isServerFailure(error));
      pending.reject(refused ? markNotRun(error) : error);
    } else {
      pending.reject(new ProtocolError('INVALID_VALUE', `server sent message type ${message.type} as a reply`, streamOffset));
    }
    if (this.goaway && this.pending.size === 0) this.connection.end();
  }

  private readHeaders(headers: InfoHeaders, seqId: number): void {
    const features = headers.get(SkiffHeader.FEATURES);
    if (features !== undefined && !this.peerControl && features.split(',').includes(CONTROL_FEATURE)) {
      this.peerControl = true;
      for (const [seqId, code] of this.deferredCancels ?? []) this.sendControl(seqId, ControlMessage.CANCEL, code);
      this.deferredCancels = undefined;
    }
    const control = headers.get(SkiffHeader.CONTROL);
    if (control === ControlMessage.GOAWAY) {
      this.goaway = true;
      if (this.pending.size === 0) this.connection.end();
    } else if (control === ControlMessage.PING && this.peerControl) {
      this.sendControl(seqId, ControlMessage.PONG);
    } else if (control === ControlMessage.PONG && this.pingTimer !== undefined) {
      clearTimeout(this.pingTimer);
      this.pingTimer = undefined;
    }
  }

  private onClose(error: RpcError | undefined): void {
    clearInterval(this.keepaliveTimer);
    clearTimeout(this.pingTimer);
    this.onClosed(this);
    if (this.pending.size === 0) return;
    const failure = connectionClosed(this.peer, error?.message, error);
    const calls = this.pending.values();
    this.pending.clear();
    this.deadlines.clear();
    for (const pending of calls) {
      if (pending.onAbort !== undefined) pending.signal!.removeEventListener('abort', pending.onAbort);
      this.options.onOutcome?.(true);
      pending.reject(failure);
    }
  }
}

const EMPTY_HEADERS: InfoHeaders = new Map();

/**
 * Whether a reply's message name answers a call of `callName`: the same name, or the bare
 * method name when the call was multiplexed (`Service:method`), which is how Apache Thrift's
 * multiplexed servers reply.
 */
function isReplyName(replyName: string, callName: string): boolean {
  return replyName === callName || (callName.length > replyName.length && callName.endsWith(replyName) && callName[callName.length - replyName.length - 1] === ':');
}

function cancelled(signal: AbortSignal): RpcError {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
  return new RpcError(ErrorCode.CANCELLED, `call cancelled${detail === '' ? '' : `: ${detail}`}`, { cause: reason });
}
