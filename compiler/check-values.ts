/**
 * Constant conversion: a constant value as written (`300`, `"abc"`, `[1, 2]`, `{"id": 1}`,
 * `Color.RED`, `MAX`) becomes the {@link Value} of its declared type, or a diagnostic.
 *
 * References to other constants: when the referenced constant has the same type as the place it is
 * used (typedefs unwrapped), the value is `{ kind: 'const', decl }` and the emitter prints the
 * constant's name. Otherwise (an `i32` constant used where an `i64` or a `double` is expected, a
 * list constant used as a set) the referenced constant's value is converted again to the new type
 * and inlined, which is what Thrift does for every reference.
 */
import type { ConstValue, IdentifierValue, MapLiteral } from './ast.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { didYouMean, lookupValue, visibleValueNames, type FileScope } from './check-scope.js';
import { isErrorType, sameType, typeLabel } from './check-types.js';
import { resolveTypedefs, type ConstDecl, type EnumDecl, type FieldDecl, type StructDecl, type Type, type Value } from './schema.js';

/** Where a constant's value was written, and whether it converted cleanly. */
export interface ConstSource {
  readonly node: ConstValue;
  readonly scope: FileScope;
  readonly index: number;
  readonly ok: boolean;
}

export interface ValueContext {
  readonly scope: FileScope;
  /**
   * Position of the definition that holds the value. Constants and enums of the same file must be
   * defined before it: Thrift resolves them while parsing, and a forward reference would be read
   * before its initialization in the generated module.
   */
  readonly index: number;
  readonly report: (d: Diagnostic) => void;
  /** Every constant converted so far (constants can only refer to earlier ones). */
  readonly constants: ReadonlyMap<ConstDecl, ConstSource>;
}

