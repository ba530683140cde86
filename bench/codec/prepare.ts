/**
 * Generates every peer's code from the schemas in bench/codec/ with the real tools, so the
 * benchmark always measures what the tools emit today. Output goes to dist/bench/codec-peers/
 * (gitignored): inside the package, so the generated `import ... from 'skiff/runtime'` resolves
 * through package.json `exports` to dist/runtime, and outside tsconfig's `include`, so generated
 * TypeScript never joins the repo's own type-check or build.
 *
 * ```
 * bench/codec/record.rpc   --rpcgen-->  gen/record.ts  --tsc (repo tsconfig)-->  gen-js/record.js
 * bench/codec/record.proto --pbjs -t static-module -w es6-->  proto/record.js  (+ pbts: record.d.ts)
 * bench/codec/record.rpc   --thrift --gen js:node-->  thrift/record_types.js  (CommonJS)
 * ```
 *
 * avsc needs no generation: it compiles record.avsc.json at run time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where each generated module ended up. */
export interface GeneratedPeers {
  /** rpcgen's output compiled to ESM; imports `skiff/runtime`. */
  readonly skiffModule: string;
  /** protobufjs static code (ES module). */
  readonly protobufModule: string;
  /** Apache Thrift's js:node code (CommonJS). */
  readonly thriftModule: string;
  /** The Avro schema (JSON). */
  readonly avroSchema: string;
}

/**
 * Runs the generators; each step is announced on stderr through `progress`. Throws (with the
 * tool's own output already on stderr) when a tool fails.
 *
 * @param root - the repository root (holds package.json, node_modules, dist, bench).
 */
export function generatePeers(root: string, progress: (step: string) => void): GeneratedPeers {
  const schemas = join(root, 'bench', 'codec');
  const out = join(root, 'dist', 'bench', 'codec-peers');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
  const run = (file: string, args: string[]): void => {
    execFileSync(file, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  };

  progress('rpcgen bench/codec/record.rpc');
  run(process.execPath, [join(root, 'dist', 'compiler', 'cli.js'), '-o', join(out, 'gen'), join(schemas, 'record.rpc')]);

  progress('tsc on the generated code (the repo tsconfig, strict)');
  // Extends the repo's tsconfig so the generated code is held to the same strictness as the repo.
  writeFileSync(
    join(out, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../../tsconfig.json',
      compilerOptions: { rootDir: 'gen', outDir: 'gen-js', declaration: false, sourceMap: false },
      include: ['gen'],
    }),
  );
  run(bin('tsc'), ['-p', join(out, 'tsconfig.json')]);

  progress('pbjs -t static-module -w es6 bench/codec/record.proto, pbts');
  mkdirSync(join(out, 'proto'));
  run(bin('pbjs'), ['-t', 'static-module', '-w', 'es6', '-o', join(out, 'proto', 'record.js'), join(schemas, 'record.proto')]);
  run(bin('pbts'), ['-o', join(out, 'proto', 'record.d.ts'), join(out, 'proto', 'record.js')]);

  progress('thrift --gen js:node bench/codec/record.rpc');
  mkdirSync(join(out, 'thrift'));
  run('/usr/bin/thrift', ['--gen', 'js:node', '-out', join(out, 'thrift'), join(schemas, 'record.rpc')]);
  // The repo is "type": "module"; Thrift's js:node output is CommonJS.
  writeFileSync(join(out, 'thrift', 'package.json'), '{ "type": "commonjs" }\n');

  return {
    skiffModule: join(out, 'gen-js', 'record.js'),
    protobufModule: join(out, 'proto', 'record.js'),
    thriftModule: join(out, 'thrift', 'record_types.js'),
    avroSchema: join(schemas, 'record.avsc.json'),
  };
}
