/**
 * Codec emission: straight-line `write`/`read` code for structs, unions, exceptions and the
 * `<method>_args`/`<method>_result` structs of service methods, over the runtime's
 * protocol-neutral `Writer`/`Reader`.
 *
 * Shape of the emitted code (the runtime documents the semantics in `runtime/codec.ts`):
 * - `write` writes fields in id order (what Apache Thrift's generators do): one field header and
 *   one value call per field, `undefined` fields skipped, `required` ones checked.
 * - `read` keeps one local per field, loops over field headers with an `if` chain on field id and
 *   wire type (anything else is skipped), then builds the value once, in a fixed property order.
 * - Each list, set or map type is written and read by a private helper function of the module
 *   (`writeListOfString`, `readMapOfStringToI64`), emitted once however often it is used, so
 *   codecs stay one line per field and nested containers need no inline loops.
 *
 * Generated bindings must not shadow module-scope names (declarations, namespace aliases, runtime
 * imports, helpers) nor the globals the code uses, whatever the IDL names its fields: every local
 * goes through {@link CodecScope.local}.
 */
import type { FunctionDeclarationStructure } from 'ts-morph';
import { parameterName } from '../names.js';
import { resolveTypedefs, type FieldDecl, type FunctionDecl, type StructDecl, type Type } from '../schema.js';
import { memberAccess, propertyKey, stringLiteral, type EmitContext } from './context.js';
import type { ImportRegistry } from './imports.js';
import { StructureKind } from './ts-morph.js';
import { typeExpression } from './type-refs.js';
import { valueExpression } from './values.js';

type ResolvedType = Exclude<Type, { kind: 'typedef' }>;
type ContainerType = Extract<ResolvedType, { kind: 'list' | 'set' | 'map' }>;

/** Globals that emitted codecs and default values refer to. */
const USED_GLOBALS = new Set(['Array', 'Map', 'Set', 'Uint8Array', 'NaN', 'Infinity', 'Object', 'String']);

/** Members every object inherits; see {@link structCodecMembers}. */
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Helper functions are named `readX`/`writeX`; locals never take such a name. */
const HELPER_NAME = /^(read|write)[A-Z]/;

const WIRE_TYPES = {
  bool: 'BOOL',
  byte: 'I8',
  i8: 'I8',
  i16: 'I16',
  i32: 'I32',
  i64: 'I64',
  double: 'DOUBLE',
  string: 'STRING',
  binary: 'STRING',
  uuid: 'UUID',
  enum: 'I32',
  struct: 'STRUCT',
  list: 'LIST',
  set: 'SET',
  map: 'MAP',
} as const;

const VALUE_METHODS = {
  bool: 'Bool',
  byte: 'I8',
  i8: 'I8',
  i16: 'I16',
  i32: 'I32',
  i64: 'I64',
  double: 'Double',
  string: 'String',
  binary: 'Binary',
  uuid: 'Uuid',
} as const;

/**
 * Per-module codec state: binding names that shadow nothing, and the container helper functions
 * requested so far (printed after the module's declarations).
 */
export class CodecScope {
  readonly #imports: ImportRegistry;
  readonly #locals = new Map<string, string>();
  /** Structural key of a container type -> its helper's base name (`ListOfString`). */
  readonly #helpers = new Map<string, string>();
  readonly #helperNames = new Set<string>();
  readonly #functions: FunctionDeclarationStructure[] = [];
  /** Module-scope names of codecs and types the emitter adds (method arguments and results). */
  readonly #moduleNames = new Set<string>();

  constructor(imports: ImportRegistry) {
    this.#imports = imports;
  }

