/**
 * The client's entry point: {@link createChannel} returns the {@link Channel} generated clients
 * are built on. A channel owns a pool of multiplexed connections to its server, applies deadlines
 * and cancellation, and runs client interceptors around every call.
 *
 * ```ts
 * const channel = createChannel({ host: '127.0.0.1', port: 9090 });
 * const users = new UserServiceClient(channel);
 * const user = await users.getUser(42n, { timeoutMs: 500 });
 * await channel.close();
 * ```
 */
import { ErrorCode, RpcError } from '../errors.js';
import type { BackoffOptions } from '../internal/backoff.js';
import { currentCallScope, enableCallScopes } from '../internal/call-scope.js';
import { otel } from '../internal/otel.js';
import { MAX_TIMER_MS } from '../internal/timer-range.js';
import { endClientSpan, startClientTrace } from './client-tracing.js';
import type { Framing, WireProtocol } from '../protocol/framing.js';
import { RESERVED_HEADER_PREFIX } from '../protocol/skiff-headers.js';
import type { CallOptions, Channel, MethodDescriptor } from '../service.js';
import { endpointKey, staticResolver, type Endpoint, type Resolver } from '../discovery/resolver.js';
import { ConnectionPool } from '../transport/pool.js';
import { leastPending, type Balancer } from './balancer.js';
import { CallConnection, type ClientTlsOptions, type OutgoingCall } from './call-connection.js';
import { EndpointSet, type EndpointInstance } from './endpoint-set.js';
import { hedge, hedgingSettings, type HedgingOptions, type HedgingSettings } from './hedging.js';
import { OutlierDetector, type OutlierDetectionOptions } from './outlier-detector.js';
import { isRetryable, markNotRun, RetryBudget, type RetryOptions } from './retry.js';
import { SlowStart, type SlowStartOptions } from './slow-start.js';

/** A call as client interceptors see it. */
export interface ClientCall {
  readonly method: MethodDescriptor<unknown, unknown>;
  readonly args: unknown;
  readonly options: CallOptions;
}

/** Sends a call and resolves to its result (or rejects with a declared exception or an `RpcError`). */
export type ClientCallHandler = (call: ClientCall) => Promise<unknown>;

/**
 * Wraps the rest of the chain: log, add metadata, retry, measure. Interceptors run in the order
 * given, the first one outermost:
 *
 * ```ts
 * const addToken: ClientInterceptor = (next) => (call) =>
 *   next({ ...call, options: { ...call.options, metadata: { ...call.options.metadata, authorization: token } } });
 * ```
 */
export type ClientInterceptor = (next: ClientCallHandler) => ClientCallHandler;

/**
 * Settings of {@link createChannel}. Name the servers in exactly one way: `host` and `port` (one
 * server), `endpoints` (a fixed list) or `resolver` (discovery, e.g. a registry).
 */
export interface ChannelOptions {
  /** Server host name or address (with `port`). */
  readonly host?: string;
  /** Server port (with `host`). */
  readonly port?: number;
  /** Several servers, as `'host:port'` strings or endpoints with weights. */
  readonly endpoints?: readonly (string | Endpoint)[];
  /** Where the servers come from; followed live. */
  readonly resolver?: Resolver;
  /** Which ready server gets each call. Default {@link leastPending} (two random choices, fewer calls in flight). */
  readonly balancer?: Balancer;
  /** Payload protocol. Default `'compact'`. */
  readonly protocol?: WireProtocol;
  /**
   * `'header'` (THeader: metadata, deadlines and cancellation reach the server), `'framed'`
   * (plain `TFramedTransport`) or `'buffered'` (unframed `TBufferedTransport`), for stock Thrift
   * servers. Default `'header'`.
   */
  readonly framing?: Framing;
  /** Most connections to the server; more open only under load (see `ConnectionPool`). Default 2. */
  readonly connections?: number;
  /** Give up connecting after this many milliseconds. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Connect with TLS (see `CallConnectionOptions.tls`). Default: plain TCP. */
  readonly tls?: ClientTlsOptions | (() => ClientTlsOptions);
  /** Deadline of calls whose method and options set none, in milliseconds. Default: none. */
  readonly defaultTimeoutMs?: number;
  /** Largest reply frame accepted, in bytes. Default 16 MiB. */
  readonly maxFrameBytes?: number;
  /** Ping an idle server after this many milliseconds to detect a dead peer (see `CallConnectionOptions.keepaliveMs`). Default: off. */
  readonly keepaliveMs?: number;
  /** How long a keepalive ping may go unanswered before the connection is closed. Default 10,000. */
  readonly keepaliveTimeoutMs?: number;
  /** Reconnect pacing after failed connects. */
  readonly backoff?: BackoffOptions;
  /** Run around every call, first one outermost. */
  readonly interceptors?: readonly ClientInterceptor[];
  /**
   * Sending failed calls again, on another server when there is one: calls that never ran
   * (any method) and `(idempotent)` methods whose connection failed (see `retry.ts`). Default:
   * up to 3 attempts within the call's deadline, retries bounded to 20% of calls; `false` for none.
   */
  readonly retry?: RetryOptions | false;
  /**
   * Taking failing servers out of rotation for a while (see `outlier-detector.ts`). Default: 5
   * failures in a row, or at least half of at least 20 calls in a 10 s interval, eject a server
   * for 1 s, doubling up to 30 s, never more than half of them; `false` for none.
   */
  readonly outlierDetection?: OutlierDetectionOptions | false;
  /**
   * Warm-up for servers that join (or come back after being unreachable): their weight ramps from
   * `minWeightPercent` (default 10%) to full over `windowMs` (see `slow-start.ts`). Followed by
   * every balancer but consistent hashing's ring. Default: off.
   */
  readonly slowStart?: SlowStartOptions;
  /**
   * Hedging for `(idempotent)` methods: a backup attempt to another server when a call has had
   * no reply for `delayMs`; the first reply wins, the others are cancelled; backups spend the
   * retry budget (see `hedging.ts`). Default: off.
   */
  readonly hedging?: HedgingOptions;
}

