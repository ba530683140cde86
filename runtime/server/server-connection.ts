/**
 * One accepted connection on the server side: unwraps each frame (THeader or bare
 * `TFramedTransport`, Compact or Binary, told apart per frame), dispatches calls concurrently and
 * answers each in the framing and protocol it came in.
 *
 * - Per-call failures (unknown method, arguments that do not decode, a handler error) get an
 *   `EXCEPTION` reply and the connection goes on. A frame or message envelope that does not
 *   parse closes this connection only, with a logged reason.
 * - Backpressure: at `maxInFlight` calls running, or `maxBufferedBytes` of replies not yet taken
 *   by the peer, the connection stops reading; TCP then slows the client. Reading resumes below
 *   both limits.
 * - Drain ({@link ServerConnection.drain}): a `goaway` tells skiff clients to send no more calls;
 *   calls still arriving are refused with `UNAVAILABLE` (safe to retry elsewhere); the connection
 *   half-closes once its last call has been answered.
 */
import type { Socket } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import { ErrorCode, ProtocolError, RpcError } from '../errors.js';
import type { Logger } from '../logger.js';
import { toApplicationException, writeApplicationException } from '../protocol/application-exception.js';
import { BinaryReader } from '../protocol/binary.js';
import { CompactReader } from '../protocol/compact.js';
import { beginMessage, finishMessage, headerProtocolId, unwrapFrame, type Framing, type IncomingFrame, type WireProtocol } from '../protocol/framing.js';
import { beginHeaderFrame, endFrame, type HeaderLimits, type InfoHeaders } from '../protocol/header.js';
import { CONTROL_FEATURE, ControlMessage, SkiffHeader } from '../protocol/skiff-headers.js';
import { MessageType } from '../protocol/types.js';
import type { CallContext, MethodDescriptor } from '../service.js';
import { callScopesEnabled, runInCallScope } from '../internal/call-scope.js';
import { isTlsSocket } from '../internal/node-builtins.js';
import { isThenable } from '../internal/thenable.js';
import { DeadlineTimers, type DeadlineEntry } from '../internal/deadline-timers.js';
import { MAX_TIMER_MS } from '../internal/timer-range.js';
import { metadataOf, ServerCallContext, type OffloadedCall } from './call-context.js';
import { FrameConnection } from '../transport/frame-connection.js';
import type { BoundMethod, MethodRegistry } from './method-registry.js';
import type { ServerLoad } from './server-load.js';
import type { CallObservers, CallRecord } from './call-observer.js';
import { endServerSpan, runInSpan, startServerSpan } from './server-tracing.js';
import type { Span } from '@opentelemetry/api';
import { WorkerThreadResult, type WorkerPool } from './worker-pool.js';

/** A call as server interceptors see it. */
export interface ServerCall {
  /** The service that registered the method. */
  readonly service: string;
  readonly method: MethodDescriptor<unknown, unknown, unknown>;
  /** The handler object registered for the service. */
  readonly handler: unknown;
  readonly args: unknown;
  readonly ctx: CallContext;
}

/** Runs a call and resolves to what the method returns (or rejects with what it throws). */
export type ServerCallHandler = (call: ServerCall) => Promise<unknown>;

/** Wraps the rest of the chain, first one outermost: `(next) => (call) => next(call)`. */
export type ServerInterceptor = (next: ServerCallHandler) => ServerCallHandler;

/** Limits and collaborators of a {@link ServerConnection}. */
export interface ServerConnectionOptions {
  readonly registry: MethodRegistry;
  readonly logger: Logger;
  /** Interceptor chain around `method.invoke`, or `undefined` to call handlers directly. */
  readonly chain: ServerCallHandler | undefined;
  /** Where methods marked `offloaded` run, if the server has a worker-thread pool. */
  readonly workerPool: WorkerPool | undefined;
  readonly maxFrameBytes: number;
  /** Limits on a request's THeader info headers (its metadata). */
  readonly headerLimits: HeaderLimits;
  /** Server-wide in-flight accounting: beyond its limit calls are refused with `RESOURCE_EXHAUSTED`. */
  readonly load: ServerLoad;
  readonly maxInFlight: number;
  readonly maxBufferedBytes: number;
  /** Told how each call ended (see `call-observer.ts`). */
  readonly observers: CallObservers;
  /** Called once when the connection has closed. */
  readonly onClose: (connection: ServerConnection) => void;
}

