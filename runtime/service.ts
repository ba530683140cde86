/**
 * The types generated code is written against: descriptors of structs and services, the
 * client's {@link Channel}, and the per-call {@link CallOptions} and {@link CallContext}.
 *
 * How generated code maps the IDL (so these descriptors can be read alongside it):
 *
 * - A struct becomes an `interface` plus a companion `const` of type {@link StructCompanion}.
 *   A field is a required property when it is declared `required` or has a default value, and an
 *   optional property (`?:`) otherwise. `Companion.create(init)` builds a value: fields with a
 *   default may be left out of `init` and get a fresh copy of their default on every call.
 * - A union becomes a discriminated union `{ readonly kind: 'field'; readonly value: T } | ...`
 *   (`kind` is the field's IDL name) plus a companion of type {@link UnionCompanion}.
 * - An exception becomes a class extending `Error`, with the same property rule as a struct and a
 *   static {@link StructDescriptor}. A `string` field named `message` is the error's own message.
 * - A service becomes a `Handler` interface, a `Client` class built on a {@link Channel}, and a
 *   {@link ServiceDescriptor} that the server dispatches through.
 */

/** The IDL's base types, as {@link TypeDescriptor} kinds. */
export type BaseTypeKind = 'bool' | 'byte' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid';

/**
 * The IDL type of a field, parameter or result, for code that walks values generically (JSON
 * conversion, a generic codec, `rpcgen call`). Typedefs are already resolved. Named types are
 * reached through thunks, so declarations may refer to each other in any order and recursively.
 */
export type TypeDescriptor =
  | { readonly kind: BaseTypeKind }
  | { readonly kind: 'list' | 'set'; readonly element: TypeDescriptor }
  | { readonly kind: 'map'; readonly key: TypeDescriptor; readonly value: TypeDescriptor }
  | {
      readonly kind: 'enum';
      /** The enum's IDL name. */
      readonly name: string;
      /** The enum's members: IDL member name to value. */
      readonly members: () => Readonly<Record<string, number>>;
    }
  | {
      readonly kind: 'struct';
      /** The struct, union or exception. */
      readonly descriptor: () => StructDescriptor;
    };

/** A struct, union or exception field, or a function parameter. */
export interface FieldDescriptor {
  /** The field id (negative for Thrift's implicit ids). */
  readonly id: number;
  /** The IDL name (what JSON and the wire-level tools use). */
  readonly name: string;
  /** The TypeScript property name, when it differs from {@link name} (a mangled reserved word). */
  readonly property?: string;
  readonly requiredness: 'required' | 'optional' | 'default';
  readonly type: TypeDescriptor;
}

/** The fields of a struct, union or exception, in declaration order. */
export interface StructDescriptor {
  readonly kind: 'struct' | 'union' | 'exception';
  /** The IDL name. */
  readonly name: string;
  readonly fields: readonly FieldDescriptor[];
}

/**
 * The companion `const` of a generated struct interface `T`. `Defaulted` names the properties that
 * have a default value, which `create` fills in when they are left out.
 */
export interface StructCompanion<T, Defaulted extends keyof T = never> {
  readonly descriptor: StructDescriptor;
  /** A new `T` from `init`, with defaults applied to the properties `init` leaves out. */
  create(init: Omit<T, Defaulted> & Partial<Pick<T, Defaulted>>): T;
}

/**
 * The companion `const` of a generated union type. Union values are written as object literals
 * (`{ kind: 'field', value }`), so for now the companion only describes the union.
 */
export interface UnionCompanion {
  readonly descriptor: StructDescriptor;
}

/** A generated exception class: constructible, `instanceof`-checkable, and described. */
export interface ExceptionClass {
  readonly descriptor: StructDescriptor;
  new (init: never): Error;
}

/** One declared exception of a function (`throws (1: NotFound notFound)`). */
export interface ThrowsDescriptor {
  readonly id: number;
  /** The IDL name of the throws field. */
  readonly name: string;
  /** The exception's class. */
  readonly exception: () => ExceptionClass;
}

/**
 * One function of a service. `Args` is the object the arguments travel in, keyed by parameter
 * name; `Result` is what the function returns (`void` for `void` and oneway functions).
 */
export interface MethodDescriptor<Args, Result, Handler = never> {
  /** The IDL name: the method name on the wire. */
  readonly name: string;
  /** A oneway function: the client does not wait for (and the server does not send) a reply. */
  readonly oneway: boolean;
  /** Declared `(idempotent)`: safe to retry after a failure that may have reached the server. */
  readonly idempotent: boolean;
  /** Declared `(timeout.ms = "...")`: the default deadline for a call, in milliseconds. */
  readonly timeoutMs?: number;
  /** The parameters, in declaration order. */
  readonly params: readonly FieldDescriptor[];
  /** The result type; absent for `void` and oneway functions. */
  readonly returns?: TypeDescriptor;
  readonly throws: readonly ThrowsDescriptor[];
  /** Calls the handler's method with the arguments in declaration order. */
  invoke(handler: Handler, args: Args, ctx: CallContext): Result | Promise<Result>;
}

/**
 * A service: every function it offers (inherited ones included), keyed by the TypeScript method
 * name. Generated descriptors are checked against this type with `satisfies`, so each method
 * keeps its precise argument and result types.
 */
export interface ServiceDescriptor<Handler> {
  /** The IDL name. */
  readonly name: string;
  readonly methods: { readonly [method: string]: MethodDescriptor<never, unknown, Handler> };
}

/** Per-call options of a generated client method. */
export interface CallOptions {
  /** Deadline for this call in milliseconds; overrides the function's declared `timeout.ms`. */
  readonly timeoutMs?: number;
  /** Aborting it cancels the call. */
  readonly signal?: AbortSignal;
  /** Headers sent with the request. */
  readonly metadata?: Readonly<Record<string, string>>;
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
