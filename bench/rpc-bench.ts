/**
 * RPC benchmark (a script, not a test): calls/s and latency of one small call on loopback over
 * ONE connection, at 1 call in flight and at 256, for skiff and the npm `thrift` library side by
 * side (plus the cross pairs thrift -> skiff and skiff -> thrift, which show which side makes the
 * difference). Each server runs in its own child process, so client and server do not share an
 * event loop; all clients run here. Prints a Markdown table (stdout) and progress (stderr).
 *
 *   npm run bench:rpc                       # build, generate both peers' code, verify, measure
 *   node dist/bench/rpc-bench.js --rounds 7 --sample-ms 2000 --workload ping --in-flight 1,64,256
 *
 * Method: every pair is checked first (results, and replies matched to the right call with 256 in
 * flight), then warmed up at each concurrency, then measured in interleaved rounds (the order of
 * pairs rotates each round) so a noisy phase of the machine is spread over all of them. Reported
 * numbers are medians over the rounds; latency percentiles are per sample, then the median of
 * those. Peers are pluggable: see bench/rpc/peer.ts and bench/rpc/peers/index.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { USER_COUNT } from './rpc/fixture.js';
import { median, runClosedLoop, type Caller, type Sample } from './rpc/load.js';
import type { BenchClient, Workload } from './rpc/peer.js';
import { CLIENT_PEERS, PAIRS, type Pair } from './rpc/peers/index.js';
import { generatePeers } from './rpc/prepare.js';
import { startServer, type ServerProcess } from './rpc/server-process.js';
import { positiveInteger } from './flags.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'sample-ms': { type: 'string', default: '1000' },
    'warmup-ms': { type: 'string', default: '1500' },
    'in-flight': { type: 'string', default: '1,256' },
    workload: { type: 'string', default: 'getUser' },
    pairs: { type: 'string', default: PAIRS.map((p) => p.label).join(',') },
  },
});

const root = resolve(import.meta.dirname, '..', '..');
const progress = (line: string): void => void process.stderr.write(`[bench:rpc] ${line}\n`);

const rounds = positiveInteger('rounds', flags.rounds);
const sampleMs = positiveInteger('sample-ms', flags['sample-ms']);
const warmupMs = positiveInteger('warmup-ms', flags['warmup-ms']);
const inFlights = flags['in-flight'].split(',').map((v) => positiveInteger('in-flight', v.trim()));
if (flags.workload !== 'ping' && flags.workload !== 'getUser') throw new Error(`--workload must be ping or getUser, got ${JSON.stringify(flags.workload)}`);
const workload: Workload = flags.workload;
const pairs: Pair[] = flags.pairs.split(',').map((label) => {
  const found = PAIRS.find((p) => p.label === label.trim());
  if (found === undefined) throw new Error(`unknown pair ${JSON.stringify(label)}; known: ${PAIRS.map((p) => p.label).join(', ')}`);
  return found;
});
const reference = pairs[0]!;

/** One measured combination: a pair at one concurrency. */
interface Cell {
  readonly pair: Pair;
  readonly inFlight: number;
  readonly caller: Caller;
  readonly server: ServerProcess;
  readonly samples: Array<Sample & { readonly serverCpuMicrosPerCall: number }>;
}