/** A call being served. */
interface RunningCall extends DeadlineEntry {
  readonly ctx: ServerCallContext;
  /** Its THeader seqid, by which the client may cancel it; `undefined` for a bare framed call. */
  readonly seqId: number | undefined;
  /** The deadline the client gave, in ms (0 for none). */
  readonly timeoutMs: number;
  /** Answered, cancelled or timed out: nothing more is sent for it. */
  done: boolean;
  /** Its handler returned a promise: the call is in `awaiting` (and `bySeqId`) until it ends. */
  awaited: boolean;
  /** When it started (`performance.now()`, ms) when an adaptive limiter wants its latency, else 0. */
  readonly startedAt: number;
  readonly route: ReplyRoute;
}

/** Where a reply goes: how its request came in (and what observers are told about it). */
interface ReplyRoute {
  readonly framing: Framing;
  readonly protocol: WireProtocol;
  readonly seqId: number;
  readonly name: string;
  /** The service that registered the method, `undefined` for an unknown method. */
  readonly service: string | undefined;
  readonly headers: InfoHeaders;
  /** `performance.now()` at arrival when the call is observed, else 0. */
  readonly arrivedAt: number;
  /** The call's tracing span, once its handler starts. */
  span: Span | undefined;
}

const EMPTY_HEADERS: InfoHeaders = new Map();
const FEATURES_HEADER: InfoHeaders = new Map([[SkiffHeader.FEATURES, CONTROL_FEATURE]]);

/** A server-side connection (see the module comment). */
export class ServerConnection {
  readonly connection: FrameConnection;
  /** When the connection was accepted (epoch milliseconds). */
  readonly openedAt = Date.now();
  /**
   * The client's certificate, when the connection is TLS and the client presented one that was
   * verified (mutual TLS); read once, after the handshake.
   */
  readonly peerCertificate: PeerCertificate | undefined;
  private lastCallEndedAt = this.openedAt;
  /** Calls being served (oneway calls excepted): those in `awaiting` and the one whose handler is running now. */
  private callCount = 0;
  /**
   * Calls whose handler returned a promise: only they can be cancelled, time out or see the
   * connection close. A handler that returns at once is answered before anything else happens,
   * so it is never added (sets that grow and shrink by one element per call allocate as they do).
   */
  private readonly awaiting = new Set<RunningCall>();
  /** Awaited THeader calls by seqid (stock framed clients may reuse seqids: they cannot cancel). */
  private readonly bySeqId = new Map<number, RunningCall>();
  private readonly compactReader = new CompactReader(new Uint8Array(0));
  private binaryReader: BinaryReader | undefined;
  /** The client announced control support: it understands goaway and may send cancel. */
  private peerControl = false;
  private draining = false;
  private readonly deadlines = new DeadlineTimers<RunningCall>((call) => {
    call.ctx.abort(new RpcError(ErrorCode.DEADLINE_EXCEEDED, `the deadline of ${call.timeoutMs} ms passed`));
    // The client has stopped waiting: the reply would be dropped, so none is sent.
    this.finish(call);
    this.observe(call.route, ErrorCode.DEADLINE_EXCEEDED, undefined, false, false);
  });

  constructor(
    socket: Socket,
    private readonly options: ServerConnectionOptions,
  ) {
    this.connection = new FrameConnection(
      socket,
      {
        onFrame: (frame, offset) => this.onFrame(frame, offset),
        onClose: (error) => this.onClose(error),
        onDrain: () => this.updateReading(),
      },
      { maxFrameBytes: options.maxFrameBytes, detectBuffered: true },
    );
    this.peerCertificate = isTlsSocket(socket) && socket.authorized ? socket.getPeerCertificate() : undefined;
  }

  /** The client's address, `host:port`. */
  get peer(): string {
    return this.connection.peer;
  }

