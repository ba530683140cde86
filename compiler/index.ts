/**
 * The compiler as a library: `compile()` takes paths and a {@link CompilerHost} and returns the
 * generated files and every diagnostic. It never touches the file system, argv or the console
 * itself (that is `cli.ts`), and it never throws for bad input.
 */
import { parseDocument } from './build-ast.js';
import { check } from './check.js';
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import type { OutputFile } from './emit/emit.js';
import { loadFiles, type CompilerHost } from './load.js';
import type { Schema } from './schema.js';
import type { SourceFile } from './source.js';

export type { CompilerHost } from './load.js';
export type { OutputFile } from './emit/emit.js';
export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
export { formatDiagnosticLine, renderDiagnostic, DIAGNOSTIC_CATALOGUE } from './diagnostics.js';
export type {
  ConstDecl,
  Declaration,
  EnumDecl,
  EnumMemberDecl,
  FieldDecl,
  FunctionDecl,
  Schema,
  SchemaFile,
  ServiceDecl,
  StructDecl,
  Type,
  TypedefDecl,
  Value,
} from './schema.js';
export type { Requiredness } from './ast.js';
export { allFunctions, resolveTypedefs } from './schema.js';

export interface CompileOptions {
  readonly host: CompilerHost;
  /** `-I` directories, searched in order after the including file's own directory. */
  readonly includeDirs?: readonly string[];
  /**
   * Output paths mirror the inputs' layout relative to these directories (the CLI passes the
   * directories it was given). Default: each input's own directory.
   */
  readonly rootDirs?: readonly string[];
  /** Printed in each generated file's header. */
  readonly version?: string;
}

export interface CompileResult {
  /** Generated files; empty when there is any error. */
  readonly files: readonly OutputFile[];
  /** Errors and warnings, sorted by file and position. */
  readonly diagnostics: readonly Diagnostic[];
  /** Every source read, keyed by the path diagnostics print, for rendering them. */
  readonly sources: ReadonlyMap<string, SourceFile>;
  /** The resolved model, when checking got that far without errors. */
  readonly schema?: Schema;
}

/** Compiles IDL files (and everything they include) to TypeScript modules. */
export async function compile(inputs: readonly string[], options: CompileOptions): Promise<CompileResult> {
  if (inputs.length === 0) {
    return { files: [], diagnostics: [diagnostic('RPC3004', 'no input files')], sources: new Map() };
  }
  const loaded = loadFiles(inputs, {
    host: options.host,
    parse: parseDocument,
    ...(options.includeDirs ? { includeDirs: options.includeDirs } : {}),
    ...(options.rootDirs ? { rootDirs: options.rootDirs } : {}),
  });
  const checked = check(loaded.files);
  const diagnostics = [...loaded.diagnostics, ...checked.diagnostics, ...outputCollisions(loaded.files)];
  if (hasErrors(diagnostics)) {
    return { files: [], diagnostics: sortDiagnostics(diagnostics), sources: loaded.sources };
  }
  // Loaded on first use: the emitter pulls in TypeScript and prettier (over a second of startup),
  // which resolveSchema() users such as `rpcgen call` never need.
  const { emit } = await import('./emit/emit.js');
  const files = await emit(checked.schema, { version: options.version ?? '0.0.0' });
  return { files, diagnostics: sortDiagnostics(diagnostics), sources: loaded.sources, schema: checked.schema };
}

/** Options of {@link resolveSchema}: where to look for includes. */
export interface ResolveOptions {
  readonly host: CompilerHost;
  /** `-I` directories, searched in order after the including file's own directory. */
  readonly includeDirs?: readonly string[];
}

/** What {@link resolveSchema} found. */
export interface ResolveResult {
  /** The resolved model; absent when there is any error. */
  readonly schema?: Schema;
  /** Errors and warnings, sorted by file and position. */
  readonly diagnostics: readonly Diagnostic[];
  /** Every source read, keyed by the path diagnostics print, for rendering them. */
  readonly sources: ReadonlyMap<string, SourceFile>;
}

/**
 * Loads and checks IDL files (and everything they include) without emitting anything: the
 * resolved {@link Schema} for tools that work from the IDL at run time (`rpcgen call`, `rpcgen
 * list`). Synchronous and pure like {@link compile}, and it never throws for bad input. Output
 * path collisions are not reported: nothing is written.
 */
export function resolveSchema(inputs: readonly string[], options: ResolveOptions): ResolveResult {
  if (inputs.length === 0) return { diagnostics: [diagnostic('RPC3004', 'no input files')], sources: new Map() };
  const loaded = loadFiles(inputs, {
    host: options.host,
    parse: parseDocument,
    ...(options.includeDirs ? { includeDirs: options.includeDirs } : {}),
  });
  const checked = check(loaded.files);
  const diagnostics = sortDiagnostics([...loaded.diagnostics, ...checked.diagnostics]);
  return hasErrors(diagnostics) ? { diagnostics, sources: loaded.sources } : { schema: checked.schema, diagnostics, sources: loaded.sources };
}

function outputCollisions(files: readonly { modulePath: string; source: SourceFile }[]): Diagnostic[] {
  const seen = new Map<string, string>();
  const out: Diagnostic[] = [];
  for (const file of files) {
    const other = seen.get(file.modulePath);
    if (other !== undefined) {
      out.push(
        diagnostic(
          'RPC3005',
          `'${file.source.path}' and '${other}' would both be generated as '${file.modulePath}.ts'; compile them separately or pass their common parent directory`,
        ),
      );
    } else seen.set(file.modulePath, file.source.path);
  }
  return out;
}