  /**
   * A binding name derived from `base` (an IDL or fixed name) that is a valid identifier, not a
   * reserved word, and shadows no module-scope name nor a global the code uses; `taken` holds the
   * names already bound in the same function.
   */
  local(base: string, taken: ReadonlySet<string> = new Set()): string {
    let name = this.#locals.get(base);
    if (name === undefined) {
      name = parameterName(base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_'));
      while (this.#isModuleScope(name)) name += '_';
      this.#locals.set(base, name);
    }
    while (taken.has(name) || this.#isModuleScope(name)) name += '_';
    return name;
  }

  /** The helper functions requested so far. */
  functions(): readonly FunctionDeclarationStructure[] {
    return this.#functions;
  }

  /**
   * Reserves a module-scope name derived from `base` (a PascalCase identifier) for a declaration
   * the emitter adds: it clashes with no declaration, import, global or other reserved name.
   */
  moduleName(base: string): string {
    let name = base;
    while (this.#moduleNames.has(name) || this.#isModuleScope(name)) name += '_';
    this.#moduleNames.add(name);
    return name;
  }

  /** Base name of the helpers for a container type (`write${name}`, `read${name}`), emitting them on first use. */
  container(type: ContainerType, ctx: EmitContext): string {
    const key = structuralKey(type, ctx);
    const existing = this.#helpers.get(key);
    if (existing !== undefined) return existing;
    let name = helperBaseName(type, ctx);
    while (this.#helperNames.has(name) || this.#imports.isModuleScopeName(`read${name}`) || this.#imports.isModuleScopeName(`write${name}`)) {
      name += '_';
    }
    this.#helpers.set(key, name);
    this.#helperNames.add(name);
    // Nested helpers are requested (and pushed) while this one is built, so they come first.
    const functions = containerFunctions(type, name, ctx);
    this.#functions.push(...functions);
    return name;
  }

  #isModuleScope(name: string): boolean {
    return (
      this.#imports.isModuleScopeName(name) ||
      this.#moduleNames.has(name) ||
      USED_GLOBALS.has(name) ||
      HELPER_NAME.test(name)
    );
  }
}

/** The fixed binding names of codec functions, made safe for the module. */
export function codecNames(ctx: EmitContext) {
  const s = ctx.codecs;
  return {
    w: s.local('w'),
    r: s.local('r'),
    v: s.local('v'),
    t: s.local('t'),
    f: s.local('f'),
    count: s.local('count'),
    error: s.local('error'),
  };
}

// ---------------------------------------------------------------------------------------------
// Values

function wireType(type: Type, ctx: EmitContext): string {
  return `${ctx.imports.runtime('TType', 'value')}.${WIRE_TYPES[resolveTypedefs(type).kind]}`;
}

/** Statement writing `value` of `type` (no field header) to writer `w`. */
function writeValue(type: Type, value: string, w: string, ctx: EmitContext): string {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'enum':
      return `${w}.writeI32(${value});`;
    case 'struct':
      return `${ctx.imports.reference(t.decl.file, t.decl.tsName, 'value')}.write(${w}, ${value});`;
    case 'list':
    case 'set':
    case 'map':
      return `write${ctx.codecs.container(t, ctx)}(${w}, ${value});`;
    default:
      return `${w}.write${VALUE_METHODS[t.kind]}(${value});`;
  }
}

/** Expression reading a value of `type` from reader `r`. */
function readValue(type: Type, r: string, ctx: EmitContext): string {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'enum':
      return `${r}.readI32() as ${ctx.imports.reference(t.decl.file, t.decl.tsName, 'type')}`;
    case 'struct':
      return `${ctx.imports.reference(t.decl.file, t.decl.tsName, 'value')}.read(${r})`;
    case 'list':
    case 'set':
    case 'map':
      return `read${ctx.codecs.container(t, ctx)}(${r})`;
    default:
      return `${r}.read${VALUE_METHODS[t.kind]}()`;
  }
}

/** Field header and value; a bool field is one call (Compact packs the value into the header). */
function writeField(field: Pick<FieldDecl, 'id' | 'type'>, value: string, w: string, ctx: EmitContext): string[] {
  if (resolveTypedefs(field.type).kind === 'bool') return [`${w}.writeBoolField(${field.id}, ${value});`];
  return [`${w}.writeFieldBegin(${wireType(field.type, ctx)}, ${field.id});`, writeValue(field.type, value, w, ctx)];
}

/** `if (...) ...;` when the body is one statement, a block otherwise. */
function ifStatement(condition: string, body: readonly string[]): string {
  return body.length === 1 ? `if (${condition}) ${body[0]}` : `if (${condition}) {\n${body.join('\n')}\n}`;
}

function inIdOrder(fields: readonly FieldDecl[]): FieldDecl[] {
  return [...fields].sort((a, b) => a.id - b.id);
}

function rpcError(ctx: EmitContext, message: string): string {
  return `new ${ctx.imports.runtime('RpcError', 'value')}('INVALID_ARGUMENT', ${stringLiteral(message)})`;
}

function protocolError(ctx: EmitContext, reason: string, message: string, r: string): string {
  return `new ${ctx.imports.runtime('ProtocolError', 'value')}('${reason}', ${stringLiteral(message)}, ${r}.offset)`;
}

// ---------------------------------------------------------------------------------------------
// Structs, exceptions, arguments

/** How a field is treated by a struct-like codec. */
interface CodecField {
  readonly field: FieldDecl;
  /** Missing on write or read is an error. */
  readonly required: boolean;
  /** Filled in when missing on the wire (and not required). */
  readonly fallback: string | undefined;
  /** When an optional value counts as present on write, if not when it is not `undefined`. */
  readonly presence?: string;
}

function structFields(decl: StructDecl, ctx: EmitContext): CodecField[] {
  return decl.fields.map((field) => ({
    field,
    required: field.requiredness === 'required',
    fallback: field.defaultValue && valueExpression(field.defaultValue, field.type, ctx, true),
  }));
}

/** Parameters: the handler's signature promises every non-optional one (see `MethodDescriptor.args`). */
function paramFields(fn: FunctionDecl, ctx: EmitContext): CodecField[] {
  return fn.params.map((field) => ({
    field,
    required: field.requiredness !== 'optional' && field.defaultValue === undefined,
    // Not contextual: the arguments object's type is inferred from what `read` returns.
    fallback: field.defaultValue && valueExpression(field.defaultValue, field.type, ctx, false),
  }));
}

/** The statements of a struct-like `write(w, v)` body. */
function writeStructBody(fields: readonly CodecField[], what: (f: FieldDecl) => string, ctx: EmitContext): string {
  const { w, v } = codecNames(ctx);
  const lines = [`${w}.writeStructBegin();`];
  for (const { field, required, presence } of [...fields].sort((a, b) => a.field.id - b.field.id)) {
    const value = memberAccess(v, field.tsName);
    if (required) {
      lines.push(`if (${value} === undefined) throw ${ctx.imports.runtime('requiredField', 'value')}(${stringLiteral(what(field))});`);
      lines.push(...writeField(field, value, w, ctx));
    } else {
      // A field named like an `Object.prototype` member would otherwise find the inherited one.
      const inherited = OBJECT_MEMBERS.has(field.tsName) ? `Object.hasOwn(${v}, ${stringLiteral(field.tsName)}) && ` : '';
      lines.push(ifStatement(presence ?? `${inherited}${value} !== undefined`, writeField(field, value, w, ctx)));
    }
  }
  lines.push(`${w}.writeFieldStop();`, `${w}.writeStructEnd();`);
  return lines.join('\n');
}

/**
 * The statements of a struct-like `read(r)` body up to the value: field locals, the field loop and
 * the required-field checks. `build` gets the locals and returns the statements that return the
 * value.
 */
function readStructBody(
  fields: readonly CodecField[],
  what: (f: FieldDecl) => string,
  ctx: EmitContext,
  build: (locals: ReadonlyMap<FieldDecl, string>) => string[],
): string {
  const n = codecNames(ctx);
  const fixed = new Set([n.r, n.t, n.f, n.v]);
  const locals = new Map<FieldDecl, string>();
  for (const { field } of fields) {
    const local = ctx.codecs.local(field.tsName, fixed);
    fixed.add(local);
    locals.set(field, local);
  }
  const lines = fields.map(({ field }) => `let ${locals.get(field)}: ${typeExpression(field.type, ctx)} | undefined;`);
  const branches = inIdOrder(fields.map((f) => f.field)).map(
    (field) => `if (${n.f} === ${field.id} && ${n.t} === ${wireType(field.type, ctx)}) ${locals.get(field)} = ${readValue(field.type, n.r, ctx)};`,
  );
  lines.push(`${n.r}.readStructBegin();`, ...fieldLoop(branches, `${n.r}.skip(${n.t});`, ctx), `${n.r}.readStructEnd();`);
  for (const { field, required } of fields) {
    if (required) {
      lines.push(`if (${locals.get(field)} === undefined) throw ${ctx.imports.runtime('missingField', 'value')}(${n.r}, ${stringLiteral(what(field))});`);
    }
  }
  lines.push(...build(locals));
  return lines.join('\n');
}

/** `for` over field headers: the `if` chain on field id and type, `otherwise` for the rest. */
function fieldLoop(branches: readonly string[], otherwise: string, ctx: EmitContext): string[] {
  const { r, t, f } = codecNames(ctx);
  const stop = `${ctx.imports.runtime('TType', 'value')}.STOP`;
  const header = `for (let ${t} = ${r}.readFieldBegin(); ${t} !== ${stop}; ${t} = ${r}.readFieldBegin())`;
  if (branches.length === 0) return [`${header} ${otherwise}`];
  return [`${header} {`, `const ${f} = ${r}.fieldId;`, [...branches, otherwise].join('\nelse '), '}'];
}

/** The value of a field after reading: its local, or a fresh default when it was missing. */
function valueAfterRead(codecField: CodecField, local: string): string {
  return codecField.fallback !== undefined && !codecField.required ? `${local} ?? ${codecField.fallback}` : local;
}

/** `name: value`, shorthand when they are the same identifier. */
function property(name: string, value: string): string {
  return propertyKey(name) === value ? value : `${propertyKey(name)}: ${value}`;
}

/** `write(w, v) { ... }, read(r) { ... },` members of a struct companion. */
export function structCodecMembers(decl: StructDecl, ctx: EmitContext): string {
  const n = codecNames(ctx);
  const fields = structFields(decl, ctx);
  const what = (f: FieldDecl): string => `${decl.name}.${f.name}`;
  const read = readStructBody(fields, what, ctx, (locals) => {
    // Present properties first, in declaration order, then the optional ones that were read.
    const always = fields.filter((f) => f.required || f.fallback !== undefined);
    const optional = fields.filter((f) => !f.required && f.fallback === undefined);
    const literal = `{ ${always.map((f) => property(f.field.tsName, valueAfterRead(f, locals.get(f.field)!))).join(', ')} }`;
    if (optional.length === 0) return [`return ${literal};`];
    // TypeScript sees `Object.prototype`'s members on a literal, which clash with same-named fields.
    const clash = fields.some((f) => OBJECT_MEMBERS.has(f.field.tsName));
    return [
      clash ? `const ${n.v} = ${literal} as ${decl.tsName};` : `const ${n.v}: ${decl.tsName} = ${literal};`,
      ...optional.map(({ field }) => {
        const local = locals.get(field)!;
        return `if (${local} !== undefined) ${memberAccess(n.v, field.tsName)} = ${local};`;
      }),
      `return ${n.v};`,
    ];
  });
  // Without fields, the value is not looked at.
  const params = fields.length === 0 ? `${n.w}, _${n.v}` : `${n.w}, ${n.v}`;
  return `write(${params}) {\n${writeStructBody(fields, what, ctx)}\n},\nread(${n.r}) {\n${read}\n},\n`;
}

/** `static write(w, v)` and `static read(r)` of an exception class, as method texts. */
export function exceptionCodecMethods(decl: StructDecl, ctx: EmitContext): { write: string; read: string } {
  const n = codecNames(ctx);
  // `message` is the Error's own: `Error.prototype` supplies '' when the constructor got none.
  const fields = structFields(decl, ctx).map((f) =>
    f.field.tsName === 'message' && !f.required
      ? { ...f, presence: `Object.hasOwn(${n.v}, 'message')` }
      : f,
  );
  const what = (f: FieldDecl): string => `${decl.name}.${f.name}`;
  // The constructor applies defaults to the properties it is given as `undefined`.
  const read = readStructBody(fields, what, ctx, (locals) => {
    const init = fields.map(({ field }) => property(field.tsName, locals.get(field)!));
    return [`return new ${decl.tsName}(${fields.length === 0 ? '' : `{ ${init.join(', ')} }`});`];
  });
  return { write: writeStructBody(fields, what, ctx), read };
}

/** The `<method>_args` codec of a function with parameters, as an object literal (a `Codec<Args>`). */
export function argsCodec(fn: FunctionDecl, ctx: EmitContext): string {
  const n = codecNames(ctx);
  const fields = paramFields(fn, ctx);
  const what = (f: FieldDecl): string => `argument ${f.name} of ${fn.name}`;
  const read = readStructBody(fields, what, ctx, (locals) => [
    `return { ${fields.map((f) => property(f.field.tsName, valueAfterRead(f, locals.get(f.field)!))).join(', ')} };`,
  ]);
  return `{\nwrite(${n.w}, ${n.v}) {\n${writeStructBody(fields, what, ctx)}\n},\nread(${n.r}) {\n${read}\n},\n}`;
}

// ---------------------------------------------------------------------------------------------
// Results

/** The exception class of a `throws` field. */
export function exceptionClass(field: FieldDecl, ctx: EmitContext): string {
  const type = resolveTypedefs(field.type);
  if (type.kind !== 'struct') throw new Error('emitter bug: throws of a non-exception');
  return ctx.imports.reference(type.decl.file, type.decl.tsName, 'value');
}

/** `MethodResult<R, E1 | E2>` of a function. */
export function resultType(fn: FunctionDecl, ctx: EmitContext): string {
  const returns = fn.returnType ? typeExpression(fn.returnType, ctx) : 'void';
  const thrown = fn.throws.map((t) => exceptionClass(t, ctx));
  return `${ctx.imports.runtime('MethodResult', 'type')}<${returns}${thrown.length ? `, ${thrown.join(' | ')}` : ''}>`;
}

/**
 * The `<method>_result` codec of a function that returns a value or declares exceptions, as an
 * object literal (a `Codec<MethodResult<R, E>>`, see {@link resultType}).
 */
export function resultCodec(fn: FunctionDecl, ctx: EmitContext): string {
  const n = codecNames(ctx);
  const type = resultType(fn, ctx);
  const success = fn.returnType && { id: 0, name: 'success', type: fn.returnType };
  const error = memberAccess(n.v, 'error');

  const branches = fn.throws.map((t) => {
    const cls = exceptionClass(t, ctx);
    return `if (${error} instanceof ${cls}) {\n${writeField(t, error, n.w, ctx).join('\n')}\n}`;
  });
  if (success) {
    const value = memberAccess(n.v, 'value');
    const missing = `if (${value} === undefined) throw ${ctx.imports.runtime('requiredField', 'value')}(${stringLiteral(`the result of ${fn.name}`)});`;
    branches.unshift(`if (${n.v}.kind === 'success') {\n${[missing, ...writeField(success, value, n.w, ctx)].join('\n')}\n}`);
  }
  const chain = [...branches, `{\nthrow ${rpcError(ctx, `${fn.name} does not declare this exception`)};\n}`].join(' else ');
  const writeLines = [
    `${n.w}.writeStructBegin();`,
    // A void function's success is the empty struct.
    success ? chain : `if (${n.v}.kind === 'exception') {\n${chain}\n}`,
  ];
  writeLines.push(`${n.w}.writeFieldStop();`, `${n.w}.writeStructEnd();`);

  const readBranches = [
    ...(success ? [readBranch(success, `{ kind: 'success', value: ${readValue(success.type, n.r, ctx)} }`, ctx)] : []),
    ...fn.throws.map((t) => readBranch(t, `{ kind: 'exception', error: ${readValue(t.type, n.r, ctx)} }`, ctx)),
  ];
  const readLines = [
    `let ${n.v}: ${type} | undefined;`,
    `${n.r}.readStructBegin();`,
    ...fieldLoop(readBranches, `${n.r}.skip(${n.t});`, ctx),
    `${n.r}.readStructEnd();`,
    success
      ? `if (${n.v} === undefined) throw ${ctx.imports.runtime('missingField', 'value')}(${n.r}, ${stringLiteral(`the result of ${fn.name}`)});\nreturn ${n.v};`
      : `return ${n.v} ?? { kind: 'success', value: undefined };`,
  ];
  return `{\nwrite(${n.w}, ${n.v}) {\n${writeLines.join('\n')}\n},\nread(${n.r}) {\n${readLines.join('\n')}\n},\n}`;
}

/** `declares(error)`: whether an error is an instance of one of the declared exceptions. */
export function declaresFunction(fn: FunctionDecl, ctx: EmitContext): string {
  const { error } = codecNames(ctx);
  if (fn.throws.length === 0) return `(_${error}): _${error} is never => false`;
  const classes = fn.throws.map((t) => exceptionClass(t, ctx));
  return `(${error}): ${error} is ${classes.join(' | ')} => ${classes.map((c) => `${error} instanceof ${c}`).join(' || ')}`;
}

function readBranch(field: Pick<FieldDecl, 'id' | 'type'>, value: string, ctx: EmitContext): string {
  const n = codecNames(ctx);
  return `if (${n.f} === ${field.id} && ${n.t} === ${wireType(field.type, ctx)}) ${n.v} = ${value};`;
}

// ---------------------------------------------------------------------------------------------
// Unions

/** `write(w, v) { ... }, read(r) { ... },` members of a union companion. */
export function unionCodecMembers(decl: StructDecl, ctx: EmitContext): string {
  const n = codecNames(ctx);
  const noMember = `throw ${rpcError(ctx, `union ${decl.name} value has no known kind`)};`;
  const fieldCount = protocolError(ctx, 'INVALID_VALUE', `union ${decl.name} needs exactly one field`, n.r);
  const branches = inIdOrder(decl.fields).map((field) =>
    readBranch(field, `{ kind: ${stringLiteral(field.name)}, value: ${readValue(field.type, n.r, ctx)} }`, ctx),
  );
  const read = [
    `let ${n.v}: ${decl.tsName} | undefined;`,
    `let ${n.count} = 0;`,
    `${n.r}.readStructBegin();`,
    ...(branches.length === 0
      ? fieldLoop([], `${n.r}.skip(${n.t});`, ctx)
      : [...fieldLoop(branches, `{\n${n.r}.skip(${n.t});\ncontinue;\n}`, ctx).slice(0, -1), `${n.count}++;`, '}']),
    `${n.r}.readStructEnd();`,
    `if (${n.v} === undefined || ${n.count} !== 1) throw ${fieldCount};`,
    `return ${n.v};`,
  ].join('\n');
  if (decl.fields.length === 0) return `write() {\n${noMember}\n},\nread(${n.r}) {\n${read}\n},\n`;
  const cases = decl.fields.map(
    (field) => `case ${stringLiteral(field.name)}:\n${writeField(field, memberAccess(n.v, 'value'), n.w, ctx).join('\n')}\nbreak;`,
  );
  const write = [
    `${n.w}.writeStructBegin();`,
    `switch (${n.v}.kind) {\n${cases.join('\n')}\ndefault:\n${noMember}\n}`,
    `${n.w}.writeFieldStop();`,
    `${n.w}.writeStructEnd();`,
  ].join('\n');
  return `write(${n.w}, ${n.v}) {\n${write}\n},\nread(${n.r}) {\n${read}\n},\n`;
}

// ---------------------------------------------------------------------------------------------
// Container helpers

/** A key that identifies a container type up to typedefs (equal keys share helpers). */
function structuralKey(type: Type, ctx: EmitContext): string {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'list':
    case 'set':
      return `${t.kind}<${structuralKey(t.element, ctx)}>`;
    case 'map':
      return `map<${structuralKey(t.key, ctx)},${structuralKey(t.value, ctx)}>`;
    case 'enum':
    case 'struct':
      return `${t.kind}:${t.decl.file.path}:${t.decl.name}`;
    default:
      return t.kind;
  }
}

