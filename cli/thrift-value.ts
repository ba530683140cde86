/**
 * The value model of the dynamic codec: Thrift values built at run time from the IDL's types,
 * with no generated code. What a value is depends on its IDL type, which code handling it
 * always has at hand:
 *
 * | IDL type                          | value                                        |
 * | --------------------------------- | -------------------------------------------- |
 * | bool                              | `boolean`                                    |
 * | byte, i8, i16, i32, double, enum  | `number`                                     |
 * | i64                               | `bigint`                                     |
 * | string, uuid                      | `string` (uuid in canonical lowercase)       |
 * | binary                            | `Uint8Array`                                 |
 * | list, set                         | array ({@link ThriftList})                   |
 * | map                               | {@link ThriftMap} (pairs, in order)          |
 * | struct, union, exception          | {@link ThriftStruct} (field id -> value)     |
 *
 * Also here: IDL constants (field defaults) as values, and a key that tells equal values apart.
 */
import { ErrorCode, RpcError } from '../runtime/index.js';
import { resolveTypedefs, type FieldDecl, type StructDecl, type Type, type Value } from '../compiler/index.js';

/** A Thrift value (see the module comment for which form goes with which type). */
export type ThriftValue = boolean | number | bigint | string | Uint8Array | ThriftList | ThriftMap | ThriftStruct;

/** A list or a set: elements in order (a set has no two equal elements). */
export type ThriftList = readonly ThriftValue[];

/** A map: key/value pairs in order, no two keys equal. */
export interface ThriftMap {
  readonly kind: 'map';
  readonly entries: ReadonlyArray<readonly [ThriftValue, ThriftValue]>;
}

/** A struct, union (exactly one field) or exception: the fields that are set, by field id. */
export interface ThriftStruct {
  readonly kind: 'struct';
  readonly fields: ReadonlyMap<number, ThriftValue>;
}

/** A {@link ThriftStruct} of `fields`. */
export function struct(fields: ReadonlyMap<number, ThriftValue>): ThriftStruct {
  return { kind: 'struct', fields };
}

/** A {@link ThriftMap} of `entries`. */
export function map(entries: ReadonlyArray<readonly [ThriftValue, ThriftValue]>): ThriftMap {
  return { kind: 'map', entries };
}

/**
 * An IDL constant (a field default or a named constant) as a value of `type`. A struct constant
 * gets the defaults of the fields it leaves out, as generated code's `create()` gives them.
 */
export function constantValue(value: Value, type: Type): ThriftValue {
  const t = resolveTypedefs(type);
  switch (value.kind) {
    case 'bool':
    case 'int':
    case 'i64':
    case 'double':
    case 'string':
    case 'uuid':
    case 'binary':
      return value.value;
    case 'enum':
      return value.member.value;
    case 'const':
      return constantValue(value.decl.value, type);
    case 'list':
    case 'set': {
      const element = t.kind === 'list' || t.kind === 'set' ? t.element : undefined;
      if (element === undefined) throw mismatch(value.kind, t.kind);
      return value.elements.map((e) => constantValue(e, element));
    }
    case 'map': {
      if (t.kind !== 'map') throw mismatch('map', t.kind);
      return map(value.entries.map(([k, v]) => [constantValue(k, t.key), constantValue(v, t.value)] as const));
    }
    case 'struct': {
      const fields = new Map<number, ThriftValue>(value.fields.map(([field, v]) => [field.id, constantValue(v, field.type)]));
      if (value.decl.kind !== 'union') fillDefaults(value.decl, fields);
      return struct(fields);
    }
  }
}

/** The checker converts every constant to its declared type, so this is a bug. */
function mismatch(valueKind: string, typeKind: string): RpcError {
  return new RpcError(ErrorCode.INTERNAL, `a ${valueKind} constant of type ${typeKind}`);
}

/** Sets every field of `decl` that has a default and is missing from `fields` to its default. */
export function fillDefaults(decl: StructDecl | { readonly fields: readonly FieldDecl[] }, fields: Map<number, ThriftValue>): void {
  for (const field of decl.fields) {
    if (field.defaultValue !== undefined && !fields.has(field.id)) fields.set(field.id, constantValue(field.defaultValue, field.type));
  }
}

/**
 * A string that is equal for two values of the same type exactly when the values are equal
 * (doubles by their bits: NaN equals NaN, -0 differs from 0): how sets and map keys find
 * duplicates.
 */
export function valueKey(value: ThriftValue): string {
  switch (typeof value) {
    case 'boolean':
    case 'bigint':
    case 'string':
      return JSON.stringify(String(value));
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
  }
  if (value instanceof Uint8Array) return `b${Buffer.from(value).toString('base64')}`;
  if (Array.isArray(value)) return `[${value.map(valueKey).join(',')}]`;
  const compound = value as ThriftMap | ThriftStruct;
  if (compound.kind === 'map') return `{${compound.entries.map(([k, v]) => `${valueKey(k)}:${valueKey(v)}`).join(',')}}`;
  return `(${[...compound.fields].sort(([a], [b]) => a - b).map(([id, v]) => `${id}=${valueKey(v)}`).join(',')})`;
}
