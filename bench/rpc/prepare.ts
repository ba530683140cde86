/**
 * Generates each peer's EchoService code with the real tools, so the benchmark measures what the
 * tools emit today. Output goes to dist/bench/rpc-peers/ (gitignored): inside the package, so
 * `import ... from 'skiff/runtime'` resolves through package.json `exports` to dist/runtime, and
 * outside tsconfig's `include`, so generated code never joins the repo's own build.
 *
 * ```
 * bench/rpc/echo.rpc   --rpcgen-->  skiff/gen/echo.ts  --tsc (repo tsconfig)-->  skiff/js/echo.js
 * bench/rpc/echo.rpc   --thrift --gen js:node,es6-->  thrift/EchoService.js, echo_types.js (CommonJS)
 * bench/rpc/echo.proto --pbjs -t static-module -w es6-->  proto/echo.js  (grpc-js serialisers)
 * ```
 *
 * `js:node,es6` because the plain `js:node` output of Thrift 0.17 builds promises with `thrift.Q`,
 * which the npm `thrift` 0.2x library no longer exports; `es6` uses native promises.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedCode } from './peer.js';

/** Apache Thrift's compiler, from Debian's `thrift-compiler` package. */
const THRIFT = '/usr/bin/thrift';

/**
 * Runs the generators, announcing each step through `progress`. Throws (with the tool's own
 * output already on stderr) when a tool fails.
 *
 * @param root - the repository root (holds package.json, node_modules, dist, bench).
 */
export function generatePeers(root: string, progress: (step: string) => void): GeneratedCode {
  if (!existsSync(THRIFT)) throw new Error(`${THRIFT} not found: install Debian's thrift-compiler (apt-get install thrift-compiler)`);
  const schemas = join(root, 'bench', 'rpc');
  const idl = join(schemas, 'echo.rpc');
  const out = join(root, 'dist', 'bench', 'rpc-peers');
  rmSync(out, { recursive: true, force: true });
  const run = (file: string, args: string[]): void => {
    execFileSync(file, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  };
  const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

  progress('rpcgen bench/rpc/echo.rpc');
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
  run(bin('tsc'), ['-p', join(skiff, 'tsconfig.json')]);

  progress('thrift --gen js:node,es6 bench/rpc/echo.rpc');
  const thrift = join(out, 'thrift');
  mkdirSync(thrift, { recursive: true });
  run(THRIFT, ['--gen', 'js:node,es6', '-out', thrift, idl]);
  // The repo is "type": "module"; Thrift's js:node output is CommonJS.
  writeFileSync(join(thrift, 'package.json'), '{ "type": "commonjs" }\n');

  progress('pbjs -t static-module -w es6 bench/rpc/echo.proto');
  const proto = join(out, 'proto');
  mkdirSync(proto, { recursive: true });
  run(bin('pbjs'), ['-t', 'static-module', '-w', 'es6', '-o', join(proto, 'echo.js'), join(schemas, 'echo.proto')]);

  return { skiffEcho: join(skiff, 'js', 'echo.js'), thriftDir: thrift, protobufEcho: join(proto, 'echo.js') };
}
