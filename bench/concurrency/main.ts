/**
 * Concurrency-model benchmark (a script, not a test): the same PasswordService served by each of
 * the four server models, measured side by side in one run.
 *
 *   npm run bench:concurrency
 *   node dist/bench/concurrency/main.js --rounds 3 --sample-ms 2000 --parallelism 2 --iterations 5000
 *
 * Models: `event-loop` (one process), `shared-accept` and `handoff` (prefork, `parallelism`
 * worker processes), `worker-threads` (one process, a pool of `parallelism` threads for the
 * methods declared `(worker.thread)`). Each server runs in its own child process; the load comes
 * from this process over 4 connections.
 *
 * Scenarios, each a closed loop of `sample-ms`:
 * - light: `derivations()` (no work), 4 connections x 32 calls in flight;
 * - heavy: `derive()` with `iterations` PBKDF2 rounds (milliseconds of CPU), 4 connections x 2;
 * - mixed: the heavy load plus one more connection making light calls one at a time: how long a
 *   cheap call waits while the server is busy with expensive ones.
 *
 * Rounds are interleaved (the order of models rotates each round) and every number is the median
 * over rounds, with the range. Prints a Markdown table (stdout) and progress (stderr).
 */
import { fork } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createChannel, type ClientChannel } from 'skiff/runtime';
import { PasswordServiceClient } from '../../generated/security/password_service.js';
import { positiveInteger } from '../flags.js';
import { median, runClosedLoop, type Sample } from '../rpc/load.js';
import { MODELS, type Model } from './models.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'sample-ms': { type: 'string', default: '2000' },
    parallelism: { type: 'string', default: String(availableParallelism()) },
    iterations: { type: 'string', default: '5000' },
  },
});
const rounds = positiveInteger('rounds', flags.rounds);
const sampleMs = positiveInteger('sample-ms', flags['sample-ms']);
const parallelism = positiveInteger('parallelism', flags.parallelism);
const iterations = positiveInteger('iterations', flags.iterations);

const CONNECTIONS = 4;
const LIGHT_PER_CONNECTION = 32;
const HEAVY_PER_CONNECTION = 2;
const SALT = new Uint8Array(16).fill(7);

/** One model's numbers in one round. */
interface RoundResult {
  readonly light: Sample;
  readonly heavy: Sample;
  readonly mixedHeavy: Sample;
  readonly mixedLight: Sample;
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Starts `model` in a child process; resolves to its port and a stop function. */
async function startServer(model: Model): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./server-main.js', import.meta.url)), [model, String(parallelism)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${model} server exited with code ${code} before listening`)));
    child.on('message', (message: { type: string; port: number }) => {
      if (message.type === 'listening') resolve(message.port);
    });
  });
  return {
    port,
    stop: async () => {
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function clients(port: number, count: number): { clients: PasswordServiceClient[]; channels: ClientChannel[] } {
  const channels = Array.from({ length: count }, () => createChannel({ host: '127.0.0.1', port, connections: 1, retry: false }));
  return { channels, clients: channels.map((channel) => new PasswordServiceClient(channel)) };
}

async function measure(model: Model): Promise<RoundResult> {
  const server = await startServer(model);
  const load = clients(server.port, CONNECTIONS);
  const probe = clients(server.port, 1);
  const pick = (index: number): PasswordServiceClient => load.clients[index % CONNECTIONS]!;
  const light = async (index: number): Promise<void> => void (await pick(index).derivations());
  const heavy = async (index: number): Promise<void> => void (await pick(index).derive(`password-${index}`, SALT, iterations));
  const probeLight = async (): Promise<void> => void (await probe.clients[0]!.derivations());
  try {
    // Warm-up: connections open on every worker, JIT settled.
    await runClosedLoop(light, CONNECTIONS * LIGHT_PER_CONNECTION, 300);
    await runClosedLoop(heavy, CONNECTIONS * HEAVY_PER_CONNECTION, 300);
    const lightSample = await runClosedLoop(light, CONNECTIONS * LIGHT_PER_CONNECTION, sampleMs);
    const heavySample = await runClosedLoop(heavy, CONNECTIONS * HEAVY_PER_CONNECTION, sampleMs);
    const [mixedHeavy, mixedLight] = await Promise.all([
      runClosedLoop(heavy, CONNECTIONS * HEAVY_PER_CONNECTION, sampleMs),
      runClosedLoop(probeLight, 1, sampleMs),
    ]);
    return { light: lightSample, heavy: heavySample, mixedHeavy, mixedLight };
  } finally {
    await Promise.all([...load.channels, ...probe.channels].map((channel) => channel.close()));
    await server.stop();
  }
}

function summary(values: readonly number[], digits: number): string {
  const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return `${fmt(median(values))} (${fmt(Math.min(...values))}..${fmt(Math.max(...values))})`;
}

async function main(): Promise<void> {
  const started = performance.now();
  pbkdf2Sync('warm', SALT, iterations, 32, 'sha256');
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) pbkdf2Sync(`p${i}`, SALT, iterations, 32, 'sha256');
  const heavyCpuMs = (performance.now() - t0) / 10;
  progress(`one derive() with ${iterations} iterations: ${heavyCpuMs.toFixed(2)} ms of CPU here`);

  const results = new Map<Model, RoundResult[]>(MODELS.map((model) => [model, []]));
  for (let round = 0; round < rounds; round++) {
    const order = MODELS.map((_, i) => MODELS[(i + round) % MODELS.length]!);
    for (const model of order) {
      progress(`round ${round + 1}/${rounds}: ${model}`);
      results.get(model)!.push(await measure(model));
    }
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `Concurrency models, PasswordService, ${rounds} rounds of ${sampleMs} ms per scenario; median (min..max).`,
    `${availableParallelism()} CPUs (${cpu}), load average ${loadavg()[0]!.toFixed(2)} at the end; Node ${process.version};`,
    `parallelism ${parallelism} (prefork workers / pool threads); heavy call = derive() with ${iterations} PBKDF2 iterations, ${heavyCpuMs.toFixed(2)} ms of CPU.`,
    '',
    '| model | light calls/s | light p99 ms | heavy calls/s | heavy p99 ms | mixed: heavy calls/s | mixed: light p50 ms | mixed: light p99 ms |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const column = (model: Model, sample: (r: RoundResult) => Sample, field: 'callsPerSecond' | 'p50Ms' | 'p99Ms', digits: number): string =>
    summary(results.get(model)!.map((r) => sample(r)[field]), digits);
  for (const model of MODELS) {
    const cells = [
      column(model, (r) => r.light, 'callsPerSecond', 0),
      column(model, (r) => r.light, 'p99Ms', 1),
      column(model, (r) => r.heavy, 'callsPerSecond', 0),
      column(model, (r) => r.heavy, 'p99Ms', 1),
      column(model, (r) => r.mixedHeavy, 'callsPerSecond', 0),
      column(model, (r) => r.mixedLight, 'p50Ms', 1),
      column(model, (r) => r.mixedLight, 'p99Ms', 1),
    ];
    lines.push(`| ${model} | ${cells.join(' | ')} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