  /** Calls being served. */
  get inFlight(): number {
    return this.callCount;
  }

  /**
   * Since when (epoch ms) the connection has had no call running and received no frame (pings
   * count), or 0 while it has calls running.
   */
  get idleSince(): number {
    return this.callCount > 0 ? 0 : Math.max(this.lastCallEndedAt, this.connection.receivedAt);
  }

  /** Whether {@link drain} was called. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Starts draining (see the module comment). */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    if (this.peerControl) this.sendControl(0, ControlMessage.GOAWAY);
    if (this.callCount === 0) this.connection.end();
  }

  /** Aborts every running call (their signals fire) and closes the connection at once. */
  destroy(reason: RpcError): void {
    for (const call of this.awaiting) call.ctx.abort(reason);
    this.connection.destroy(reason);
  }

  private onFrame(frame: Uint8Array, streamOffset: number): void {
    const incoming = unwrapFrame(frame, streamOffset, this.connection.streamFormat, this.options.headerLimits);
    if (incoming.headers.size > 0) {
      const features = incoming.headers.get(SkiffHeader.FEATURES);
      if (features !== undefined && !this.peerControl && features.split(',').includes(CONTROL_FEATURE)) {
        this.peerControl = true;
        // Announce at once, not with the first reply: the client may need to cancel or ping
        // before any reply exists.
        this.sendControl(0, undefined);
      }
      if (incoming.payload.length === 0) {
        this.onControl(incoming);
        return;
      }
    }
    const r = this.readerFor(incoming.protocol);
    r.reset(incoming.payload);
    const message = r.readMessageBegin();
    if (message.type !== MessageType.CALL && message.type !== MessageType.ONEWAY) {
      throw new ProtocolError('INVALID_VALUE', `client sent message type ${message.type}; only calls are accepted`, streamOffset + 4);
    }
    const oneway = message.type === MessageType.ONEWAY;
    const bound = this.options.registry.lookup(message.name);
    // A multiplexed request (`Service:method`) is answered with the bare method name, as Apache
    // Thrift's TMultiplexedProcessor does: stock clients compare the reply's name with it.
    const name = bound?.method.name ?? message.name;
    const route: ReplyRoute = {
      framing: incoming.framing,
      protocol: incoming.protocol,
      seqId: message.seqId,
      name,
      service: bound?.service,
      headers: incoming.headers,
      arrivedAt: this.options.observers.active ? performance.now() : 0,
      span: undefined,
    };
    if (bound === undefined) {
      if (!oneway) this.replyError(route, new RpcError(ErrorCode.UNIMPLEMENTED, `unknown method '${message.name}'`));
      return;
    }
    if (this.draining) {
      if (!oneway) this.replyError(route, new RpcError(ErrorCode.UNAVAILABLE, 'the server is shutting down; retry on another connection'), true);
      return;
    }
    if (incoming.framing === 'header' && this.bySeqId.has(message.seqId)) {
      if (!oneway) this.replyError(route, new RpcError(ErrorCode.INVALID_ARGUMENT, `seqid ${message.seqId} is already in use by a running call`));
      return;
    }
    let args: unknown;
    try {
      // An offloaded call is decoded by its worker thread: the event loop only copies its bytes,
      // into an ArrayBuffer of their own (a socket's Buffer `slice` would share, and transferring it
      // would detach, the connection's read buffer).
      args = bound.offloaded ? new Uint8Array(incoming.payload.subarray(r.pos)) : bound.method.args.read(r);
    } catch (error) {
      // The frame boundary is intact: refuse this call, keep the connection.
      const detail = error instanceof Error ? error.message : String(error);
      if (!oneway) this.replyError(route, new RpcError(ErrorCode.INVALID_ARGUMENT, `arguments of ${message.name} do not decode: ${detail}`));
      return;
    }
    if (!oneway && !this.options.load.tryAcquire()) {
      const max = this.options.load.limit;
      this.replyError(route, new RpcError(ErrorCode.RESOURCE_EXHAUSTED, `the server is overloaded (${max} calls in flight); retry elsewhere or later`), true);
      return;
    }
    this.run(bound, args, incoming, route, oneway);
  }

  private run(bound: BoundMethod, args: unknown, incoming: IncomingFrame, route: ReplyRoute, oneway: boolean): void {
    let deadline: number | undefined;
    let timeoutMs = 0;
    const timeoutText = incoming.headers.get(SkiffHeader.TIMEOUT_MS);
    if (timeoutText !== undefined) {
      // Deadlines beyond Node's timer range (24.8 days) are capped to it (see timer-range.ts).
      timeoutMs = Math.min(Number(timeoutText), MAX_TIMER_MS);
      if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
        // Counted from when the request's bytes arrived: it may have waited in the frame
        // decoder while this connection was paused.
        deadline = this.connection.receivedAt + timeoutMs;
        if (deadline <= this.connection.decodingAt) {
          // The caller has given up already: running the handler would be wasted work.
          this.options.load.expired++;
          if (!oneway) {
            this.options.load.release();
            this.replyError(route, new RpcError(ErrorCode.DEADLINE_EXCEEDED, `the deadline of ${timeoutMs} ms passed before the call could start`), true);
          }
          return;
        }
      }
    }
    const offloaded = bound.offloaded
      ? { name: `${bound.service}:${bound.method.name}`, protocol: incoming.protocol, args: args as Uint8Array, oneway }
      : undefined;
    const ctx = new ServerCallContext(incoming.headers, deadline, this.peer, offloaded, this.peerCertificate);
    const traced = startServerSpan(bound.service, bound.method.name, incoming.headers);
    route.span = traced.span;
    ctx.traceparent = traced.traceparent;
    const call: RunningCall = {
      ctx,
      seqId: incoming.framing === 'header' ? route.seqId : undefined,
      timeoutMs,
      deadlineAt: 0,
      deadlineList: undefined,
      deadlinePrev: undefined,
      deadlineNext: undefined,
      done: false,
      awaited: false,
      startedAt: this.options.load.measuresLatency ? performance.now() : 0,
      route,
    };
    if (!oneway) this.callCount++;
    let result: unknown;
    try {
      // The handler's outgoing calls inherit this call's deadline and cancellation (call-scope.ts);
      // with no span and no scope to enter, no closures are made for either.
      result =
        traced.span === undefined && !callScopesEnabled()
          ? this.invoke(bound, args, ctx, offloaded)
          : runInSpan(traced, () => runInCallScope(ctx, () => this.invoke(bound, args, ctx, offloaded)));
    } catch (error) {
      this.complete(bound, route, call, oneway, false, error);
      return;
    }
    if (isThenable(result)) {
      if (!oneway) {
        call.awaited = true;
        this.awaiting.add(call);
        if (call.seqId !== undefined) this.bySeqId.set(call.seqId, call);
        this.updateReading();
      }
      // Only a call still running needs its deadline timer: most handlers answer synchronously.
      if (deadline !== undefined) this.deadlines.add(call, Math.max(0, deadline - Date.now()));
      result.then(
        (value) => this.complete(bound, route, call, oneway, true, value),
        (error: unknown) => this.complete(bound, route, call, oneway, false, error),
      );
    } else {
      this.complete(bound, route, call, oneway, true, result);
    }
  }

  /** Runs the call's handler: through the interceptors, on a worker thread, or directly. */
  private invoke(bound: BoundMethod, args: unknown, ctx: ServerCallContext, offloaded: OffloadedCall | undefined): unknown {
    const chain = this.options.chain;
    if (chain !== undefined) {
      // An offloaded call's arguments are decoded in its thread: interceptors see `undefined`.
      return chain({ service: bound.service, method: bound.method, handler: bound.handler, args: offloaded === undefined ? args : undefined, ctx });
    }
    if (offloaded !== undefined) return (this.options.workerPool as WorkerPool).run(ctx);
    return bound.method.invoke(bound.handler, args, ctx);
  }

  private complete(bound: BoundMethod, route: ReplyRoute, call: RunningCall, oneway: boolean, ok: boolean, outcome: unknown): void {
    if (oneway) {
      this.deadlines.remove(call);
      if (!ok) this.logHandlerError(bound, outcome);
      this.observe(route, ok ? 'OK' : outcome instanceof RpcError ? outcome.code : ErrorCode.INTERNAL, undefined, false, true);
      return;
    }
    // Cancelled, timed out or the connection closed: nobody waits for this reply.
    if (call.done) return;
    this.finish(call);
    if (this.connection.state === 'closed') return;
    if (outcome instanceof WorkerThreadResult) {
      this.replyEncoded(route, outcome.bytes);
    } else if (ok) {
      this.replySuccess(route, bound.method, outcome);
    } else if (bound.method.declares(outcome)) {
      this.replyResult(route, bound.method, { kind: 'exception', error: outcome }, outcome.constructor.name);
    } else if (outcome instanceof RpcError) {
      this.replyError(route, outcome);
    } else {
      this.logHandlerError(bound, outcome);
      this.replyError(route, new RpcError(ErrorCode.INTERNAL, `internal error in ${bound.service}.${bound.method.name}`));
    }
  }

  private finish(call: RunningCall): void {
    if (call.done) return;
    call.done = true;
    this.callCount--;
    if (call.awaited) {
      this.awaiting.delete(call);
      if (call.seqId !== undefined) this.bySeqId.delete(call.seqId);
    }
    this.options.load.release(this.options.load.measuresLatency ? performance.now() - call.startedAt : undefined);
    this.deadlines.remove(call);
    this.updateReading();
    if (this.callCount === 0) {
      // A call answered at once ended in the batch of frames being decoded: no clock read per call.
      this.lastCallEndedAt = call.awaited ? Date.now() : this.connection.decodingAt;
      if (this.draining) queueMicrotask(() => this.connection.end());
    }
  }

  private replySuccess(route: ReplyRoute, method: MethodDescriptor<unknown, unknown, unknown>, value: unknown): void {
    this.replyResult(route, method, { kind: 'success', value });
  }

  private replyResult(route: ReplyRoute, method: MethodDescriptor<unknown, unknown, unknown>, result: unknown, exception?: string): void {
    const w = this.connection.writer(route.protocol);
    const mark = this.beginReply(route, EMPTY_HEADERS);
    try {
      w.writeMessageBegin(route.name, MessageType.REPLY, route.seqId);
      method.result.write(w, result as never);
    } catch (error) {
      w.pos = w.start + mark;
      this.options.logger.error(
        {
          method: route.name,
          peer: this.peer,
          error: error instanceof Error ? error.message : String(error),
        },
        'handler returned a value its IDL type does not allow',
      );
      this.replyError(route, new RpcError(ErrorCode.INTERNAL, `internal error in ${route.name}: the result does not encode`));
      return;
    }
    finishMessage(w, route.framing, mark);
    this.connection.flushSoon();
    this.observe(route, 'OK', exception, true, false);
  }

  /** Sends a result struct a worker thread encoded (in the route's protocol). */
  private replyEncoded(route: ReplyRoute, result: Uint8Array): void {
    const w = this.connection.writer(route.protocol);
    const mark = this.beginReply(route, EMPTY_HEADERS);
    w.writeMessageBegin(route.name, MessageType.REPLY, route.seqId);
    w.writeBytes(result);
    finishMessage(w, route.framing, mark);
    this.connection.flushSoon();
    this.observe(route, 'OK', undefined, true, false);
  }

  /** Sends `error` as an EXCEPTION reply; `refused` says the handler never ran (safe to retry elsewhere). */
  private replyError(route: ReplyRoute, error: RpcError, refused = false): void {
    const w = this.connection.writer(route.protocol);
    const headers = new Map<string, string>([[SkiffHeader.STATUS, error.code]]);
    if (refused) headers.set(SkiffHeader.REFUSED, '1');
    const mark = this.beginReply(route, headers);
    w.writeMessageBegin(route.name, MessageType.EXCEPTION, route.seqId);
    writeApplicationException(w, toApplicationException(error));
    finishMessage(w, route.framing, mark);
    this.connection.flushSoon();
    this.observe(route, error.code, undefined, true, false);
  }

  /** Ends the call's span and tells the server's observers, if any, how the call ended. */
  private observe(route: ReplyRoute, code: CallRecord['code'], exception: string | undefined, answered: boolean, oneway: boolean): void {
    if (route.span !== undefined) endServerSpan(route.span, code, exception);
    const observers = this.options.observers;
    if (!observers.active) return;
    const durationMs = performance.now() - route.arrivedAt;
    observers.emit({
      service: route.service,
      method: route.name,
      code,
      exception,
      answered,
      durationMs,
      startedAt: Date.now() - durationMs,
      peer: this.peer,
      metadata: metadataOf(route.headers),
      oneway,
    });
  }

  private beginReply(route: ReplyRoute, headers: InfoHeaders): number {
    return beginMessage(this.connection.writer(route.protocol), route.framing, route.seqId, route.protocol, headers);
  }

  private onControl(incoming: IncomingFrame): void {
    const control = incoming.headers.get(SkiffHeader.CONTROL);
    const seqId = incoming.seqId ?? 0;
    if (control === ControlMessage.CANCEL) {
      const call = this.bySeqId.get(seqId);
      if (call === undefined) return;
      // The client says why it gave up: its deadline passed, or its caller cancelled.
      const deadline = incoming.headers.get(SkiffHeader.STATUS) === ErrorCode.DEADLINE_EXCEEDED;
      call.ctx.abort(
        deadline
          ? new RpcError(ErrorCode.DEADLINE_EXCEEDED, 'the deadline passed (the client gave up)')
          : new RpcError(ErrorCode.CANCELLED, 'the client cancelled the call'),
      );
      this.finish(call);
      this.observe(call.route, deadline ? ErrorCode.DEADLINE_EXCEEDED : ErrorCode.CANCELLED, undefined, false, false);
    } else if (control === ControlMessage.PING && this.peerControl) {
      this.sendControl(seqId, ControlMessage.PONG);
    }
  }

  /** Sends a control frame; `undefined` sends just our features (the announcement). */
  private sendControl(seqId: number, message: ControlMessage | undefined): void {
    const w = this.connection.writer('compact');
    const headers = message === undefined ? FEATURES_HEADER : new Map([[SkiffHeader.CONTROL, message]]);
    const mark = beginHeaderFrame(w, seqId, headerProtocolId('compact'), headers);
    endFrame(w, mark);
    this.connection.flushSoon();
  }

  private readerFor(protocol: WireProtocol): CompactReader | BinaryReader {
    if (protocol === 'compact') return this.compactReader;
    return (this.binaryReader ??= new BinaryReader(new Uint8Array(0)));
  }

  /** Pauses or resumes reading per the backpressure limits. */
  private updateReading(): void {
    const overloaded = this.callCount >= this.options.maxInFlight || this.connection.bufferedBytes >= this.options.maxBufferedBytes;
    if (overloaded) this.connection.pauseReading();
    else this.connection.resumeReading();
  }

  private logHandlerError(bound: BoundMethod, error: unknown): void {
    this.options.logger.error(
      {
        peer: this.peer,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      },
      `handler of ${bound.service}.${bound.method.name} failed`,
    );
  }

  private onClose(error: RpcError | undefined): void {
    if (error?.code === ErrorCode.PROTOCOL) {
      this.options.logger.warn({ peer: this.peer, reason: error.message }, 'closed a connection that sent malformed data');
    } else if (error?.code === ErrorCode.INTERNAL) {
      const cause: unknown = error.cause;
      this.options.logger.error(
        {
          peer: this.peer,
          reason: error.message,
          stack: cause instanceof Error ? cause.stack : undefined,
        },
        'closed a connection after an internal error',
      );
    }
    const reason = error ?? new RpcError(ErrorCode.CANCELLED, 'the client closed the connection');
    for (const call of this.awaiting) {
      call.done = true;
      this.options.load.release();
      call.ctx.abort(reason);
      this.observe(call.route, reason.code, undefined, false, false);
    }
    this.callCount = 0;
    this.awaiting.clear();
    this.deadlines.clear();
    this.bySeqId.clear();
    this.options.onClose(this);
  }
}

