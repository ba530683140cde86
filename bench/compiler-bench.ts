/**
 * Compiler benchmark (not a test): times `rpcgen` end to end (a fresh process, as a build would run
 * it) on a generated IDL of 1,000 structs and 100 services, and reports the median of several runs.
 *
 *   npm run build && npm run bench:compiler
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { largeIdl } from './large-idl.js';

const STRUCTS = 1000;
const SERVICES = 100;
const RUNS = 5;
const TARGET_MS = 3000;

const cli = resolve(import.meta.dirname, '../compiler/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'rpcgen-bench-'));
try {
  const input = join(dir, 'large.rpc');
  const idl = largeIdl(STRUCTS, SERVICES);
  writeFileSync(input, idl);
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const out = join(dir, `out${run}`);
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, [cli, '-o', out, input], { stdio: ['ignore', 'ignore', 'inherit'] });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    process.stderr.write(`run ${run + 1}/${RUNS}: ${times.at(-1)!.toFixed(0)} ms\n`);
  }
  const outFile = join(dir, 'out0', readdirSync(join(dir, 'out0'))[0]!);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`rpcgen on ${STRUCTS} structs / ${SERVICES} services (${idl.split('\n').length} IDL lines -> ${(statSync(outFile).size / 1024).toFixed(0)} KiB of TypeScript)`);
  console.log(`median ${median.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}) over ${RUNS} runs; target ${TARGET_MS} ms: ${median <= TARGET_MS ? 'met' : 'NOT met'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