/** One server a channel knows, as {@link ClientChannel.status} reports it. */
export interface ChannelInstanceStatus {
  /** `host:port`. */
  readonly endpoint: string;
  /** Has a live connection and is offered to the balancer. */
  readonly ready: boolean;
  /** Taken out of rotation as an outlier now. */
  readonly ejected: boolean;
  /** The balancer's weight for it now (lower while it warms up). */
  readonly weight: number;
  /** Calls in flight to it. */
  readonly inFlight: number;
}

/** A channel's state at one moment, for status pages and metrics. */
export interface ChannelStatus {
  /** What the channel was pointed at: `host:port`, the endpoint list, or `resolver`. */
  readonly target: string;
  /** The balancer's name (`least-pending`, ...; `custom` for one without a name). */
  readonly balancer: string;
  readonly instances: readonly ChannelInstanceStatus[];
}

/** A {@link Channel} with a lifecycle. */
export interface ClientChannel extends Channel {
  /** The servers known now: `host:port`, pool state (`ready`, `connecting`, `backoff`, ...), calls in flight, whether ejected as an outlier, weight now. */
  readonly instances: ReadonlyArray<EndpointInstance>;
  /** A snapshot of the channel for status pages (see `createAdminServer`). */
  status(): ChannelStatus;
  /** Closes every connection; calls in flight fail with `UNAVAILABLE`, later calls too. */
  close(): Promise<void>;
}

/**
 * Creates a channel (see the module comment). It connects lazily, on the first call; with
 * several servers, each call also starts connections to servers not yet connected, and the
 * balancer chooses among those with a live connection.
 */
export function createChannel(options: ChannelOptions): ClientChannel {
  // Loaded now, not by the first call (see internal/otel.ts).
  otel();
  enableCallScopes();
  const slowStart = options.slowStart === undefined ? undefined : new SlowStart(options.slowStart);
  const outliers = options.outlierDetection === false ? undefined : new OutlierDetector(options.outlierDetection);
  const balancer = options.balancer ?? leastPending();
  const endpoints = new EndpointSet(
    resolverOf(options),
    (endpoint, { onOutcome, onConnect }) =>
      new ConnectionPool<CallConnection>({
        connect: (onClose) =>
          CallConnection.connect({ ...options, host: endpoint.host, port: endpoint.port, onOutcome }, onClose).then(
            (connection) => {
              onConnect(true);
              return connection;
            },
            (error: unknown) => {
              onConnect(false);
              throw error;
            },
          ),
        ...(options.connections === undefined ? {} : { size: options.connections }),
        ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      }),
    balancer,
    outliers,
    slowStart,
  );
  const budget = new RetryBudget(options.retry === false ? {} : options.retry);
  const retry: RetrySettings | undefined = options.retry === false ? undefined : { maxAttempts: Math.max(1, options.retry?.maxAttempts ?? 3), budget };
  const hedging: ChannelHedging | undefined =
    options.hedging === undefined ? undefined : { ...hedgingSettings(options.hedging, options.retry !== false), budget };
  const send: ClientCallHandler = (call) => send1(endpoints, call, options.defaultTimeoutMs, retry, hedging);
  const chain = (options.interceptors ?? []).reduceRight<ClientCallHandler>((next, interceptor) => interceptor(next), send);
  const call = <Args, Result>(method: MethodDescriptor<Args, Result>, args: NoInfer<Args>, callOptions: CallOptions = {}): Promise<Result> =>
    chain({ method: method as MethodDescriptor<unknown, unknown>, args, options: callOptions }) as Promise<Result>;
  return {
    call,
    get instances() {
      return endpoints.instances;
    },
    status() {
      return {
        target: targetOf(options),
        balancer: balancer.name ?? 'custom',
        instances: endpoints.instances.map((i) => ({ endpoint: i.key, ready: i.state === 'ready', ejected: i.ejected, weight: i.weight, inFlight: i.pending })),
      };
    },
    close: async () => endpoints.close(),
  };
}

