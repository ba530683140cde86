/**
 * `npm run bench` (issue 8): runs the RPC, codec, connection and compiler benchmarks one after the
 * other, each in its own process (their progress streams to stderr as they run), and writes what
 * they report into the generated sections of docs/benchmarks.md (between `<!-- bench:NAME:start -->`
 * and `<!-- bench:NAME:end -->`) plus the RPC chart, docs/benchmarks-rpc.svg.
 *
 *   npm run bench                                               # everything, full length (minutes)
 *   npm run bench -- --rounds 1 --sample-ms 300                 # a smoke run (under a minute)
 *   npm run bench -- --only rpc,connection --dry-run            # print instead of writing docs/
 *
 * Options: `--rounds N` (each benchmark's rounds; the compiler's runs), `--sample-ms MS` (RPC and
 * codec sample length; the warm-up then defaults to the same), `--warmup-ms MS`, `--only
 * rpc,codec,connection,compiler`, `--dry-run`. Without options each benchmark uses its own
 * defaults (see its header comment).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { positiveInteger } from './flags.js';
import { replaceSection } from './report/doc-sections.js';

/** One benchmark the runner knows: its script and how the shared options map onto its flags. */
interface Benchmark {
  readonly name: string;
  readonly script: string;
  readonly args: (options: SharedOptions, svgPath: string) => string[];
}

/** The options given to the runner (undefined: the benchmark's own default). */
interface SharedOptions {
  readonly rounds: number | undefined;
  readonly sampleMs: number | undefined;
  readonly warmupMs: number | undefined;
}

const numberFlag = (flag: string, value: number | undefined): string[] => (value === undefined ? [] : [`--${flag}`, String(value)]);

const BENCHMARKS: readonly Benchmark[] = [
  {
    name: 'rpc',
    script: 'rpc-bench.js',
    args: (o, svgPath) => [...numberFlag('rounds', o.rounds), ...numberFlag('sample-ms', o.sampleMs), ...numberFlag('warmup-ms', o.warmupMs), '--svg', svgPath],
  },
  {
    name: 'codec',
    script: 'codec-bench.js',
    args: (o) => [...numberFlag('rounds', o.rounds), ...numberFlag('sample-ms', o.sampleMs), ...numberFlag('warmup-ms', o.warmupMs)],
  },
  { name: 'connection', script: 'connection-bench.js', args: (o) => numberFlag('rounds', o.rounds) },
  { name: 'compiler', script: 'compiler-bench.js', args: (o) => numberFlag('runs', o.rounds) },
];

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string' },
    'sample-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
    only: { type: 'string', default: BENCHMARKS.map((b) => b.name).join(',') },
    'dry-run': { type: 'boolean', default: false },
  },
});

const optional = (flag: string, value: string | undefined): number | undefined => (value === undefined ? undefined : positiveInteger(flag, value));
const sampleMs = optional('sample-ms', flags['sample-ms']);
const options: SharedOptions = {
  rounds: optional('rounds', flags.rounds),
  sampleMs,
  // A short sample asks for a short run: warm up as long as one sample unless told otherwise.
  warmupMs: optional('warmup-ms', flags['warmup-ms']) ?? sampleMs,
};
const selected = flags.only.split(',').map((name) => {
  const found = BENCHMARKS.find((b) => b.name === name.trim());
  if (found === undefined) throw new Error(`--only: unknown benchmark ${JSON.stringify(name)}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  return found;
});

const here = import.meta.dirname;
const root = resolve(here, '..', '..');
const docPath = join(root, 'docs', 'benchmarks.md');
const svgPath = join(root, 'docs', 'benchmarks-rpc.svg');
const dryRun = flags['dry-run'];
const scratch = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

/** Runs one benchmark script; resolves with its stdout (the report), rejects on a non-zero exit. */
function run(benchmark: Benchmark, args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(here, benchmark.script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolvePromise(Buffer.concat(chunks).toString('utf8'));
      else reject(new Error(`${benchmark.script} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

const described = [
  options.rounds === undefined ? undefined : `--rounds ${options.rounds}`,
  options.sampleMs === undefined ? undefined : `--sample-ms ${options.sampleMs}`,
  options.warmupMs === undefined ? undefined : `--warmup-ms ${options.warmupMs}`,
].filter((part) => part !== undefined);
const stamp = `_Generated by \`npm run bench${described.length === 0 ? '' : ` -- ${described.join(' ')}`}\` on ${new Date().toISOString().slice(0, 10)}._`;
const started = performance.now();
const failed: string[] = [];
try {
  const sections = new Map<string, string>();
  for (const [index, benchmark] of selected.entries()) {
    const args = benchmark.args(options, dryRun ? join(scratch, 'benchmarks-rpc.svg') : svgPath);
    progress(`${index + 1}/${selected.length}: ${benchmark.name} (node dist/bench/${benchmark.script} ${args.join(' ')})`);
    const benchStarted = performance.now();
    try {
      const report = await run(benchmark, args);
      sections.set(benchmark.name, `${stamp}\n\n${report.trim()}\n`);
      progress(`${benchmark.name} done in ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
    } catch (error) {
      // The others still run and are written: one broken peer should not cost a long run's results.
      failed.push(benchmark.name);
      progress(`${benchmark.name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (dryRun) {
    for (const [name, report] of sections) process.stdout.write(`\n<!-- ${name} -->\n${report}`);
  } else if (sections.size > 0) {
    let document = readFileSync(docPath, 'utf8');
    for (const [name, report] of sections) document = replaceSection(document, name, report);
    writeFileSync(docPath, document);
    progress(`wrote ${[...sections.keys()].join(', ')} into docs/benchmarks.md${sections.has('rpc') ? ' and docs/benchmarks-rpc.svg' : ''}`);
  }
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s${failed.length === 0 ? '' : `; failed: ${failed.join(', ')}`}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (failed.length > 0) process.exitCode = 1;