const INT_RANGES = {
  byte: [-(2n ** 7n), 2n ** 7n - 1n],
  i8: [-(2n ** 7n), 2n ** 7n - 1n],
  i16: [-(2n ** 15n), 2n ** 15n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

/** Canonical 8-4-4-4-12 form, optionally in braces as Thrift's uuid literals allow. */
const UUID_PATTERN = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/**
 * Converts `node` to a value of `type`, reporting every mismatch inside it. Returns `undefined`
 * when anything in it did not convert (or `type` itself is unresolved, already reported).
 */
export function convertValue(node: ConstValue, type: Type, ctx: ValueContext): Value | undefined {
  if (isErrorType(type)) return undefined;
  if (node.kind === 'identifier') return convertReference(node, type, ctx);
  const target = resolveTypedefs(type);
  const mismatch = (detail = ''): undefined => {
    ctx.report(diagnostic('RPC2008', `${describe(node)} does not fit type '${typeLabel(type)}'${detail}`, node.span));
    return undefined;
  };
  switch (target.kind) {
    case 'bool':
      if (node.kind === 'int' && (node.value === 0n || node.value === 1n)) return { kind: 'bool', value: node.value === 1n };
      return mismatch(node.kind === 'int' ? ' (a bool is true, false, 1 or 0)' : '');
    case 'byte':
    case 'i8':
    case 'i16':
    case 'i32':
    case 'i64': {
      if (node.kind !== 'int') return mismatch();
      const [min, max] = INT_RANGES[target.kind];
      if (node.value < min || node.value > max) return mismatch(` (${min}..${max})`);
      return target.kind === 'i64' ? { kind: 'i64', value: node.value } : { kind: 'int', value: Number(node.value) };
    }
    case 'double':
      if (node.kind === 'double') return { kind: 'double', value: node.value };
      if (node.kind === 'int') return { kind: 'double', value: Number(node.value) };
      return mismatch();
    case 'string':
      return node.kind === 'string' ? { kind: 'string', value: node.value } : mismatch();
    case 'binary':
      return node.kind === 'string' ? { kind: 'binary', value: new TextEncoder().encode(node.value) } : mismatch();
    case 'uuid': {
      const canonical = node.kind === 'string' ? UUID_PATTERN.exec(node.value)?.[1] : undefined;
      if (canonical !== undefined) return { kind: 'uuid', value: canonical.toLowerCase() };
      return mismatch(node.kind === 'string' ? ' (expected a uuid like 01234567-89ab-cdef-0123-456789abcdef)' : '');
    }
    case 'enum': {
      if (node.kind !== 'int') return mismatch();
      const member = target.decl.members.find((m) => Number.isSafeInteger(m.value) && BigInt(m.value) === node.value);
      if (member) return { kind: 'enum', decl: target.decl, member };
      ctx.report(diagnostic('RPC2008', `${node.value} is not a value of enum '${target.decl.name}'`, node.span));
      return undefined;
    }
    case 'list':
    case 'set': {
      // Thrift reads an empty `{}` as an empty container of any kind.
      if (node.kind === 'map' && node.entries.length === 0) return { kind: target.kind, elements: [] };
      if (node.kind !== 'list') return mismatch();
      const elements = node.elements.map((element) => convertValue(element, target.element, ctx));
      return allDefined(elements) ? { kind: target.kind, elements } : undefined;
    }
    case 'map': {
      if (node.kind === 'list' && node.elements.length === 0) return { kind: 'map', entries: [] };
      if (node.kind !== 'map') return mismatch();
      let ok = true;
      const entries: (readonly [Value, Value])[] = [];
      for (const entry of node.entries) {
        const key = convertValue(entry.key, target.key, ctx);
        const value = convertValue(entry.value, target.value, ctx);
        if (key && value) entries.push([key, value]);
        else ok = false;
      }
      return ok ? { kind: 'map', entries } : undefined;
    }
    case 'struct':
      return node.kind === 'map' ? convertStruct(node, target.decl, ctx) : mismatch();
  }
}

/** `{"field": value, ...}` for a struct, union or exception: keys are field names in quotes. */
function convertStruct(node: MapLiteral, decl: StructDecl, ctx: ValueContext): Value | undefined {
  let ok = true;
  const fields: (readonly [FieldDecl, Value])[] = [];
  const given = new Set<FieldDecl>();
  for (const entry of node.entries) {
    if (entry.key.kind !== 'string') {
      ctx.report(diagnostic('RPC2008', `${describe(entry.key)} is not a field name: the keys of a ${decl.kind} constant are field names in quotes`, entry.key.span));
      ok = false;
      continue;
    }
    const fieldName = entry.key.value;
    const field = decl.fields.find((f) => f.name === fieldName);
    if (!field) {
      const hint = didYouMean(fieldName, decl.fields.map((f) => f.name));
      ctx.report(diagnostic('RPC2008', `${decl.kind} '${decl.name}' has no field '${fieldName}'${hint}`, entry.key.span));
      ok = false;
      continue;
    }
    if (given.has(field)) {
      ctx.report(diagnostic('RPC2008', `field '${fieldName}' is given more than once`, entry.key.span));
      ok = false;
      continue;
    }
    given.add(field);
    const value = convertValue(entry.value, field.type, ctx);
    if (value) fields.push([field, value]);
    else ok = false;
  }
  if (decl.kind === 'union' && given.size > 1) {
    ctx.report(diagnostic('RPC2008', `a constant of union '${decl.name}' sets ${given.size} fields; a union holds one`, node.span));
    ok = false;
  }
  return ok ? { kind: 'struct', decl, fields } : undefined;
}

/** `MAX`, `Color.RED`, `shared.MAX`, `shared.Color.RED`. */
function convertReference(node: IdentifierValue, type: Type, ctx: ValueContext): Value | undefined {
  const found = lookupValue(ctx.scope, node.name);
  const fail = (code: 'RPC2008' | 'RPC2017', message: string): undefined => {
    ctx.report(diagnostic(code, message, node.span));
    return undefined;
  };
  if (found.kind === 'unknown') return fail('RPC2017', `unknown constant '${node.name}'${referenceHint(node.name, type, ctx)}`);
  if (found.kind === 'not-a-value') {
    return fail('RPC2017', `'${node.name}' is a ${found.entry.decl.kind}, not a constant or an enum member`);
  }
  if (found.entry.scope === ctx.scope && found.entry.index >= ctx.index) {
    return fail('RPC2017', `'${node.name}' is used before its definition; define it earlier in the file`);
  }
  const target = resolveTypedefs(type);
  if (found.kind === 'member') {
    if (target.kind === 'enum') {
      if (target.decl === found.decl) return { kind: 'enum', decl: found.decl, member: found.member };
      return fail('RPC2008', `'${node.name}' is not a member of enum '${target.decl.name}'`);
    }
    if (['bool', 'byte', 'i8', 'i16', 'i32', 'i64', 'double'].includes(target.kind) && Number.isSafeInteger(found.member.value)) {
      return convertValue({ kind: 'int', value: BigInt(found.member.value), span: node.span }, type, ctx);
    }
    return fail('RPC2008', `enum member '${node.name}' does not fit type '${typeLabel(type)}'`);
  }
  const source = ctx.constants.get(found.decl);
  if (!source?.ok) return undefined;
  if (sameType(found.decl.type, type)) return { kind: 'const', decl: found.decl };
  const problems: Diagnostic[] = [];
  const inlined = convertValue(source.node, type, { ...ctx, scope: source.scope, index: source.index, report: (d) => problems.push(d) });
  if (inlined && problems.length === 0) return inlined;
  return fail('RPC2008', `constant '${node.name}' of type '${typeLabel(found.decl.type)}' does not fit type '${typeLabel(type)}'`);
}

/** Suggests `Color.RED` for a bare `RED` where an enum is expected, or a close name. */
function referenceHint(name: string, type: Type, ctx: ValueContext): string {
  const target = resolveTypedefs(type);
  if (target.kind === 'enum' && target.decl.members.some((m) => m.name === name)) {
    return `; enum members are qualified: did you mean '${enumNameIn(target.decl, ctx.scope)}.${name}'?`;
  }
  return didYouMean(name, visibleValueNames(ctx.scope));
}

/** How `scope` spells an enum's name: bare in its own file, prefixed by the include otherwise. */
function enumNameIn(decl: EnumDecl, scope: FileScope): string {
  if (decl.file === scope.schemaFile) return decl.name;
  for (const [prefix, included] of scope.includes) if (included.schemaFile === decl.file) return `${prefix}.${decl.name}`;
  return decl.name;
}

function describe(node: ConstValue): string {
  switch (node.kind) {
    case 'int':
      return String(node.value);
    case 'double':
      return node.text;
    case 'string':
      return JSON.stringify(node.value.length > 40 ? `${node.value.slice(0, 37)}...` : node.value);
    case 'identifier':
      return node.name;
    case 'list':
      return 'a list';
    case 'map':
      return 'a map';
  }
}

function allDefined<T>(values: readonly (T | undefined)[]): values is T[] {
  return values.every((v) => v !== undefined);
}
