/**
 * The resolved model: the emitter's only input. Every name is resolved to its declaration, every
 * constant is converted to the value of its declared type, every field has its final id, and every
 * declaration carries the TypeScript names the emitter will use (computed once, in `names.ts`, so
 * the checker can report collisions before anything is emitted).
 */
import type { Requiredness } from './ast.js';
import type { Span } from './source.js';

export interface Schema {
  /** Every input file and everything it includes, each once, includes before includers. */
  readonly files: readonly SchemaFile[];
}

export interface SchemaFile {
  /** The source path as given to the compiler (what diagnostics print). */
  readonly path: string;
  /**
   * Output module path relative to the output directory, without extension, `/`-separated:
   * `idl-examples/shop/order.rpc` compiled from root `idl-examples` becomes `shop/order`.
   */
  readonly modulePath: string;
  /** Files this one includes directly, in source order. */
  readonly includes: readonly SchemaFile[];
  /** `namespace` declarations: scope (`*`, `js`, `java`, ...) to name. */
  readonly namespaces: ReadonlyMap<string, string>;
  /** Every definition, in source order. */
  readonly declarations: readonly Declaration[];
}

export type Declaration = ConstDecl | TypedefDecl | EnumDecl | StructDecl | ServiceDecl;

interface DeclBase {
  /** The IDL name. */
  readonly name: string;
  /** The TypeScript identifier: the IDL name, mangled when it is reserved or would shadow a global. */
  readonly tsName: string;
  readonly file: SchemaFile;
  readonly doc: string | undefined;
  readonly annotations: ReadonlyMap<string, string>;
  readonly span: Span;
}

export interface ConstDecl extends DeclBase {
  readonly kind: 'const';
  readonly type: Type;
  readonly value: Value;
}

export interface TypedefDecl extends DeclBase {
  readonly kind: 'typedef';
  readonly type: Type;
}

export interface EnumDecl extends DeclBase {
  readonly kind: 'enum';
  readonly members: readonly EnumMemberDecl[];
}

export interface EnumMemberDecl {
  readonly name: string;
  /** Property name in the emitted const object (safe as written: object keys may be reserved words). */
  readonly tsName: string;
  /** An i32. */
  readonly value: number;
  readonly doc: string | undefined;
  readonly annotations: ReadonlyMap<string, string>;
}

export interface StructDecl extends DeclBase {
  readonly kind: 'struct' | 'union' | 'exception';
  readonly fields: readonly FieldDecl[];
}

export interface FieldDecl {
  /** The final id: as written, or Thrift's implicit negative id (-1, -2, ...) when omitted. */
  readonly id: number;
  readonly name: string;
  /** Property name in TypeScript (for exceptions, mangled away from `Error`'s own members). */
  readonly tsName: string;
  readonly requiredness: Requiredness;
  readonly type: Type;
  readonly defaultValue?: Value;
  readonly doc: string | undefined;
  readonly annotations: ReadonlyMap<string, string>;
  readonly span: Span;
}

export interface ServiceDecl extends DeclBase {
  readonly kind: 'service';
  readonly extends?: ServiceDecl;
  /** Functions declared in this service only; see {@link allFunctions} for inherited ones. */
  readonly functions: readonly FunctionDecl[];
}

export interface FunctionDecl {
  readonly name: string;
  /** Method name in TypeScript (client and handler). */
  readonly tsName: string;
  readonly oneway: boolean;
  /** `undefined` for `void`. */
  readonly returnType: Type | undefined;
  /** Arguments: `tsName` is safe as a parameter name (reserved words mangled). */
  readonly params: readonly FieldDecl[];
  /** Each field's type resolves to an exception. */
  readonly throws: readonly FieldDecl[];
  /** From `(idempotent)`. */
  readonly idempotent: boolean;
  /** From `(worker.thread)`: served on the server's worker-thread pool when it has one. */
  readonly workerThread: boolean;
  /** From `(timeout.ms = "200")`. */
  readonly timeoutMs: number | undefined;
  readonly doc: string | undefined;
  readonly annotations: ReadonlyMap<string, string>;
  readonly span: Span;
}

export type BaseTypeKind = 'bool' | 'byte' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid';

export type Type =
  | { readonly kind: BaseTypeKind }
  | { readonly kind: 'list'; readonly element: Type }
  | { readonly kind: 'set'; readonly element: Type }
  | { readonly kind: 'map'; readonly key: Type; readonly value: Type }
  | { readonly kind: 'enum'; readonly decl: EnumDecl }
  | { readonly kind: 'struct'; readonly decl: StructDecl }
  /** Kept so the emitter can print the alias name; {@link resolveTypedefs} unwraps it. */
  | { readonly kind: 'typedef'; readonly decl: TypedefDecl };

/**
 * A constant converted to its declared type. Integers are `bigint` for i64 and `number` otherwise;
 * uuid is its canonical lowercase string form.
 */
export type Value =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'i64'; readonly value: bigint }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'binary'; readonly value: Uint8Array }
  | { readonly kind: 'uuid'; readonly value: string }
  | { readonly kind: 'enum'; readonly decl: EnumDecl; readonly member: EnumMemberDecl }
  | { readonly kind: 'list' | 'set'; readonly elements: readonly Value[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [Value, Value])[] }
  | { readonly kind: 'struct'; readonly decl: StructDecl; readonly fields: readonly (readonly [FieldDecl, Value])[] }
  /** A reference to a named constant: the emitter prints the constant's name. */
  | { readonly kind: 'const'; readonly decl: ConstDecl };

/** Follows typedefs until a non-typedef type. */
export function resolveTypedefs(type: Type): Exclude<Type, { kind: 'typedef' }> {
  let t: Type = type;
  while (t.kind === 'typedef') t = t.decl.type;
  return t;
}

/** Every function a service offers: inherited ones first (base-most first), then its own. */
export function allFunctions(service: ServiceDecl): FunctionDecl[] {
  const chain: ServiceDecl[] = [];
  for (let s: ServiceDecl | undefined = service; s; s = s.extends) chain.unshift(s);
  return chain.flatMap((s) => [...s.functions]);
}
