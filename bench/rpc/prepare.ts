/**
 * Generates each peer's UserService code with the real tools, so the benchmark measures what the
 * tools emit today. Output goes to dist/bench/rpc-peers/ (gitignored): inside the package, so
 * `import ... from 'skiff/runtime'` resolves through package.json `exports` to dist/runtime, and
 * outside tsconfig's `include`, so generated code never joins the repo's own build.
 *
 * ```
 * idl-examples/account/user_service.rpc --rpcgen--> skiff/gen/*.ts --tsc (repo tsconfig)--> skiff/js/*.js
 * idl-examples/account/user_service.rpc --thrift --gen js:node,es6 -r--> thrift/*.js (CommonJS)
 * ```
 *
 * `js:node,es6` because the plain `js:node` output of Thrift 0.17 builds promises with `thrift.Q`,
 * which the npm `thrift` 0.2x library no longer exports; `es6` uses native promises.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedCode } from './peer.js';

/**
 * Runs the generators, announcing each step through `progress`. Throws (with the tool's own
 * output already on stderr) when a tool fails.
 *
 * @param root - the repository root (holds package.json, node_modules, dist, idl-examples).
 */
export function generatePeers(root: string, progress: (step: string) => void): GeneratedCode {
  const idl = join(root, 'idl-examples', 'account', 'user_service.rpc');
  const out = join(root, 'dist', 'bench', 'rpc-peers');
  rmSync(out, { recursive: true, force: true });
  const run = (file: string, args: string[]): void => {
    execFileSync(file, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  };

  progress('rpcgen idl-examples/account/user_service.rpc');
  const skiff = join(out, 'skiff');
  mkdirSync(skiff, { recursive: true });
  run(process.execPath, [join(root, 'dist', 'compiler', 'cli.js'), '-o', join(skiff, 'gen'), idl]);
  progress('tsc on the generated code (the repo tsconfig, strict)');
  writeFileSync(
    join(skiff, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../../../tsconfig.json',
      compilerOptions: { rootDir: 'gen', outDir: 'js', declaration: false, sourceMap: false },
      include: ['gen'],
    }),
  );
  run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(skiff, 'tsconfig.json')]);

  progress('thrift --gen js:node,es6 -r idl-examples/account/user_service.rpc');
  const thrift = join(out, 'thrift');
  mkdirSync(thrift, { recursive: true });
  run('/usr/bin/thrift', ['--gen', 'js:node,es6', '-r', '-out', thrift, idl]);
  // The repo is "type": "module"; Thrift's js:node output is CommonJS.
  writeFileSync(join(thrift, 'package.json'), '{ "type": "commonjs" }\n');

  return { skiffUserService: join(skiff, 'js', 'user_service.js'), thriftDir: thrift };
}
