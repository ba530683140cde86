/**
 * How an IDL type is written in generated code: as a TypeScript type, and as a runtime
 * descriptor (see `runtime/service.ts`) for code that walks values without generated code of its
 * own (JSON conversion, a generic codec, `rpcgen call`).
 */
import { resolveTypedefs, type FieldDecl, type StructDecl, type Type } from '../schema.js';
import { stringLiteral, type EmitContext } from './context.js';

const BASE_TYPES = {
  bool: 'boolean',
  byte: 'number',
  i8: 'number',
  i16: 'number',
  i32: 'number',
  i64: 'bigint',
  double: 'number',
  string: 'string',
  binary: 'Uint8Array',
  uuid: 'string',
} as const;

/** The TypeScript type of values of `type`; named types keep their (alias) names. */
export function typeExpression(type: Type, ctx: EmitContext): string {
  switch (type.kind) {
    case 'list':
      return `${typeExpression(type.element, ctx)}[]`;
    case 'set':
      return `Set<${typeExpression(type.element, ctx)}>`;
    case 'map':
      return `Map<${typeExpression(type.key, ctx)}, ${typeExpression(type.value, ctx)}>`;
    case 'enum':
    case 'struct':
    case 'typedef':
      return ctx.imports.reference(type.decl.file, type.decl.tsName, 'type');
    default:
      return BASE_TYPES[type.kind];
  }
}

/** A `TypeDescriptor` literal; named types are reached through thunks (declaration order, recursion). */
export function typeDescriptor(type: Type, ctx: EmitContext): string {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'list':
    case 'set':
      return `{ kind: '${t.kind}', element: ${typeDescriptor(t.element, ctx)} }`;
    case 'map':
      return `{ kind: 'map', key: ${typeDescriptor(t.key, ctx)}, value: ${typeDescriptor(t.value, ctx)} }`;
    case 'enum': {
      const members = ctx.imports.reference(t.decl.file, t.decl.tsName, 'value');
      return `{ kind: 'enum', name: ${stringLiteral(t.decl.name)}, members: () => ${members} }`;
    }
    case 'struct':
      return `{ kind: 'struct', descriptor: () => ${ctx.imports.reference(t.decl.file, t.decl.tsName, 'value')}.descriptor }`;
    default:
      return `{ kind: '${t.kind}' }`;
  }
}

/** A `FieldDescriptor` literal for a field or parameter. */
export function fieldDescriptor(field: FieldDecl, ctx: EmitContext): string {
  const property = field.tsName === field.name ? '' : `, property: ${stringLiteral(field.tsName)}`;
  return (
    `{ id: ${field.id}, name: ${stringLiteral(field.name)}${property}, ` +
    `requiredness: '${field.requiredness}', type: ${typeDescriptor(field.type, ctx)} }`
  );
}

/** A `StructDescriptor` literal for a struct, union or exception. */
export function structDescriptor(decl: StructDecl, ctx: EmitContext): string {
  const fields = decl.fields.map((f) => fieldDescriptor(f, ctx));
  return `{ kind: '${decl.kind}', name: ${stringLiteral(decl.name)}, fields: [${fields.join(', ')}] }`;
}
