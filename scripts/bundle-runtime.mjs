#!/usr/bin/env node
/**
 * Bundles the runtime for `skiff/runtime`'s import time (issue 8: <= 10 ms over an empty
 * process), after `tsc` has built dist/ (`npm run build` runs both).
 *
 * Why: Node loads ES modules one file at a time (resolve, read, compile, link), about 1 ms per
 * file on the project's machines, so the 60-odd files of the runtime entry cost 60+ ms however
 * little each does. esbuild turns them into one file, `<out>/index.js`, from the TypeScript
 * sources (with a source map to them). The subsystems that `runtime/index.ts` loads with
 * `import()` on first use (the `LAZY` list) become one file each at their own path, so the entry
 * keeps its `import('./admin/admin-server.js')`; they take `errors` and `logger` from the entry
 * (`../index.js`) rather than from a copy of their own, so that `instanceof RpcError` holds for
 * the errors they throw. Node built-ins and npm packages stay imports.
 *
 * The rest of tsc's output stays: the declarations (`index.d.ts` refers to the others) and the
 * per-file modules that tools import directly (fuzz/, bench/).
 *
 * Usage: `node scripts/bundle-runtime.mjs [outDir]` (default `dist/runtime`).
 */
import { build } from 'esbuild';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCE = join(ROOT, 'runtime');
/** Modules (paths under runtime/, no extension) that the entry loads with `import()`. */
const LAZY = ['admin/admin-server', 'server/prefork'];
/** Modules that a lazy bundle takes from the entry, which re-exports every value they export. */
const FROM_ENTRY = ['errors', 'logger'];

const outDir = resolve(process.argv[2] ?? join(ROOT, 'dist', 'runtime'));

/** The module under runtime/ that a relative import names, without extension (`undefined` for a bare one). */
function moduleOf(args) {
  if (!args.path.startsWith('.')) return undefined;
  return relative(SOURCE, resolve(args.resolveDir, args.path)).replace(/\.[cm]?[jt]s$/, '');
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  allowOverwrite: true,
  logLevel: 'warning',
};

/** The entry: everything but the lazy modules, whose `import()` it keeps. */
const keepLazyImports = {
  name: 'keep-lazy-imports',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      if (!LAZY.includes(moduleOf(args))) return undefined;
      if (args.kind !== 'dynamic-import') {
        return { errors: [{ text: `${args.path} is loaded on first use (scripts/bundle-runtime.mjs LAZY): import it only with import()` }] };
      }
      return { path: args.path, external: true };
    });
  },
};

/** A lazy module's bundle: its own code, and `FROM_ENTRY` modules from the entry. */
const fromEntry = (outFile) => ({
  name: 'from-entry',
  setup(b) {
    const entry = relative(dirname(outFile), join(outDir, 'index.js')).split('\\').join('/');
    const specifier = entry.startsWith('.') ? entry : `./${entry}`;
    b.onResolve({ filter: /^\./ }, (args) => (FROM_ENTRY.includes(moduleOf(args)) ? { path: specifier, external: true } : undefined));
  },
});

await build({ ...common, entryPoints: [join(SOURCE, 'index.ts')], outfile: join(outDir, 'index.js'), plugins: [keepLazyImports] });
for (const lazy of LAZY) {
  const outfile = join(outDir, `${lazy}.js`);
  await build({ ...common, entryPoints: [join(SOURCE, `${lazy}.ts`)], outfile, plugins: [fromEntry(outfile)] });
}
