/**
 * Function signatures as IDL text, the way they are declared (what `rpcgen list` prints).
 * Defaults print as the JSON that `rpcgen call` reads.
 */
import type { FieldDecl, FunctionDecl, SchemaFile, Type, Value } from '../compiler/index.js';
import { printJson } from './json-print.js';
import { valueToJson } from './json-value.js';
import { constantValue } from './thrift-value.js';
import { typeName } from './type-name.js';

/** A field or parameter as declared: `1: required types.UserId id = 5`. */
export function fieldText(field: FieldDecl, from?: SchemaFile): string {
  const requiredness = field.requiredness === 'default' ? '' : `${field.requiredness} `;
  const defaultValue = field.defaultValue === undefined ? '' : ` = ${constantText(field.defaultValue, field.type)}`;
  return `${field.id}: ${requiredness}${typeName(field.type, from)} ${field.name}${defaultValue}`;
}

/** A constant as one-line JSON, the form `rpcgen call` reads and prints. */
function constantText(value: Value, type: Type): string {
  return printJson(valueToJson(type, constantValue(value, type)), 0);
}

/**
 * A function as declared, on one line:
 * `User getUser(1: types.UserId id) throws (1: types.NotFound notFound) (idempotent, timeout.ms = "200")`.
 */
export function functionSignature(func: FunctionDecl, from?: SchemaFile): string {
  const returns = func.returnType === undefined ? 'void' : typeName(func.returnType, from);
  const params = func.params.map((p) => fieldText(p, from)).join(', ');
  const throws = func.throws.length === 0 ? '' : ` throws (${func.throws.map((f) => fieldText(f, from)).join(', ')})`;
  return `${func.oneway ? 'oneway ' : ''}${returns} ${func.name}(${params})${throws}${annotationsText(func.annotations)}`;
}

/** ` (key = "value", flag)`, or nothing for no annotations. A flag written without a value prints bare. */
export function annotationsText(annotations: ReadonlyMap<string, string>): string {
  if (annotations.size === 0) return '';
  const items = [...annotations].map(([key, value]) => (value === '1' ? key : `${key} = ${JSON.stringify(value)}`));
  return ` (${items.join(', ')})`;
}
