/**
 * The syntax tree built from one IDL file (types only). It mirrors the source closely: names are
 * unresolved strings, ids and values are as written. `check.ts` turns documents into a {@link
 * import('./schema.js').Schema}.
 */
import type { Span } from './source.js';

export interface Node {
  readonly span: Span;
}

/** `/** ... *\/` text with the comment markers and leading `*` gutters removed; trimmed. */
export type Doc = string | undefined;

/** `(key = "value", flag)`; a key without a value gets the value `"1"`, as in Apache Thrift. */
export interface Annotation extends Node {
  readonly key: string;
  readonly value: string;
  /** Span of the value literal, when one was written. */
  readonly valueSpan?: Span;
}

export interface Identifier extends Node {
  /** As written, possibly dotted (`shared.User`). */
  readonly name: string;
}

export interface Document {
  readonly path: string;
  readonly headers: readonly Header[];
  readonly definitions: readonly Definition[];
}

export type Header = Include | CppInclude | Namespace;

export interface Include extends Node {
  readonly kind: 'include';
  /** The string literal's contents. */
  readonly path: string;
  readonly pathSpan: Span;
}

export interface CppInclude extends Node {
  readonly kind: 'cpp_include';
  readonly path: string;
}

export interface Namespace extends Node {
  readonly kind: 'namespace';
  /** `*`, `js`, `java`, `py.twisted`, ... */
  readonly scope: string;
  readonly name: string;
  readonly annotations: readonly Annotation[];
}

export type Definition = ConstDefinition | TypedefDefinition | EnumDefinition | StructDefinition | ServiceDefinition;

export interface ConstDefinition extends Node {
  readonly kind: 'const';
  readonly name: Identifier;
  readonly type: TypeRef;
  readonly value: ConstValue;
  readonly annotations: readonly Annotation[];
  readonly doc: Doc;
}

export interface TypedefDefinition extends Node {
  readonly kind: 'typedef';
  readonly name: Identifier;
  readonly type: TypeRef;
  readonly annotations: readonly Annotation[];
  readonly doc: Doc;
}

export interface EnumDefinition extends Node {
  readonly kind: 'enum';
  readonly name: Identifier;
  readonly members: readonly EnumMember[];
  readonly annotations: readonly Annotation[];
  readonly doc: Doc;
}

export interface EnumMember extends Node {
  readonly name: Identifier;
  /** Explicit value; absent for implicit (previous + 1, starting at 0). */
  readonly value?: IntLiteral;
  readonly annotations: readonly Annotation[];
  readonly doc: Doc;
}

export interface StructDefinition extends Node {
  readonly kind: 'struct' | 'union' | 'exception';
  readonly name: Identifier;
  readonly fields: readonly Field[];
  readonly annotations: readonly Annotation[];
  readonly doc: Doc;
}

export type Requiredness = 'required' | 'optional' | 'default';

export interface Field extends Node {
  /** Explicit id as written (may be out of range: the checker reports it). Absent when implicit. */
  readonly id?: IntLiteral;
  readonly requiredness: Requiredness;
  /** Span of the `required`/`optional` keyword, when written. */
  readonly requirednessSpan?: Span;
  readonly type: TypeRef;
  readonly name: Identifier;
  readonly defaultValue?: ConstValue;
  readonly annotations: readonly Annotation[];
  readonly doc: Doc;
}

export interface ServiceDefinition extends Node {
  readonly kind: 'service';
  readonly name: Identifier;
  readonly extends?: Identifier;
  readonly functions: readonly FunctionDefinition[];
  readonly annotations: readonly Annotation[];
  readonly doc: Doc;
}

export interface FunctionDefinition extends Node {
  readonly name: Identifier;
  readonly oneway: boolean;
  /** Span of the `oneway` keyword, when written. */
  readonly onewaySpan?: Span;
  /** `void` is `{ kind: 'void' }`. */
  readonly returnType: TypeRef | VoidType;
  readonly params: readonly Field[];
  readonly throws: readonly Field[];
  /** Span of the `throws` keyword, when written. */
  readonly throwsSpan?: Span;
  readonly annotations: readonly Annotation[];
  readonly doc: Doc;
}

export interface VoidType extends Node {
  readonly kind: 'void';
}

export type BaseTypeName = 'bool' | 'byte' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid';

export type TypeRef = BaseTypeRef | NamedTypeRef | ListTypeRef | SetTypeRef | MapTypeRef;

export interface BaseTypeRef extends Node {
  readonly kind: 'base';
  readonly name: BaseTypeName;
  readonly annotations: readonly Annotation[];
}

export interface NamedTypeRef extends Node {
  readonly kind: 'named';
  /** As written: `User` or `shared.User`. */
  readonly name: string;
  readonly annotations: readonly Annotation[];
}

export interface ListTypeRef extends Node {
  readonly kind: 'list';
  readonly element: TypeRef;
  readonly annotations: readonly Annotation[];
}

export interface SetTypeRef extends Node {
  readonly kind: 'set';
  readonly element: TypeRef;
  readonly annotations: readonly Annotation[];
}

export interface MapTypeRef extends Node {
  readonly kind: 'map';
  readonly key: TypeRef;
  readonly value: TypeRef;
  readonly annotations: readonly Annotation[];
}

export type ConstValue = IntLiteral | DoubleLiteral | StringLiteral | IdentifierValue | ListLiteral | MapLiteral;

export interface IntLiteral extends Node {
  readonly kind: 'int';
  /** Exact value (decimal or `0x` hex, with sign). `true`/`false` are ints 1/0, as in Thrift. */
  readonly value: bigint;
}

export interface DoubleLiteral extends Node {
  readonly kind: 'double';
  readonly value: number;
  /** As written, for diagnostics. */
  readonly text: string;
}

export interface StringLiteral extends Node {
  readonly kind: 'string';
  /** With escapes processed. */
  readonly value: string;
}

/** A reference to a constant or enum member: `MAX`, `Color.RED`, `shared.Color.RED`. */
export interface IdentifierValue extends Node {
  readonly kind: 'identifier';
  readonly name: string;
}

export interface ListLiteral extends Node {
  readonly kind: 'list';
  readonly elements: readonly ConstValue[];
}

export interface MapLiteral extends Node {
  readonly kind: 'map';
  readonly entries: readonly MapEntry[];
}

export interface MapEntry extends Node {
  readonly key: ConstValue;
  readonly value: ConstValue;
}
