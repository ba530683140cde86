/**
 * Constant values (already converted to their declared types by the checker) as TypeScript
 * expressions: constants, struct field defaults and values nested in either.
 */
import { resolveTypedefs, type FieldDecl, type StructDecl, type Type, type Value } from '../schema.js';
import { memberAccess, propertyKey, stringLiteral, type EmitContext } from './context.js';
import { typeExpression } from './type-refs.js';

/**
 * The expression for `value` of type `type`. `contextual` says whether TypeScript will see the
 * expected type where the expression stands (an annotated declaration, a property of such a
 * value, a typed return): without it, sets and maps spell out their type arguments so an empty
 * `new Set()` is not a `Set<unknown>`.
 *
 * Containers and structs are always written out (a reference to another constant is expanded),
 * so every evaluation creates fresh objects: defaults never share a mutable instance.
 */
export function valueExpression(value: Value, type: Type, ctx: EmitContext, contextual: boolean): string {
  const t = resolveTypedefs(type);
  switch (value.kind) {
    case 'bool':
      return String(value.value);
    case 'int':
      return String(value.value);
    case 'i64':
      return `${value.value}n`;
    case 'double':
      return doubleLiteral(value.value);
    case 'string':
    case 'uuid':
      return stringLiteral(value.value);
    case 'binary':
      return value.value.length === 0 ? 'new Uint8Array()' : `new Uint8Array([${value.value.join(', ')}])`;
    case 'enum':
      return memberAccess(ctx.imports.reference(value.decl.file, value.decl.tsName, 'value'), value.member.tsName);
    case 'const': {
      const target = resolveTypedefs(value.decl.type);
      if (isContainerOrStruct(target)) return valueExpression(value.decl.value, type, ctx, contextual);
      return ctx.imports.reference(value.decl.file, value.decl.tsName, 'value');
    }
    case 'list': {
      if (t.kind !== 'list') throw new Error('emitter bug: a list value of a non-list type');
      const element = t.element;
      return `[${value.elements.map((e) => valueExpression(e, element, ctx, contextual)).join(', ')}]`;
    }
    case 'set': {
      if (t.kind !== 'set') throw new Error('emitter bug: a set value of a non-set type');
      const element = t.element;
      const typeArgs = contextual ? '' : `<${typeExpression(element, ctx)}>`;
      const elements = value.elements.map((e) => valueExpression(e, element, ctx, true));
      return elements.length === 0 ? `new Set${typeArgs}()` : `new Set${typeArgs}([${elements.join(', ')}])`;
    }
    case 'map': {
      if (t.kind !== 'map') throw new Error('emitter bug: a map value of a non-map type');
      const typeArgs = contextual ? '' : `<${typeExpression(t.key, ctx)}, ${typeExpression(t.value, ctx)}>`;
      const entries = value.entries.map(
        ([k, v]) => `[${valueExpression(k, t.key, ctx, true)}, ${valueExpression(v, t.value, ctx, true)}]`,
      );
      return entries.length === 0 ? `new Map${typeArgs}()` : `new Map${typeArgs}([${entries.join(', ')}])`;
    }
    case 'struct':
      return structValue(value.decl, value.fields, ctx, contextual);
  }
}

function structValue(
  decl: StructDecl,
  given: readonly (readonly [FieldDecl, Value])[],
  ctx: EmitContext,
  contextual: boolean,
): string {
  const values = new Map(given.map(([field, v]) => [field.id, v]));
  if (decl.kind === 'union') {
    const [field, v] = given[0] ?? [];
    if (field === undefined || v === undefined) throw new Error('emitter bug: a union value without a field');
    return `{ kind: ${stringLiteral(field.name)}, value: ${valueExpression(v, field.type, ctx, contextual)} }`;
  }
  // The constructor's parameter gives an exception's properties their expected types.
  const typed = contextual || decl.kind === 'exception';
  // Fields the constant leaves out take their defaults, as `create()` would give them.
  const properties = decl.fields.flatMap((field) => {
    const v = values.get(field.id) ?? field.defaultValue;
    return v === undefined ? [] : [`${propertyKey(field.tsName)}: ${valueExpression(v, field.type, ctx, typed)}`];
  });
  const literal = `{ ${properties.join(', ')} }`;
  if (decl.kind === 'exception') return `new ${ctx.imports.reference(decl.file, decl.tsName, 'value')}(${literal})`;
  return literal;
}

function isContainerOrStruct(type: Exclude<Type, { kind: 'typedef' }>): boolean {
  return (
    type.kind === 'list' ||
    type.kind === 'set' ||
    type.kind === 'map' ||
    type.kind === 'struct' ||
    type.kind === 'binary'
  );
}

/** A double exactly: JavaScript prints the shortest text that reads back as the same number. */
function doubleLiteral(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}
