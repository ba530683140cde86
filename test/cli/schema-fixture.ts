/** The resolved schema of idl-examples/ for the cli tests, and lookups into it by name. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveSchema, type Declaration, type FunctionDecl, type Schema, type ServiceDecl, type StructDecl, type Type } from '../../compiler/index.js';
import { parseJson } from '../../cli/json-parse.js';
import { printJson } from '../../cli/json-print.js';
import { valueFromJson, valueToJson } from '../../cli/json-value.js';
import type { ThriftValue } from '../../cli/thrift-value.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const IDL = `${ROOT}/idl-examples`;

/** kitchen_sink.rpc and user_service.rpc (and what they include), resolved. */
export const schema: Schema = (() => {
  const result = resolveSchema([`${IDL}/kitchen_sink.rpc`, `${IDL}/account/user_service.rpc`], {
    host: {
      readFile: (path) => {
        try {
          return readFileSync(path, 'utf8');
        } catch {
          return undefined;
        }
      },
    },
  });
  if (result.schema === undefined) throw new Error(`idl-examples do not resolve: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return result.schema;
})();

function declaration(name: string, file = 'kitchen_sink.rpc'): Declaration {
  const found = schema.files.find((f) => f.path.endsWith(`/${file}`))?.declarations.find((d) => d.name === name);
  if (found === undefined) throw new Error(`no declaration ${name} in ${file}`);
  return found;
}

/** A struct, union or exception of kitchen_sink.rpc (or `file`). */
export function structDecl(name: string, file?: string): StructDecl {
  const d = declaration(name, file);
  if (d.kind !== 'struct' && d.kind !== 'union' && d.kind !== 'exception') throw new Error(`${name} is a ${d.kind}`);
  return d;
}

/** A named type of kitchen_sink.rpc (or `file`) as a field type. */
export function named(name: string, file?: string): Type {
  const d = declaration(name, file);
  if (d.kind === 'struct' || d.kind === 'union' || d.kind === 'exception') return { kind: 'struct', decl: d };
  if (d.kind === 'enum') return { kind: 'enum', decl: d };
  if (d.kind === 'typedef') return { kind: 'typedef', decl: d };
  throw new Error(`${name} is a ${d.kind}`);
}

/** A function of a service of kitchen_sink.rpc (or `file`). */
export function method(service: string, name: string, file?: string): { service: ServiceDecl; func: FunctionDecl } {
  const s = declaration(service, file);
  if (s.kind !== 'service') throw new Error(`${service} is a ${s.kind}`);
  const func = s.functions.find((f) => f.name === name);
  if (func === undefined) throw new Error(`no ${service}.${name}`);
  return { service: s, func };
}

/** `json` read as a value of `type` (errors name the value `v`). */
export function fromJson(type: Type, json: string): ThriftValue {
  return valueFromJson(type, parseJson(json), 'v');
}

/** `value` of `type` printed as one-line JSON. */
export function toJson(type: Type, value: ThriftValue): string {
  return printJson(valueToJson(type, value), 0);
}
