/**
 * The types generated services are written against: method and service descriptors, the
 * client's {@link Channel}, and the per-call {@link CallOptions} and {@link CallContext}.
 *
 * How generated code maps the IDL (codecs are described in `codec.ts`):
 *
 * - A struct becomes an `interface` plus a companion `const` of type `StructCodec`. A field is a
 *   required property when it is declared `required` or has a default value, and an optional
 *   property (`?:`) otherwise. `Companion.create(init)` builds a value: fields with a default may
 *   be left out of `init` and get a fresh copy of their default on every call.
 * - A union becomes a discriminated union `{ readonly kind: 'field'; readonly value: T } | ...`
 *   (`kind` is the field's IDL name) plus a companion of type `UnionCodec`.
 * - An exception becomes a class extending `Error`, with the same property rule as a struct and
 *   static `write`/`read` (the class is an `ExceptionCodec`). A `string` field named `message` is
 *   the error's own message.
 * - A service becomes a `Handler` interface, a `Client` class built on a {@link Channel}, and a
 *   {@link ServiceDescriptor} that the server dispatches through; each method carries the codecs of
 *   Thrift's `<method>_args` and `<method>_result` structs.
 */
import type { PeerCertificate } from 'node:tls';
import type { Codec } from './codec.js';
import { TType, type Reader, type Writer } from './protocol/types.js';

/**
 * What a call produced, as Thrift's `<method>_result` struct carries it: the returned value
 * (field 0 `success`, absent for `void`) or one of the declared exceptions (the field of its
 * `throws` clause).
 *
 * Tagged rather than Thrift's one-optional-property-per-field shape: a server encodes either
 * outcome without knowing field names (the result codec picks the exception's field by its
 * class), a client branches on `kind` and rethrows `error` as is, and "both" or "neither" cannot
 * be expressed. A result struct with no field set decodes as a `ProtocolError`
 * `MISSING_REQUIRED_FIELD` for a non-void method, and as success for a void one.
 */
export type MethodResult<Returns, Thrown extends Error = never> =
  | { readonly kind: 'success'; readonly value: Returns }
  | { readonly kind: 'exception'; readonly error: Thrown };

/**
 * One function of a service. `Args` is the `<method>_args` struct as an object keyed by parameter
 * name; `Returns` is what the function returns (`void` for `void` and oneway functions); `Thrown`
 * is the union of its declared exceptions.
 */
export interface MethodDescriptor<Args, Returns, Handler = never, Thrown extends Error = Error> {
  /** The IDL name: the method name on the wire. */
  readonly name: string;
  /** A oneway function: the client does not wait for (and the server does not send) a reply. */
  readonly oneway: boolean;
  /** Declared `(idempotent)`: safe to retry after a failure that may have reached the server. */
  readonly idempotent: boolean;
  /**
   * Declared `(worker.thread)`: CPU-heavy, so a server with a worker-thread pool runs it there
   * (see `ServerOptions.workerThreads`); without a pool it runs on the event loop.
   */
  readonly workerThread?: boolean;
  /** Declared `(timeout.ms = "...")`: the default deadline for a call, in milliseconds. */
  readonly timeoutMs?: number;
  /**
   * Codec of the `<method>_args` struct (parameters with their ids). Decoding treats parameters
   * that are neither `optional` nor defaulted as required: the handler's signature promises them.
   */
  readonly args: Codec<Args>;
  /** Codec of the `<method>_result` struct; oneway functions use it too but never send it. */
  readonly result: Codec<MethodResult<Returns, Thrown>>;
  /** Whether `error` is an instance of a declared exception (which travels as a result). */
  declares(error: unknown): error is Thrown;
  /** Calls the handler's method with the arguments in declaration order. */
  invoke(handler: Handler, args: Args, ctx: CallContext): Returns | Promise<Returns>;
}

/**
 * A service: every function it offers (inherited ones included), keyed by the TypeScript method
 * name. Generated descriptors are checked against this type with `satisfies`, so each method
 * keeps its precise argument and result types.
 */
export interface ServiceDescriptor<Handler> {
  /** The IDL name. */
  readonly name: string;
  readonly methods: { readonly [method: string]: MethodDescriptor<unknown, unknown, Handler> };
}

/** The `<method>_args` codec of every function without parameters: an empty struct. */
export const NoArgs: Codec<Record<string, never>> = {
  write(w: Writer): void {
    w.writeStructBegin();
    w.writeFieldStop();
    w.writeStructEnd();
  },
  read(r: Reader): Record<string, never> {
    skipStruct(r);
    return {};
  },
};

/** The `<method>_result` codec of every `void` function without declared exceptions: an empty struct. */
export const VoidResult: Codec<MethodResult<void>> = {
  write(w: Writer): void {
    w.writeStructBegin();
    w.writeFieldStop();
    w.writeStructEnd();
  },
  read(r: Reader): MethodResult<void> {
    skipStruct(r);
    return { kind: 'success', value: undefined };
  },
};

/** Reads a struct, skipping every field (none is known). */
function skipStruct(r: Reader): void {
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) r.skip(t);
  r.readStructEnd();
}

/** Per-call options of a generated client method. */
export interface CallOptions {
  /** Deadline for this call in milliseconds; overrides the function's declared `timeout.ms`. */
  readonly timeoutMs?: number;
  /** Aborting it cancels the call. */
  readonly signal?: AbortSignal;
  /** Headers sent with the request. */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Routes calls with the same key to the same server when the channel balances with
   * consistent hashing (e.g. a user id, for cache locality); other balancers ignore it.
   */
  readonly routingKey?: string;
}

/** What a handler method learns about the call it serves (its trailing `ctx` parameter). */
export interface CallContext {
  /** Headers the client sent with the request. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Aborted when the client cancels, the deadline passes or the connection closes. */
  readonly signal: AbortSignal;
  /** When the client stops waiting, in epoch milliseconds (`Date.now()`); `undefined` for none. */
  readonly deadline: number | undefined;
  /** The client's address, `host:port`. */
  readonly peer: string;
  /**
   * The client's verified certificate, when it connected with mutual TLS (`subject.CN`,
   * `fingerprint256`, ... as Node's `tls` reports them). Not set in worker threads.
   */
  readonly peerCertificate?: PeerCertificate | undefined;
}

/** How a generated client sends calls: one request, one reply (or none, for oneway functions). */
export interface Channel {
  /** Sends `args` for `method` and resolves to its result, or rejects with a declared exception or an `RpcError`. */
  call<Args, Result>(
    method: MethodDescriptor<Args, Result>,
    args: NoInfer<Args>,
    options?: CallOptions,
  ): Promise<Result>;
}