/** What a channel is pointed at, for its status. */
function targetOf(options: ChannelOptions): string {
  if (options.resolver !== undefined) return 'resolver';
  if (options.endpoints !== undefined) return options.endpoints.map((e) => (typeof e === 'string' ? e : endpointKey(e))).join(',');
  return `${options.host ?? ''}:${options.port ?? ''}`;
}

function resolverOf(options: ChannelOptions): Resolver {
  const given = [options.host !== undefined || options.port !== undefined, options.endpoints !== undefined, options.resolver !== undefined];
  if (given.filter(Boolean).length !== 1) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, 'createChannel needs exactly one of: host and port, endpoints, resolver');
  }
  if (options.resolver !== undefined) return options.resolver;
  if (options.endpoints !== undefined) return staticResolver(options.endpoints);
  if (options.host === undefined || options.port === undefined) {
    throw new RpcError(ErrorCode.INVALID_ARGUMENT, 'createChannel needs both host and port');
  }
  return staticResolver([{ host: options.host, port: options.port }]);
}

/** The innermost handler: validates options, takes a connection, sends. */
function send1(
  endpoints: EndpointSet,
  call: ClientCall,
  defaultTimeoutMs: number | undefined,
  retry: RetrySettings | undefined,
  hedging: ChannelHedging | undefined,
): Promise<unknown> {
  const { method, options } = call;
  const requestedMs = options.timeoutMs ?? method.timeoutMs ?? defaultTimeoutMs;
  if (requestedMs !== undefined && !(requestedMs > 0 && Number.isFinite(requestedMs))) {
    return Promise.reject(new RpcError(ErrorCode.INVALID_ARGUMENT, `timeoutMs must be a positive number of milliseconds, got ${requestedMs}`));
  }
  // Deadlines beyond Node's timer range (24.8 days) are capped to it (see timer-range.ts).
  const timeoutMs = requestedMs === undefined ? undefined : Math.min(requestedMs, MAX_TIMER_MS);
  const metadata = options.metadata;
  if (metadata !== undefined) {
    for (const key in metadata) {
      if (key.startsWith(RESERVED_HEADER_PREFIX)) {
        return Promise.reject(new RpcError(ErrorCode.INVALID_ARGUMENT, `metadata key '${key}' uses the reserved prefix '${RESERVED_HEADER_PREFIX}'`));
      }
      if (typeof metadata[key] !== 'string') {
        return Promise.reject(new RpcError(ErrorCode.INVALID_ARGUMENT, `metadata value of '${key}' must be a string`));
      }
    }
  }
  let effectiveTimeoutMs = timeoutMs;
  let signal = options.signal;
  // Called from a handler: the call being served bounds this one (deadline propagation).
  const parent = currentCallScope();
  if (parent !== undefined) {
    if (parent.deadline !== undefined) {
      const remainingMs = parent.deadline - Date.now();
      if (remainingMs <= 0) {
        return Promise.reject(new RpcError(ErrorCode.DEADLINE_EXCEEDED, `${method.name} not sent: the deadline of the call being served has passed`));
      }
      effectiveTimeoutMs = effectiveTimeoutMs === undefined ? remainingMs : Math.min(effectiveTimeoutMs, remainingMs);
    }
    signal = signal === undefined ? parent.signal : AbortSignal.any([signal, parent.signal]);
  }
  const traced = startClientTrace(method.name, metadata, parent?.traceparent);
  const outgoing: OutgoingCall = {
    method,
    args: call.args,
    timeoutMs: effectiveTimeoutMs === undefined ? undefined : Math.ceil(effectiveTimeoutMs),
    signal,
    metadata: traced.metadata,
  };
  const sent = dispatch(endpoints, outgoing, options.routingKey, retry, hedging);
  const span = traced.span;
  if (span === undefined) return sent;
  return sent.then(
    (value) => {
      endClientSpan(span);
      return value;
    },
    (error: unknown) => {
      endClientSpan(span, error);
      throw error;
    },
  );
}

