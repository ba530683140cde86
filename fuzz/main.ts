/**
 * `npm run fuzz`: fuzzes a live server (see `run-fuzz.ts`) and prints what happened.
 *
 *   npm run fuzz -- --iterations 1000000
 *   npm run fuzz -- --seconds 60 --lanes 32 --seed 42
 *
 * Flags: `--iterations N` and/or `--seconds S` bound the run (default 100,000 inputs); `--lanes`
 * (connections at once, default 32), `--seed`, `--watchdog-ms` (default 10,000), `--max-rss-mb`
 * (default 512), `--patience-ms` (default 50), `--findings DIR` (default: under the OS temp dir),
 * `--server-log` (the server prints why it closed each connection). Progress goes to stderr, the
 * report (JSON) to stdout. Exits 1 when anything failed; findings are written as corpus entries
 * for `fuzz/corpus/`.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runFuzz, type FuzzOptions } from './run-fuzz.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string' },
    seconds: { type: 'string' },
    lanes: { type: 'string' },
    seed: { type: 'string' },
    'watchdog-ms': { type: 'string' },
    'max-rss-mb': { type: 'string' },
    findings: { type: 'string' },
    'patience-ms': { type: 'string' },
    'server-log': { type: 'boolean' },
  },
});

/** `--flag`'s value as a positive number, or `undefined` when not given. */
function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(number > 0) || !Number.isFinite(number)) throw new Error(`--${flag} must be a positive number, got ${JSON.stringify(value)}`);
  return number;
}

const options: FuzzOptions = {
  serverScript: fileURLToPath(new URL('./fuzz-server.js', import.meta.url)),
  ...optional('iterations', positive('iterations', values.iterations)),
  ...optional('seconds', positive('seconds', values.seconds)),
  ...optional('lanes', positive('lanes', values.lanes)),
  ...optional('seed', values.seed === undefined ? undefined : Number(values.seed)),
  ...optional('watchdogMs', positive('watchdog-ms', values['watchdog-ms'])),
  ...optional('maxRssMb', positive('max-rss-mb', values['max-rss-mb'])),
  ...optional('findingsDir', values.findings),
  ...optional('patienceMs', positive('patience-ms', values['patience-ms'])),
  ...optional('serverLog', values['server-log']),
  onProgress: (p) =>
    process.stderr.write(`fuzz: ${p.inputs} inputs in ${(p.elapsedMs / 1000).toFixed(0)} s (${p.inputsPerSecond}/s), ${p.connections} connections, max RSS ${p.rssMb} MiB, ${p.failures} failures\n`),
};

function optional<K extends keyof FuzzOptions, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, V>>);
}

const report = await runFuzz(options);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.stderr.write(
  `fuzz: ${report.passed ? 'PASSED' : 'FAILED'}: ${report.inputs} inputs in ${report.seconds.toFixed(1)} s (${report.inputsPerSecond}/s), ` +
    `${report.crashes} crashes, ${report.hangs} hangs, ${report.internalErrors} internal errors, ${report.lostReplies} lost replies, ` +
    `good client ${report.goodClient.calls - report.goodClient.failureCount}/${report.goodClient.calls} ok, max RSS ${report.maxRssMb.toFixed(0)} MiB, ` +
    `heap after GC ${report.heapAfterGcStartMb.toFixed(1)} -> ${report.heapAfterGcEndMb.toFixed(1)} MiB (seed ${report.seed})\n`,
);
if (report.findingsFile !== undefined) process.stderr.write(`fuzz: findings written to ${report.findingsFile}\n`);
process.exitCode = report.passed ? 0 : 1;
