/**
 * How long importing a module takes in a fresh Node process, as an application's start pays it:
 * `node --input-type=module -e "await import(spec)"` in the repo root (so `skiff/runtime`
 * resolves through package.json `exports`, as it does for a user), timed inside the child.
 */
import { execFileSync } from 'node:child_process';

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