/** Sends a prepared call: hedged, with retries, or once, as the channel's settings say. */
function dispatch(
  endpoints: EndpointSet,
  outgoing: OutgoingCall,
  routingKey: string | undefined,
  retry: RetrySettings | undefined,
  hedging: ChannelHedging | undefined,
): Promise<unknown> {
  const { method, signal } = outgoing;
  if (hedging !== undefined && method.idempotent && !method.oneway) {
    hedging.budget.onCall();
    const tried: string[] = [];
    return hedge(
      { method, timeoutMs: outgoing.timeoutMs, startedAt: Date.now(), signal },
      hedging,
      hedging.budget,
      (attemptSignal, attemptTimeoutMs, othersOnly) =>
        attempt(endpoints, { ...outgoing, timeoutMs: attemptTimeoutMs, signal: attemptSignal }, routingKey, tried, othersOnly),
    );
  }
  if (retry === undefined) return attempt(endpoints, outgoing, routingKey, undefined);
  retry.budget.onCall();
  const tried: string[] = [];
  const startedAt = outgoing.timeoutMs === undefined ? 0 : Date.now();
  return attempt(endpoints, outgoing, routingKey, tried).catch((error: unknown) =>
    retryAfter(error, endpoints, outgoing, routingKey, tried, startedAt, retry),
  );
}

/** Retry settings resolved for a channel. */
interface RetrySettings {
  readonly maxAttempts: number;
  readonly budget: RetryBudget;
}

/** Hedging settings resolved for a channel (the budget is the retries' one). */
interface ChannelHedging extends HedgingSettings {
  readonly budget: RetryBudget;
}

/**
 * One attempt: a connection from the endpoint set (avoiding instances in `tried`), then the
 * call. With `othersOnly` (a hedge) `undefined` when no instance outside `tried` is ready.
 */
function attempt(endpoints: EndpointSet, outgoing: OutgoingCall, routingKey: string | undefined, tried: string[] | undefined): Promise<unknown>;
function attempt(endpoints: EndpointSet, outgoing: OutgoingCall, routingKey: string | undefined, tried: string[], othersOnly: boolean): Promise<unknown> | undefined;
function attempt(endpoints: EndpointSet, outgoing: OutgoingCall, routingKey: string | undefined, tried: string[] | undefined, othersOnly = false): Promise<unknown> | undefined {
  let connection: CallConnection | Promise<CallConnection> | undefined;
  try {
    connection = othersOnly ? endpoints.acquire(routingKey, tried ?? [], true) : endpoints.acquire(routingKey, tried);
  } catch (error) {
    return Promise.reject(typeof error === 'object' && error !== null ? markNotRun(error) : error);
  }
  if (connection === undefined) return undefined;
  if (connection instanceof CallConnection) {
    tried?.push(connection.endpointKey);
    return connection.call(outgoing);
  }
  return sendWhenConnected(connection, outgoing, tried);
}

/** Sends a failed call again while {@link isRetryable} allows, within its deadline and the budget. */
async function retryAfter(
  firstError: unknown,
  endpoints: EndpointSet,
  outgoing: OutgoingCall,
  routingKey: string | undefined,
  tried: string[],
  startedAt: number,
  retry: RetrySettings,
): Promise<unknown> {
  let error = firstError;
  for (let attempts = 1; attempts < retry.maxAttempts; attempts++) {
    if (!isRetryable(error, outgoing.method) || outgoing.signal?.aborted) throw error;
    let timeoutMs = outgoing.timeoutMs;
    if (timeoutMs !== undefined) {
      timeoutMs -= Date.now() - startedAt;
      if (timeoutMs <= 0) throw error;
    }
    if (!retry.budget.tryRetry()) throw error;
    try {
      return await attempt(endpoints, { ...outgoing, timeoutMs }, routingKey, tried);
    } catch (next) {
      error = next;
    }
  }
  throw error;
}

/**
 * Waits for a connection, within the call's deadline and signal, then sends. The wait counts
 * against the deadline: the server gets what remains of it.
 */
async function sendWhenConnected(connecting: Promise<CallConnection>, call: OutgoingCall, tried: string[] | undefined): Promise<unknown> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    if (call.timeoutMs !== undefined) {
      timer = setTimeout(
        () => reject(new RpcError(ErrorCode.DEADLINE_EXCEEDED, `${call.method.name} did not complete within ${call.timeoutMs} ms (still connecting)`)),
        call.timeoutMs,
      );
    }
    if (call.signal !== undefined) {
      onAbort = () => reject(new RpcError(ErrorCode.CANCELLED, 'call cancelled while connecting', { cause: call.signal?.reason }));
      call.signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  let connection: CallConnection;
  try {
    connection = await Promise.race([connecting, giveUp]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) call.signal?.removeEventListener('abort', onAbort);
  }
  const timeoutMs = call.timeoutMs === undefined ? undefined : Math.max(1, call.timeoutMs - (Date.now() - started));
  tried?.push(connection.endpointKey);
  return connection.call({ ...call, timeoutMs });
}
