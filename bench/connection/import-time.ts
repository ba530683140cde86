/**
 * How long importing a module takes in a fresh Node process, as an application's start pays it:
 * `node --input-type=module -e "await import(spec)"` in the repo root (so `skiff/runtime`
 * resolves through package.json `exports`, as it does for a user), timed inside the child.
 *
 * Node's ES module loader makes even a trivial first import cost milliseconds (it sets itself
 * up, resolves, reads, compiles, links), so {@link oneLineModule} gives the file to time beside
 * a library: what is left over it is what the library itself costs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One fresh process's timings, in milliseconds. */
export interface ImportTiming {
  /** The `await import(spec)` alone (0 for no module). */
  readonly importMs: number;
  /** From the process's time origin (its start) to the import having finished. */
  readonly readyMs: number;
}

/**
 * Imports `spec` (or nothing, for `undefined`) in a new process started in `cwd` and returns its
 * timings. Throws when the child fails (its stderr is passed through).
 */
export function timeImport(spec: string | undefined, cwd: string): ImportTiming {
  const body =
    spec === undefined
      ? 'const importMs = 0;'
      : `const start = performance.now(); await import(${JSON.stringify(spec)}); const importMs = performance.now() - start;`;
  const script = `${body} process.stdout.write(JSON.stringify({ importMs, readyMs: performance.now() }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(output) as ImportTiming;
}

/** A module file to import, and the removal of its directory. */
export interface OneLineModule {
  /** Its `file:` URL, to pass to {@link timeImport}. */
  readonly url: string;
  dispose(): void;
}

/**
 * Writes a one-line ES module (`export const loaded = true;`, an `.mjs` file, so no package.json
 * is consulted for its format) in a new temporary directory: importing it costs what every first
 * ES module import pays on this machine, the floor under any library's import time.
 */
export function oneLineModule(): OneLineModule {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-import-floor-'));
  const file = join(dir, 'one-line.mjs');
  writeFileSync(file, 'export const loaded = true;\n');
  return { url: pathToFileURL(file).href, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
