/**
 * Compiler benchmark (not a test): times `rpcgen` end to end (a fresh process, as a build would run
 * it) on a generated IDL of 1,000 structs and 100 services, and reports the median of several runs
 * as Markdown (stdout; progress on stderr).
 *
 *   npm run build && npm run bench:compiler
 *   node dist/bench/compiler-bench.js --runs 1      # a smoke run
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { positiveInteger } from './flags.js';
import { largeIdl } from './large-idl.js';
import { plural, verdict } from './report/format.js';
import { median } from './rpc/load.js';

const STRUCTS = 1000;
const SERVICES = 100;
const TARGET_MS = 3000;

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = positiveInteger('runs', flags.runs);

const cli = resolve(import.meta.dirname, '../compiler/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'rpcgen-bench-'));
try {
  const input = join(dir, 'large.rpc');
  const idl = largeIdl(STRUCTS, SERVICES);
  writeFileSync(input, idl);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const out = join(dir, `out${run}`);
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, [cli, '-o', out, input], { stdio: ['ignore', 'ignore', 'inherit'] });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    process.stderr.write(`[bench:compiler] run ${run + 1}/${runs}: ${times.at(-1)!.toFixed(0)} ms\n`);
  }
  const outFile = join(dir, 'out0', readdirSync(join(dir, 'out0'))[0]!);
  const medianMs = median(times);
  console.log(
    `\`rpcgen\` on ${STRUCTS} structs / ${SERVICES} services (${idl.split('\n').length} IDL lines -> ${(statSync(outFile).size / 1024).toFixed(0)} KiB of TypeScript), ` +
      `a fresh process per run, ${plural(runs, 'run')}:\n`,
  );
  console.log('| median ms | min..max ms | target (issue 8) | status |');
  console.log('| ---: | ---: | --- | --- |');
  console.log(`| ${medianMs.toFixed(0)} | ${Math.min(...times).toFixed(0)}..${Math.max(...times).toFixed(0)} | <= ${TARGET_MS} ms | ${verdict(medianMs <= TARGET_MS)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
