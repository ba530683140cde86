/**
 * JSON <-> Thrift values, driven by the IDL's types: what `rpcgen call` reads as arguments and
 * prints as results. Reading checks every value against its type and reports the first mismatch
 * as an `RpcError` `INVALID_ARGUMENT` whose message starts with the path of the bad value
 * (`args.user.tags[2]: expected string, got number`).
 *
 * | IDL type              | JSON read                                        | JSON printed                     |
 * | --------------------- | ------------------------------------------------ | -------------------------------- |
 * | bool                  | `true`, `false`                                  | same                             |
 * | byte, i8, i16, i32    | a whole number in range                          | number                           |
 * | i64                   | a whole number, or a string of digits            | number when within ±(2^53-1), else string |
 * | double                | a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`| number (`-0` kept), those strings |
 * | string                | string                                           | string                           |
 * | binary                | base64 string (standard or URL-safe, padding optional) | standard base64            |
 * | uuid                  | `8-4-4-4-12` hex string, either case             | lowercase                        |
 * | enum                  | member name, or any i32 number                   | member name (number if unknown)  |
 * | list, set             | array (a set refuses duplicates)                 | array                            |
 * | map with string keys  | object (or `[key, value]` pairs)                 | object                           |
 * | other maps            | `[[key, value], ...]`, or an object whose keys parse as the key type (enum names, integers, bools, uuids, base64) | `[[key, value], ...]` |
 * | struct, exception     | object by field name; `null` means unset         | object of the fields that are set |
 * | union                 | object with exactly one field: `{"circle": {...}}`| same                            |
 *
 * Fields left out get their IDL default; a missing `required` field is an error. Among a
 * function's parameters, those neither `optional` nor defaulted are required too (the server's
 * handler is promised them).
 */
import { ErrorCode, RpcError } from '../runtime/index.js';
import { resolveTypedefs, type EnumDecl, type FieldDecl, type FunctionDecl, type Type } from '../compiler/index.js';
import type { StructShape } from './dynamic-codec.js';
import { JsonNumber, jsonKind, type JsonValue } from './json-parse.js';
import type { JsonOutput } from './json-print.js';
import { didYouMean } from './suggest.js';
import { fillDefaults, map, struct, valueKey, type ThriftList, type ThriftMap, type ThriftStruct, type ThriftValue } from './thrift-value.js';
import { typeName } from './type-name.js';

/** Bits of each integer type. */
const INTEGER_BITS = { byte: 8, i8: 8, i16: 16, i32: 32, i64: 64 } as const;
const DIGITS = /^-?[0-9]+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Key types an object member name can stand for (see {@link keyFromText}). */
const TEXT_KEY_KINDS: ReadonlySet<string> = new Set(['string', 'binary', 'uuid', 'enum', 'byte', 'i8', 'i16', 'i32', 'i64', 'bool']);
/** How many names an "unknown field" message lists before it stops. */
const MAX_LISTED_NAMES = 12;

/** How {@link structFromJson} names and treats the members of a shape. */
export interface StructReading {
  /** What a member is called in messages: `field` or `parameter`. Default `field`. */
  readonly noun?: string;
  /** Treat members without a default that are neither `required` nor `optional` as required (parameters). Default false. */
  readonly defaultIsRequired?: boolean;
}

/**
 * The arguments of `func` (a member of `serviceName`) from a JSON object keyed by parameter name.
 * Paths in errors start at `args`.
 */
export function argsFromJson(serviceName: string, func: FunctionDecl, json: JsonValue): ThriftStruct {
  const shape: StructShape = { name: `${serviceName}.${func.name}`, kind: 'struct', fields: func.params };
  return structFromJson(shape, json, 'args', { noun: 'parameter', defaultIsRequired: true });
}

/** A value of `type` from `json`; `path` names it in errors. */
export function valueFromJson(type: Type, json: JsonValue, path: string): ThriftValue {
  const t = resolveTypedefs(type);
  const mismatch = (hint = ''): RpcError => invalid(path, `expected ${expectedName(type)}, got ${jsonKind(json)}${hint}`);
  switch (t.kind) {
    case 'bool':
      if (typeof json !== 'boolean') throw mismatch();
      return json;
    case 'byte':
    case 'i8':
    case 'i16':
    case 'i32': {
      const n = integerFromJson(json, t.kind, path, mismatch);
      return Number(n);
    }
    case 'i64':
      return integerFromJson(json, 'i64', path, mismatch);
    case 'double':
      return doubleFromJson(json, path, mismatch);
    case 'string':
      if (typeof json !== 'string') throw mismatch();
      return json;
    case 'binary':
      if (typeof json !== 'string') throw mismatch(' (write binary as a base64 string)');
      if (!BASE64.test(json) && !(BASE64URL.test(json) && json.length % 4 !== 1)) throw invalid(path, 'expected binary as base64, got a string that is not base64');
      return new Uint8Array(Buffer.from(json, 'base64'));
    case 'uuid':
      if (typeof json !== 'string') throw mismatch();
      if (!UUID.test(json)) throw invalid(path, `${JSON.stringify(json)} is not a uuid (8-4-4-4-12 hex digits)`);
      return json.toLowerCase();
    case 'enum':
      return enumFromJson(t.decl, json, path, mismatch);
    case 'list':
    case 'set': {
      if (!Array.isArray(json)) throw mismatch();
      const items = (json as readonly JsonValue[]).map((item, i) => valueFromJson(t.element, item, `${path}[${i}]`));
      if (t.kind === 'set') {
        const seen = new Set<string>();
        items.forEach((item, i) => {
          const key = valueKey(item);
          if (seen.has(key)) throw invalid(`${path}[${i}]`, `duplicate element in ${typeName(type)}`);
          seen.add(key);
        });
      }
      return items;
    }
    case 'map':
      return mapFromJson(t.key, t.value, type, json, path, mismatch);
    case 'struct':
      return structFromJson(t.decl, json, path);
  }
}