function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(resolve(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function thriftCompilerVersion(): string {
  return execFileSync('/usr/bin/thrift', ['--version'], { encoding: 'utf8' }).trim().replace(/^Thrift version /, '');
}

function formatRate(perSecond: number): string {
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M` : `${(perSecond / 1e3).toFixed(1)}k`;
}

function formatMs(ms: number): string {
  return ms >= 10 ? ms.toFixed(1) : ms.toFixed(3);
}

/** Checks a pair before timing: each user by key, then 256 concurrent calls with mixed keys. */
async function verify(pair: Pair, client: BenchClient): Promise<void> {
  progress(`verify ${pair.label}`);
  await client.call('ping', 1);
  for (let key = 1; key <= USER_COUNT; key++) await client.call('getUser', key);
  await Promise.all(Array.from({ length: 256 }, (_, i) => client.call('getUser', (i % USER_COUNT) + 1)));
}

const loadBefore = loadavg();
progress(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min) on ${availableParallelism()} cores`);
const generated = generatePeers(root, (step) => progress(`generate: ${step}`));

const servers = new Map<string, ServerProcess>();
const clients: BenchClient[] = [];
const cells: Cell[] = [];
try {
  for (const pair of pairs) {
    if (!servers.has(pair.server)) {
      progress(`start server ${pair.server} (child process)`);
      servers.set(pair.server, await startServer(pair.server, generated));
    }
  }
  for (const pair of pairs) {
    const server = servers.get(pair.server)!;
    const client = await CLIENT_PEERS.get(pair.client)!.connect(generated, server.port);
    clients.push(client);
    await verify(pair, client);
    const caller: Caller = (index) => client.call(workload, (index % USER_COUNT) + 1);
    for (const inFlight of inFlights) cells.push({ pair, inFlight, caller, server, samples: [] });
  }

  for (const cell of cells) {
    progress(`warm up ${cell.pair.label} at ${cell.inFlight} in flight (${warmupMs} ms)`);
    await runClosedLoop(cell.caller, cell.inFlight, warmupMs);
  }
  for (let round = 0; round < rounds; round++) {
    const shift = (round * inFlights.length) % cells.length;
    const order = [...cells.slice(shift), ...cells.slice(0, shift)];
    for (const cell of order) {
      const serverBefore = await cell.server.cpuMicros();
      const sample = await runClosedLoop(cell.caller, cell.inFlight, sampleMs);
      const serverAfter = await cell.server.cpuMicros();
      cell.samples.push({ ...sample, serverCpuMicrosPerCall: (serverAfter - serverBefore) / sample.calls });
    }
    const line = order.map((c) => `${c.pair.label}@${c.inFlight} ${formatRate(c.samples.at(-1)!.callsPerSecond)}`).join(', ');
    progress(`round ${round + 1}/${rounds}: ${line}`);
  }
} finally {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled([...servers.values()].map((s) => s.stop()));
}
const loadAfter = loadavg();

interface Summary {
  readonly rate: number;
  readonly minRate: number;
  readonly maxRate: number;
  readonly p50: number;
  readonly p99: number;
  readonly clientCpu: number;
  readonly serverCpu: number;
}

function summarize(cell: Cell): Summary {
  const rates = cell.samples.map((s) => s.callsPerSecond);
  return {
    rate: median(rates),
    minRate: Math.min(...rates),
    maxRate: Math.max(...rates),
    p50: median(cell.samples.map((s) => s.p50Ms)),
    p99: median(cell.samples.map((s) => s.p99Ms)),
    clientCpu: median(cell.samples.map((s) => s.clientCpuMicrosPerCall)),
    serverCpu: median(cell.samples.map((s) => s.serverCpuMicrosPerCall)),
  };
}

const summaries = new Map(cells.map((cell) => [cell, summarize(cell)]));
const find = (pair: Pair, inFlight: number): Summary => summaries.get(cells.find((c) => c.pair === pair && c.inFlight === inFlight)!)!;

console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; load average ` +
    `${loadBefore[0]!.toFixed(2)} before, ${loadAfter[0]!.toFixed(2)} after; npm thrift ${versionOf('thrift')} ` +
    `(code from thrift ${thriftCompilerVersion()} --gen js:node,es6).`,
);
console.log(
  `\`${workload}\` over one TCP connection on 127.0.0.1, server in a child process; ${rounds} interleaved rounds of ` +
    `${sampleMs} ms per row after ${warmupMs} ms of warm-up; medians over the rounds (calls/s: min..max).\n`,
);
console.log(
  `| client/server | wire | in flight | calls/s | p50 ms | p99 ms | client CPU µs/call | server CPU µs/call | calls/s vs ${reference.label} |`,
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const cell of cells) {
  const s = summaries.get(cell)!;
  const ref = find(reference, cell.inFlight);
  console.log(
    `| ${cell.pair.label} | ${CLIENT_PEERS.get(cell.pair.client)!.wire} | ${cell.inFlight} | ` +
      `${formatRate(s.rate)} (${formatRate(s.minRate)}..${formatRate(s.maxRate)}) | ${formatMs(s.p50)} | ${formatMs(s.p99)} | ` +
      `${s.clientCpu.toFixed(1)} | ${s.serverCpu.toFixed(1)} | ${(s.rate / ref.rate).toFixed(2)}x |`,
  );
}
console.log('');
for (const pair of pairs.slice(1)) {
  const parts = inFlights.map((inFlight) => {
    const ours = find(reference, inFlight);
    const theirs = find(pair, inFlight);
    return `${inFlight} in flight: ${(ours.rate / theirs.rate).toFixed(2)}x the calls/s, p50 ${(ours.p50 / theirs.p50).toFixed(2)}x, p99 ${(ours.p99 / theirs.p99).toFixed(2)}x`;
  });
  console.log(`- ${reference.label} vs ${pair.label} (latency ratios below 1: ${reference.label} is faster): ${parts.join('; ')}.`);
}
console.log(
  `\nskiff calls carry a 60 s deadline (a timer per call, and a \`skiff-timeout-ms\` header with THeader); thrift calls have none. ` +
    `CPU columns: process CPU time (user + system) per call, client and server process each.`,
);