function helperBaseName(type: Type, ctx: EmitContext): string {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'list':
      return `ListOf${helperBaseName(t.element, ctx)}`;
    case 'set':
      return `SetOf${helperBaseName(t.element, ctx)}`;
    case 'map':
      return `MapOf${helperBaseName(t.key, ctx)}To${helperBaseName(t.value, ctx)}`;
    case 'enum':
    case 'struct':
      return ctx.imports
        .reference(t.decl.file, t.decl.tsName, 'type')
        .split('.')
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join('');
    default:
      return VALUE_METHODS[t.kind];
  }
}

/** The TypeScript type of `type` with every typedef resolved (helpers are shared across aliases). */
function resolvedTypeExpression(type: Type, ctx: EmitContext, readonly: boolean): string {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'list': {
      const element = resolvedTypeExpression(t.element, ctx, false);
      return readonly ? `readonly ${element}[]` : `${element}[]`;
    }
    case 'set':
      return `${readonly ? 'ReadonlySet' : 'Set'}<${resolvedTypeExpression(t.element, ctx, false)}>`;
    case 'map':
      return `${readonly ? 'ReadonlyMap' : 'Map'}<${resolvedTypeExpression(t.key, ctx, false)}, ${resolvedTypeExpression(t.value, ctx, false)}>`;
    default:
      return typeExpression(t, ctx);
  }
}