/** A struct-like value from a JSON object keyed by member name (see the module comment). */
export function structFromJson(shape: StructShape, json: JsonValue, path: string, reading: StructReading = {}): ThriftStruct {
  const noun = reading.noun ?? 'field';
  if (!(json instanceof Map)) {
    const what = shape.kind === 'union' ? `union ${shape.name} (an object with one field)` : `${shape.name} (an object)`;
    throw invalid(path, `expected ${what}, got ${jsonKind(json)}`);
  }
  const byName = new Map(shape.fields.map((f) => [f.name, f]));
  const fields = new Map<number, ThriftValue>();
  for (const [name, member] of json) {
    const field = byName.get(name);
    if (field === undefined) {
      const names = shape.fields.map((f) => f.name);
      const listed = names.length === 0 ? `it has no ${noun}s` : `its ${noun}s: ${names.slice(0, MAX_LISTED_NAMES).join(', ')}${names.length > MAX_LISTED_NAMES ? ', ...' : ''}`;
      throw invalid(path, `${shape.name} has no ${noun} '${name}'${didYouMean(name, names)}; ${listed}`);
    }
    if (member === null) continue;
    fields.set(field.id, valueFromJson(field.type, member, memberPath(path, name)));
  }
  if (shape.kind === 'union') {
    if (fields.size !== 1) {
      const names = shape.fields.map((f) => f.name).join(', ');
      throw invalid(path, `union ${shape.name} needs exactly one of its fields (${names}) set, got ${fields.size}`);
    }
    return struct(fields);
  }
  fillDefaults(shape, fields);
  for (const field of shape.fields) {
    if (fields.has(field.id) || !isRequired(field, reading.defaultIsRequired ?? false)) continue;
    throw invalid(path, `missing required ${noun} '${field.name}' (${typeName(field.type)}) of ${shape.name}`);
  }
  return struct(fields);
}

function isRequired(field: FieldDecl, defaultIsRequired: boolean): boolean {
  return field.requiredness === 'required' || (defaultIsRequired && field.requiredness === 'default' && field.defaultValue === undefined);
}

/** `value` (of `type`) as JSON (see the module comment). */
export function valueToJson(type: Type, value: ThriftValue): JsonOutput {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'bool':
    case 'byte':
    case 'i8':
    case 'i16':
    case 'i32':
    case 'string':
    case 'uuid':
      return value as boolean | number | string;
    case 'i64': {
      const n = value as bigint;
      return n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : String(n);
    }
    case 'double': {
      const n = value as number;
      return Number.isFinite(n) ? n : String(n);
    }
    case 'binary':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'enum': {
      const member = t.decl.members.find((m) => m.value === value);
      return member === undefined ? (value as number) : member.name;
    }
    case 'list':
    case 'set':
      return (value as ThriftList).map((item) => valueToJson(t.element, item));
    case 'map': {
      const { entries } = value as ThriftMap;
      if (resolveTypedefs(t.key).kind === 'string') return new Map(entries.map(([k, v]) => [k as string, valueToJson(t.value, v)]));
      return entries.map(([k, v]) => [valueToJson(t.key, k), valueToJson(t.value, v)]);
    }
    case 'struct':
      return structToJson(t.decl, value as ThriftStruct);
  }
}

