/**
 * Test helper: writes generated modules to a temporary directory inside the repository (so
 * `skiff/runtime` resolves through vitest's alias and tsc's `paths`), for tests that type-check
 * or import emitter output. Directories are removed by {@link removeGeneratedModules}.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

const tempDirs: string[] = [];

/** A module to write: its path relative to the directory, and its text. */
export interface ModuleFile {
  readonly path: string;
  readonly text: string;
}

/** Writes `files` to a new directory under `test/compiler/` and returns its absolute path. */
export function writeGeneratedModules(files: readonly ModuleFile[]): string {
  const dir = mkdtempSync(join(ROOT, 'test/compiler/.emit-'));
  tempDirs.push(dir);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.text);
  }
  return dir;
}

/** Removes every directory {@link writeGeneratedModules} created (call it in `afterAll`). */
export function removeGeneratedModules(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