/** `writeX(w, value)` and `readX(r)` for one container type. */
function containerFunctions(type: ContainerType, name: string, ctx: EmitContext): FunctionDeclarationStructure[] {
  const s = ctx.codecs;
  const { w, r } = codecNames(ctx);
  const writer = ctx.imports.runtime('Writer', 'type');
  const reader = ctx.imports.runtime('Reader', 'type');
  const valueType = resolvedTypeExpression(type, ctx, true);
  const resultType = resolvedTypeExpression(type, ctx, false);
  const size = s.local('size');
  const i = s.local('i');
  let write: string[];
  let read: string[];
  if (type.kind === 'map') {
    const map = s.local('map');
    const [k, x] = [s.local('k'), s.local('v')];
    write = [
      `${w}.writeMapBegin(${wireType(type.key, ctx)}, ${wireType(type.value, ctx)}, ${map}.size);`,
      `for (const [${k}, ${x}] of ${map}) {\n${writeValue(type.key, k, w, ctx)}\n${writeValue(type.value, x, w, ctx)}\n}`,
    ];
    read = [
      `const ${size} = ${ctx.imports.runtime('readMapHeader', 'value')}(${r}, ${wireType(type.key, ctx)}, ${wireType(type.value, ctx)});`,
      `const ${map}: ${resultType} = new Map();`,
      `for (let ${i} = 0; ${i} < ${size}; ${i}++) ${map}.set(${readValue(type.key, r, ctx)}, ${readValue(type.value, r, ctx)});`,
      `${r}.readMapEnd();`,
      `return ${map};`,
    ];
    return [
      helperFunction(`write${name}`, [[w, writer], [map, valueType]], 'void', write, ctx),
      helperFunction(`read${name}`, [[r, reader]], resultType, read, ctx),
    ];
  }
  const container = s.local(type.kind);
  const e = s.local('e');
  const element = wireType(type.element, ctx);
  if (type.kind === 'list') {
    write = [`${w}.writeListBegin(${element}, ${container}.length);`];
    read = [
      `const ${size} = ${ctx.imports.runtime('readListHeader', 'value')}(${r}, ${element});`,
      // The reader checked the count against the bytes left, so preallocating is safe.
      `const ${container}: ${resultType} = new Array(${size});`,
      `for (let ${i} = 0; ${i} < ${size}; ${i}++) ${container}[${i}] = ${readValue(type.element, r, ctx)};`,
      `${r}.readListEnd();`,
    ];
  } else {
    write = [`${w}.writeSetBegin(${element}, ${container}.size);`];
    read = [
      `const ${size} = ${ctx.imports.runtime('readSetHeader', 'value')}(${r}, ${element});`,
      `const ${container}: ${resultType} = new Set();`,
      `for (let ${i} = 0; ${i} < ${size}; ${i}++) ${container}.add(${readValue(type.element, r, ctx)});`,
      `${r}.readSetEnd();`,
    ];
  }
  write.push(`for (const ${e} of ${container}) ${writeValue(type.element, e, w, ctx)}`);
  read.push(`return ${container};`);
  return [
    helperFunction(`write${name}`, [[w, writer], [container, valueType]], 'void', write, ctx),
    helperFunction(`read${name}`, [[r, reader]], resultType, read, ctx),
  ];
}

function helperFunction(
  name: string,
  parameters: readonly (readonly [name: string, type: string])[],
  returnType: string,
  body: readonly string[],
  ctx: EmitContext,
): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    name,
    parameters: parameters.map(([name, type]) => ({ name, type })),
    returnType,
    statements: [ctx.laidOut.hole(body.join('\n'), 2)],
  };
}
