/**
 * Reads IDL files from disk and resolves them with the compiler (no code is generated): the
 * schema that `rpcgen call` and `rpcgen list` work from.
 */
import { readFileSync, statSync } from 'node:fs';
import { posix, sep } from 'node:path';
import { renderDiagnostic, resolveSchema, type CompilerHost, type Schema, type SchemaFile } from '../compiler/index.js';
import { UsageError } from './command-io.js';

/** The resolved IDL, or why it could not be resolved. */
export type LoadedIdl =
  | { readonly ok: true; readonly schema: Schema; /** The files named on the command line, in order. */ readonly inputs: readonly SchemaFile[] }
  | { readonly ok: false; /** Rendered errors (like the compiler prints them) and a count line. */ readonly report: string };

const fileHost: CompilerHost = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/**
 * Loads `files` (and what they include, searching `includeDirs` after each file's own directory).
 * Warnings are not reported: nothing is being compiled.
 *
 * @throws UsageError when a file or an include directory does not exist.
 */
export function loadIdl(files: readonly string[], includeDirs: readonly string[]): LoadedIdl {
  for (const dir of includeDirs) {
    if (!isDirectory(dir)) throw new UsageError(`include directory '${dir}' does not exist`);
  }
  for (const file of files) {
    if (!isFile(file)) throw new UsageError(`IDL file '${file}' does not exist`);
  }
  const inputs = files.map(toPosix);
  const result = resolveSchema(inputs, { host: fileHost, includeDirs: includeDirs.map(toPosix) });
  if (result.schema === undefined) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const rendered = errors.map((d) => `${renderDiagnostic(d, result.sources)}\n\n`).join('');
    return { ok: false, report: `${rendered}${errors.length} error${errors.length === 1 ? '' : 's'}\n` };
  }
  const schema = result.schema;
  // The compiler keys files by their normalized path.
  const found = inputs.map((path) => schema.files.find((f) => f.path === posix.normalize(path)));
  return { ok: true, schema, inputs: found.filter((f): f is SchemaFile => f !== undefined) };
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
