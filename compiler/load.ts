/**
 * Loading: reads the input files and everything they include (through a {@link CompilerHost}, so
 * this stays free of I/O), parses each once, and reports missing includes and include cycles.
 */
import { posix } from 'node:path';
import type { Document, Include } from './ast.js';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { createSourceFile, type SourceFile } from './source.js';

/** The compiler's only window on the file system. Paths are `/`-separated. */
export interface CompilerHost {
  /** The file's text, or `undefined` when it does not exist or is not readable. */
  readFile(path: string): string | undefined;
}

/** One parsed file and where its includes lead. */
export interface LoadedFile {
  readonly source: SourceFile;
  readonly document: Document;
  /** Output module path, `/`-separated, without extension (see `SchemaFile.modulePath`). */
  readonly modulePath: string;
  /** Includes that resolved to a file, in source order; unresolved ones were already reported. */
  readonly includes: readonly ResolvedInclude[];
}

export interface ResolvedInclude {
  readonly node: Include;
  /** The included file's path as a key of the loaded set (`LoadedFile.source.path`). */
  readonly path: string;
}

export interface LoadResult {
  /** Every file reached, includes before includers (a file in a cycle appears once). */
  readonly files: readonly LoadedFile[];
  readonly sources: ReadonlyMap<string, SourceFile>;
  readonly diagnostics: readonly Diagnostic[];
}

export interface LoadOptions {
  readonly host: CompilerHost;
  /** `-I` directories, searched in order after the including file's own directory. */
  readonly includeDirs?: readonly string[];
  /**
   * Directories that output module paths are relative to. A file's module path is its path
   * relative to the deepest root (or include directory) containing it; a file under none of them
   * gets its base name. Default: the directory of each input file.
   */
  readonly rootDirs?: readonly string[];
  /** Parses one file; injected so loading stays independent of the parser. */
  readonly parse: (source: SourceFile) => { document: Document; diagnostics: readonly Diagnostic[] };
}

const IDL_EXTENSION = /\.(rpc|thrift)$/;

/**
 * Reads `inputs` and, transitively, every file they include. Thrift's resolution order: an
 * absolute path as is; otherwise the including file's directory, then each `-I` directory.
 */
export function loadFiles(inputs: readonly string[], options: LoadOptions): LoadResult {
  const includeDirs = (options.includeDirs ?? []).map(normalize);
  const roots = [...(options.rootDirs ?? inputs.map((i) => posix.dirname(normalize(i)))), ...includeDirs].map(normalize);
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, SourceFile>();
  const parsed = new Map<string, { source: SourceFile; document: Document }>();
  const done = new Map<string, LoadedFile>();
  const order: LoadedFile[] = [];

  const read = (path: string): { source: SourceFile; document: Document } | undefined => {
    const cached = parsed.get(path);
    if (cached) return cached;
    const text = options.host.readFile(path);
    if (text === undefined) return undefined;
    const source = createSourceFile(path, text);
    sources.set(path, source);
    const result = options.parse(source);
    diagnostics.push(...result.diagnostics);
    const entry = { source, document: result.document };
    parsed.set(path, entry);
    return entry;
  };

  const resolveInclude = (from: string, target: string): string | undefined => {
    if (posix.isAbsolute(target)) return options.host.readFile(normalize(target)) === undefined ? undefined : normalize(target);
    for (const dir of [posix.dirname(from), ...includeDirs]) {
      const candidate = normalize(posix.join(dir, target));
      if (parsed.has(candidate) || options.host.readFile(candidate) !== undefined) return candidate;
    }
    return undefined;
  };

  const visit = (path: string, file: { source: SourceFile; document: Document }, stack: string[]): void => {
    stack.push(path);
    const includes: ResolvedInclude[] = [];
    for (const header of file.document.headers) {
      if (header.kind !== 'include') continue;
      const target = resolveInclude(path, header.path);
      if (target === undefined) {
        const searched = [posix.dirname(path), ...includeDirs].map((d) => `'${d}'`).join(', ');
        diagnostics.push(
          diagnostic('RPC2010', `cannot find included file '${header.path}' (searched ${searched}; add a directory with -I)`, header.pathSpan),
        );
        continue;
      }
      const cycleStart = stack.indexOf(target);
      if (cycleStart >= 0) {
        const chain = [...stack.slice(cycleStart), target].join(' -> ');
        diagnostics.push(diagnostic('RPC2009', `include cycle: ${chain}`, header.pathSpan));
        continue;
      }
      if (!done.has(target)) {
        const included = read(target);
        if (!included) continue;
        visit(target, included, stack);
      }
      includes.push({ node: header, path: target });
    }
    stack.pop();
    const loaded: LoadedFile = { ...file, modulePath: modulePathOf(path, roots), includes };
    done.set(path, loaded);
    order.push(loaded);
  };

  for (const input of inputs.map(normalize)) {
    if (done.has(input)) continue;
    const file = read(input);
    if (!file) {
      diagnostics.push(diagnostic('RPC3001', `cannot read '${input}'`));
      continue;
    }
    visit(input, file, []);
  }
  return { files: order, sources, diagnostics };
}

function normalize(path: string): string {
  return posix.normalize(path.replace(/\\/g, '/'));
}

function modulePathOf(path: string, roots: readonly string[]): string {
  let best: string | undefined;
  for (const root of roots) {
    const rel = posix.relative(root, path);
    if (rel.startsWith('..') || posix.isAbsolute(rel)) continue;
    if (best === undefined || rel.length < best.length) best = rel;
  }
  return (best ?? posix.basename(path)).replace(IDL_EXTENSION, '');
}
