/**
 * IDL types as text, as a reader of the IDL would write them: named types from another file
 * carry that file's include prefix (`types.UserId`), typedef names are kept.
 */
import type { SchemaFile, Type } from '../compiler/index.js';

/** The include prefix other files use for declarations of `file`: its base name without extension. */
export function includePrefix(file: SchemaFile): string {
  const base = file.path.slice(file.path.lastIndexOf('/') + 1);
  return base.replace(/\.(rpc|thrift)$/, '');
}

/** `name` as written in `from`: bare when declared there, else with its file's include prefix. */
export function qualifiedName(decl: { readonly name: string; readonly file: SchemaFile }, from?: SchemaFile): string {
  return from === undefined || decl.file === from ? decl.name : `${includePrefix(decl.file)}.${decl.name}`;
}

/** `type` as IDL text (`list<types.Money>`); named types qualified relative to `from` (default: bare). */
export function typeName(type: Type, from?: SchemaFile): string {
  switch (type.kind) {
    case 'list':
    case 'set':
      return `${type.kind}<${typeName(type.element, from)}>`;
    case 'map':
      return `map<${typeName(type.key, from)}, ${typeName(type.value, from)}>`;
    case 'enum':
    case 'struct':
    case 'typedef':
      return qualifiedName(type.decl, from);
    default:
      return type.kind;
  }
}
