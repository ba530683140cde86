/**
 * Loading: reads the input files and everything they include (through a {@link CompilerHost}, so
 * this stays free of I/O), parses each once, and reports missing includes and include cycles.
 */
import type { Document, Include } from './ast.js';
import type { Diagnostic } from './diagnostics.js';
import type { SourceFile } from './source.js';

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