/** A struct-like value as a JSON object of the fields that are set, in declaration order. */
export function structToJson(shape: StructShape, value: ThriftStruct): JsonOutput {
  const out = new Map<string, JsonOutput>();
  for (const field of shape.fields) {
    const v = value.fields.get(field.id);
    if (v !== undefined) out.set(field.name, valueToJson(field.type, v));
  }
  return out;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function invalid(path: string, problem: string): RpcError {
  return new RpcError(ErrorCode.INVALID_ARGUMENT, `${path}: ${problem}`);
}

/** `.name`, or `["odd name"]` for a name that is not an identifier. */
function memberPath(path: string, name: string): string {
  return IDENTIFIER.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

/** The type as written, with what a typedef stands for: `UserId (i64)`. */
function expectedName(type: Type): string {
  return type.kind === 'typedef' ? `${typeName(type)} (${typeName(resolveTypedefs(type))})` : typeName(type);
}

function integerFromJson(json: JsonValue, kind: keyof typeof INTEGER_BITS, path: string, mismatch: (hint?: string) => RpcError): bigint {
  let n: bigint;
  if (json instanceof JsonNumber) {
    if (DIGITS.test(json.text)) n = BigInt(json.text);
    else {
      const approx = json.value;
      if (!Number.isInteger(approx)) throw invalid(path, `expected ${kind}, got ${json.text} (not a whole number)`);
      if (!Number.isSafeInteger(approx)) throw invalid(path, `${json.text} is not exact: write integers beyond 2^53 as plain digits`);
      n = BigInt(approx);
    }
  } else if (kind === 'i64' && typeof json === 'string') {
    if (!DIGITS.test(json)) throw invalid(path, `expected i64 (a number or a string of digits), got ${JSON.stringify(json)}`);
    n = BigInt(json);
  } else {
    throw mismatch();
  }
  const bits = INTEGER_BITS[kind];
  const max = (1n << BigInt(bits - 1)) - 1n;
  if (n > max || n < -max - 1n) throw invalid(path, `${n} is out of range for ${kind} (${-max - 1n} to ${max})`);
  return n;
}

function doubleFromJson(json: JsonValue, path: string, mismatch: (hint?: string) => RpcError): number {
  if (json instanceof JsonNumber) {
    const n = json.value;
    if (!Number.isFinite(n)) throw invalid(path, `${json.text} is out of range for double (write "Infinity" or "-Infinity" for infinities)`);
    return n;
  }
  if (json === 'NaN') return NaN;
  if (json === 'Infinity') return Infinity;
  if (json === '-Infinity') return -Infinity;
  throw mismatch(typeof json === 'string' ? ' (the only strings a double takes are "NaN", "Infinity" and "-Infinity")' : '');
}

function enumFromJson(decl: EnumDecl, json: JsonValue, path: string, mismatch: () => RpcError): number {
  if (typeof json === 'string') {
    const member = decl.members.find((m) => m.name === json);
    if (member !== undefined) return member.value;
    const names = decl.members.map((m) => m.name);
    throw invalid(path, `'${json}' is not a member of ${decl.name}${didYouMean(json, names)}; its members: ${names.join(', ')}`);
  }
  // Any i32 goes: the server's IDL may be newer and know more members.
  if (json instanceof JsonNumber) return Number(integerFromJson(json, 'i32', path, mismatch));
  throw mismatch();
}

function mapFromJson(
  keyType: Type,
  valueType: Type,
  type: Type,
  json: JsonValue,
  path: string,
  mismatch: (hint?: string) => RpcError,
): ThriftMap {
  const entries: Array<readonly [ThriftValue, ThriftValue]> = [];
  const seen = new Set<string>();
  const add = (key: ThriftValue, value: ThriftValue, keyPath: string): void => {
    const k = valueKey(key);
    if (seen.has(k)) throw invalid(keyPath, `duplicate key in ${typeName(type)}`);
    seen.add(k);
    entries.push([key, value]);
  };
  if (json instanceof Map) {
    if (!TEXT_KEY_KINDS.has(resolveTypedefs(keyType).kind)) {
      throw mismatch(' (its keys cannot be object member names: write an array of [key, value] pairs)');
    }
    for (const [text, member] of json) {
      const at = `${path}[${JSON.stringify(text)}]`;
      add(keyFromText(keyType, text, at), valueFromJson(valueType, member, at), at);
    }
    return map(entries);
  }
  if (!Array.isArray(json)) throw mismatch();
  (json as readonly JsonValue[]).forEach((pair, i) => {
    const at = `${path}[${i}]`;
    if (!Array.isArray(pair) || pair.length !== 2) throw invalid(at, `expected a [key, value] pair, got ${Array.isArray(pair) ? `an array of ${pair.length}` : jsonKind(pair)}`);
    const [k, v] = pair as readonly JsonValue[];
    add(valueFromJson(keyType, k!, `${at}[0]`), valueFromJson(valueType, v!, `${at}[1]`), `${at}[0]`);
  });
  return map(entries);
}


/** A map key of `type` from an object member name: the text itself, or the number, enum member or bool it spells. */
function keyFromText(type: Type, text: string, path: string): ThriftValue {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'bool':
      if (text === 'true' || text === 'false') return text === 'true';
      throw invalid(path, `map key ${JSON.stringify(text)} is not a bool ("true" or "false")`);
    case 'enum':
    case 'byte':
    case 'i8':
    case 'i16':
    case 'i32':
    case 'i64':
      if (DIGITS.test(text)) return valueFromJson(type, new JsonNumber(text), path);
      if (t.kind === 'enum') return valueFromJson(type, text, path);
      throw invalid(path, `map key ${JSON.stringify(text)} is not ${expectedName(type)}`);
    default:
      return valueFromJson(type, text, path);
  }
}
