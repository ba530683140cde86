/**
 * How IDL names become TypeScript names. One place, so the checker can report collisions
 * (RPC2016) before the emitter runs, and the emitter never has to invent names.
 *
 * Reserved words are mangled, never rejected: a trailing `_` is appended until the name is free
 * (`class` -> `class_`). The generated names per declaration are:
 *
 * | IDL                     | TypeScript exports                                       |
 * |-------------------------|----------------------------------------------------------|
 * | `const T`               | `T`                                                      |
 * | `typedef X T`           | `type T`                                                 |
 * | `enum T`                | `const T` (members) and `type T` (union of values)       |
 * | `struct T`, `union T`   | `interface`/`type T` and a companion `const T` (create, codecs) |
 * | `exception T`           | `class T extends Error` (static codecs)                  |
 * | `service S`             | `const S` (descriptor), `SClient` (class), `SHandler` (interface) |
 */

/** Words that cannot name a declaration, a parameter or a binding in strict-mode TypeScript. */
const RESERVED_WORDS = new Set([
  // ECMAScript reserved words and strict-mode future reserved words.
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
  'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in',
  'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try',
  'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements', 'interface',
  'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval',
  // TypeScript's reserved type names and contextual keywords that break declarations.
  'any', 'unknown', 'never', 'number', 'string', 'boolean', 'bigint', 'symbol', 'object',
  'undefined', 'type', 'namespace', 'module', 'declare', 'abstract', 'as', 'satisfies', 'keyof',
  'readonly', 'infer', 'is', 'asserts', 'unique', 'global', 'require', 'exports',
]);

/**
 * Globals the generated code refers to; a user declaration with one of these names would shadow
 * them inside the generated module, so it is mangled instead.
 */
const SHADOWED_GLOBALS = new Set([
  'Array', 'ArrayBuffer', 'BigInt', 'Boolean', 'DataView', 'Date', 'Error', 'Function', 'Infinity',
  'JSON', 'Map', 'Math', 'NaN', 'Number', 'Object', 'Promise', 'ReadonlyArray', 'ReadonlyMap',
  'ReadonlySet', 'Record', 'Partial', 'Pick', 'Omit', 'Required', 'Readonly', 'Set', 'String',
  'Symbol', 'TextDecoder', 'TextEncoder', 'TypeError', 'RangeError', 'Uint8Array', 'globalThis',
  'AbortSignal', 'AsyncIterable', 'Iterable', 'PromiseLike',
]);

/**
 * Names the generated code imports from the runtime. The emitter imports them by name, so a user
 * declaration with the same name is mangled. Keep in sync with the emitter (a test checks it).
 */
export const RUNTIME_IMPORT_NAMES: ReadonlySet<string> = new Set([
  'CallContext', 'CallOptions', 'Channel', 'MethodDescriptor', 'ServiceDescriptor', 'StructCodec',
  'UnionCodec', 'ExceptionCodec', 'ProtocolError', 'RpcError', 'ClientBase', 'CompactWriter',
  'CompactReader', 'BinaryWriter', 'BinaryReader', 'TType', 'WireType', 'Writer', 'Reader',
  'Codec', 'MethodResult', 'NoArgs', 'VoidResult', 'readListHeader', 'readSetHeader', 'readMapHeader',
  'missingField', 'requiredField',
]);

/**
 * Members every object inherits from `Object.prototype`. A struct property with one of these names
 * would read as present on objects that lack it (`v.constructor !== undefined` is always true), and
 * `__proto__` would change an object's prototype; such fields are mangled.
 */
const UNSAFE_PROPERTY_NAMES = new Set([
  'constructor', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__',
  '__lookupSetter__', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toString',
  'toLocaleString', 'valueOf',
]);

/** Members of `Error` an exception's fields must not replace (see {@link exceptionFieldName}). */
const ERROR_MEMBERS = new Set(['name', 'stack', 'cause', 'constructor', 'toString']);

/** Parameter names the generated client and handler signatures use themselves. */
export const CALL_OPTIONS_PARAM = 'options';
export const CALL_CONTEXT_PARAM = 'ctx';

function mangle(name: string, taken: (candidate: string) => boolean): string {
  let candidate = name;
  while (taken(candidate)) candidate += '_';
  return candidate;
}

/** TypeScript name for a top-level declaration (const, typedef, enum, struct, union, exception, service). */
export function declarationName(idlName: string): string {
  return mangle(idlName, (n) => RESERVED_WORDS.has(n) || SHADOWED_GLOBALS.has(n) || RUNTIME_IMPORT_NAMES.has(n));
}

/** Property name for a struct or union field, or an enum member. */
export function propertyName(idlName: string): string {
  return mangle(idlName, (n) => UNSAFE_PROPERTY_NAMES.has(n));
}

/**
 * Property name for an exception's field. Exceptions are classes extending `Error`, so fields
 * named after `Error`'s own members are mangled. A `string` field named `message` keeps its name
 * and becomes the error's message (the common Thrift idiom `1: string message`).
 */
export function exceptionFieldName(idlName: string, isString: boolean): string {
  return mangle(idlName, (n) => UNSAFE_PROPERTY_NAMES.has(n) || ERROR_MEMBERS.has(n) || (n === 'message' && !isString));
}

/** Parameter name for a function argument: a binding, and never the trailing options/context parameter. */
export function parameterName(idlName: string): string {
  return mangle(
    idlName,
    (n) => RESERVED_WORDS.has(n) || n === CALL_OPTIONS_PARAM || n === CALL_CONTEXT_PARAM || UNSAFE_PROPERTY_NAMES.has(n),
  );
}

/** The generated client's own member holding its channel; a method must not replace it. */
export const CLIENT_CHANNEL_MEMBER = 'channel';

/** Method name on the generated client class and handler interface. */
export function methodName(idlName: string): string {
  return mangle(idlName, (n) => n === CLIENT_CHANNEL_MEMBER || UNSAFE_PROPERTY_NAMES.has(n));
}

/** Every exported name a service declaration produces, given its TypeScript name. */
export function serviceExportNames(tsName: string): { descriptor: string; client: string; handler: string } {
  return { descriptor: tsName, client: `${tsName}Client`, handler: `${tsName}Handler` };
}
