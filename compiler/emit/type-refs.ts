/** How an IDL type is written in generated code as a TypeScript type. */
import type { Type } from '../schema.js';
import type { EmitContext } from './context.js';

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
