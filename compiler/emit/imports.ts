/**
 * The import registry of one output module. Emitters never write imports: they ask the registry
 * for the expression that names a declaration (`User`, `shared.User`, a runtime type) and say
 * whether it is used as a type or as a value; the registry records what must be imported and
 * prints the import declarations once the module's body is done. Emitters therefore build their
 * text eagerly: a writer function that ran only at print time would reference names too late.
 */
import { posix } from 'node:path';
import type { ImportDeclarationStructure } from 'ts-morph';
import { declarationName, RUNTIME_IMPORT_NAMES } from '../names.js';
import type { SchemaFile } from '../schema.js';
import { StructureKind } from './ts-morph.js';

/** The only specifier generated code imports the runtime from (the package's self-reference). */
export const RUNTIME_MODULE = 'skiff/runtime';

/** Whether a name is needed at run time (`value`) or only by the type checker (`type`). */
export type Usage = 'type' | 'value';

const IDL_EXTENSION = /\.(rpc|thrift)$/;

/** The imports of one output module, collected while its declarations are built. */
export class ImportRegistry {
  readonly #file: SchemaFile;
  /** Names the module declares itself; a namespace alias must not shadow them. */
  readonly #localNames: ReadonlySet<string>;
  /** Runtime name -> whether any use needs its value. */
  readonly #runtime = new Map<string, boolean>();
  /** Another module -> its namespace alias and whether any use needs its value. */
  readonly #modules = new Map<SchemaFile, { alias: string; value: boolean }>();
  readonly #aliases = new Map<SchemaFile, string>();

  /**
   * Aliases are assigned up front, to the module's direct includes in include order and then to
   * the files they include (which typedefs can reach), so they do not depend on which declaration
   * happens to be emitted first, and {@link isModuleScopeName} knows them all.
   */
  constructor(file: SchemaFile) {
    this.#file = file;
    this.#localNames = new Set(file.declarations.map((d) => d.tsName));
    const queue = [...file.includes];
    for (let i = 0; i < queue.length; i++) {
      const included = queue[i]!;
      if (included === file || this.#aliases.has(included)) continue;
      this.#aliasOf(included);
      queue.push(...included.includes);
    }
  }

  /**
   * Whether `name` is, or may become, a module-scope name of the generated module (a declaration,
   * a namespace alias or a runtime import): a local binding with that name would shadow it.
   */
  isModuleScopeName(name: string): boolean {
    return this.#localNames.has(name) || RUNTIME_IMPORT_NAMES.has(name) || [...this.#aliases.values()].includes(name);
  }

  /** The name of a runtime export, which must be one of {@link RUNTIME_IMPORT_NAMES}. */
  runtime(name: string, usage: Usage): string {
    if (!RUNTIME_IMPORT_NAMES.has(name)) {
      throw new Error(`emitter bug: '${name}' is not in RUNTIME_IMPORT_NAMES`);
    }
    this.#runtime.set(name, (this.#runtime.get(name) ?? false) || usage === 'value');
    return name;
  }

  /**
   * The expression naming `name`, exported by the module generated from `file`: the bare name in
   * the module itself, `alias.name` (importing the module) anywhere else.
   */
  reference(file: SchemaFile, name: string, usage: Usage): string {
    if (file === this.#file) return name;
    const alias = this.#aliasOf(file);
    const entry = this.#modules.get(file);
    this.#modules.set(file, { alias, value: (entry?.value ?? false) || usage === 'value' });
    return `${alias}.${name}`;
  }

  /** The import declarations: the runtime first, then other modules by specifier. */
  structures(): ImportDeclarationStructure[] {
    const imports: ImportDeclarationStructure[] = [];
    if (this.#runtime.size > 0) {
      const names = [...this.#runtime].sort(([a], [b]) => compare(a, b));
      const typeOnly = names.every(([, value]) => !value);
      imports.push({
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: RUNTIME_MODULE,
        isTypeOnly: typeOnly,
        namedImports: names.map(([name, value]) => ({ name, isTypeOnly: !typeOnly && !value })),
      });
    }
    const modules = [...this.#modules].map(([file, { alias, value }]) => ({
      specifier: relativeSpecifier(this.#file.modulePath, file.modulePath),
      alias,
      value,
    }));
    for (const { specifier, alias, value } of modules.sort((a, b) => compare(a.specifier, b.specifier))) {
      imports.push({
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: specifier,
        isTypeOnly: !value,
        namespaceImport: alias,
      });
    }
    return imports;
  }

  /**
   * The namespace alias of another module: its IDL file's base name, as the IDL qualifies names
   * (`shared.User`), made a valid identifier that shadows nothing the module uses.
   */
  #aliasOf(file: SchemaFile): string {
    const existing = this.#aliases.get(file);
    if (existing !== undefined) return existing;
    const base = posix.basename(file.path).replace(IDL_EXTENSION, '');
    const identifier = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
    const taken = new Set([...this.#localNames, ...this.#aliases.values()]);
    let alias = declarationName(identifier || '_');
    while (taken.has(alias)) alias += '_';
    this.#aliases.set(file, alias);
    return alias;
  }
}

/** `./x.js`-style ESM specifier from one module path to another (both without extension). */
export function relativeSpecifier(fromModulePath: string, toModulePath: string): string {
  const relative = posix.relative(posix.dirname(fromModulePath), toModulePath);
  return `${relative.startsWith('../') ? '' : './'}${relative}.js`;
}

/** Code-unit order, independent of the locale (output must not depend on the machine). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
