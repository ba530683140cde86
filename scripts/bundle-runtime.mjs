#!/usr/bin/env node
/**
 * Bundles the runtime for `skiff/runtime`'s import time (issue 8: <= 10 ms over Node's ESM floor,
 * the import of a one-line module), after `tsc` has built dist/ (`npm run build` runs both).
 *
 * Why: Node loads ES modules one file at a time (resolve, read, compile, link), about 1 ms per
 * file on the project's machines, so the 60-odd files of the runtime entry cost 60+ ms however
 * little each does. esbuild turns them into one file, `<out>/index.js`, from the TypeScript
 * sources (with a source map to them). The subsystems that the runtime loads with `import()` on
 * first use (the `LAZY` list: the admin endpoint, prefork, the worker-thread pool, etcd
 * discovery) become one file each at their own path, and the `import()` in the entry points
 * there; they take the `FROM_ENTRY` modules (`errors`, ...) from the entry (`../index.js`) rather
 * than from a copy of their own, so that `instanceof RpcError` holds for the errors they throw.
 * Node built-ins and npm packages stay imports.
 *
 * Then V8 compiles (parses) the entry before it runs a line of it, a cost that grows with its
 * length, whitespace included: without its indentation and line breaks (`minifyWhitespace`) the
 * entry measured about 1 ms faster to import. Names are kept (stack traces and constructor names
 * read as in the sources); a stack position is `index.js:1:<column>`, which the source map beside
 * each file turns into a line of the TypeScript source (`node --enable-source-maps`).
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
const LAZY = [
  'admin/admin-server',
  'server/prefork',
  'server/worker-pool-threads',
  'discovery/etcd-gateway',
  'discovery/etcd-resolver-loop',
  'discovery/etcd-registration-loop',
];
/**
 * Modules that a lazy bundle takes from the entry, which re-exports every value they export: the
 * classes that `instanceof` tests must know, and what lazy code needs that the entry has anyway.
 */
const FROM_ENTRY = ['errors', 'logger', 'discovery/etcd-client', 'discovery/etcd-registration'];

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
  minifyWhitespace: true,
  allowOverwrite: true,
  logLevel: 'warning',
};

/** A relative specifier of `target` (a path under `outDir`) for code bundled into `outFile`. */
function specifierFrom(outFile, target) {
  const path = relative(dirname(outFile), join(outDir, target)).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/**
 * Leaves out the lazy modules, keeping their `import()`, whose specifier is made relative to the
 * bundle being written (the module that wrote it may have been in another directory).
 */
const keepLazyImports = (outFile) => ({
  name: 'keep-lazy-imports',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const module = moduleOf(args);
      if (!LAZY.includes(module)) return undefined;
      if (args.kind !== 'dynamic-import') {
        return { errors: [{ text: `${args.path} is loaded on first use (scripts/bundle-runtime.mjs LAZY): import it only with import()` }] };
      }
      return { path: specifierFrom(outFile, `${module}.js`), external: true };
    });
  },
});

/** A lazy module's bundle: its own code, and `FROM_ENTRY` modules from the entry. */
const fromEntry = (outFile) => ({
  name: 'from-entry',
  setup(b) {
    const specifier = specifierFrom(outFile, 'index.js');
    b.onResolve({ filter: /^\./ }, (args) => (FROM_ENTRY.includes(moduleOf(args)) ? { path: specifier, external: true } : undefined));
  },
});

const entry = join(outDir, 'index.js');
await build({ ...common, entryPoints: [join(SOURCE, 'index.ts')], outfile: entry, plugins: [keepLazyImports(entry)] });
for (const lazy of LAZY) {
  const outfile = join(outDir, `${lazy}.js`);
  await build({ ...common, entryPoints: [join(SOURCE, `${lazy}.ts`)], outfile, plugins: [fromEntry(outfile), keepLazyImports(outfile)] });
}
