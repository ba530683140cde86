/**
 * RPC benchmark (issue 8; a script, not a test): calls/s, latency, CPU per call on each side and
 * server RSS of an echo of `Item { id: i64, name: string(20), tags: list<string>(3), score:
 * double }` on loopback, for skiff (native THeader and framed compact), `@grpc/grpc-js`, the npm
 * `thrift` library (framed compact and binary) and a raw `net` echo of the same bytes (the
 * ceiling), at K = 1, 16 and 256 calls in flight over 1 and over 4 connections. Each server runs
 * in its own child process, so client and server do not share an event loop; all clients run
 * here. Prints a Markdown report (stdout) and progress (stderr).
 *
 *   npm run bench:rpc                       # build, generate every peer's code, verify, measure
 *   node dist/bench/rpc-bench.js --rounds 1 --sample-ms 300 --warmup-ms 300     # a smoke run
 *   node dist/bench/rpc-bench.js --pairs skiff/skiff,raw/raw --in-flight 256 --connections 1
 *   node dist/bench/rpc-bench.js --json results.json --svg chart.svg
 *
 * Method: every pair is checked first (whole replies field by field, then 256 concurrent calls
 * over all its connections with replies checked against the call that sent them), then warmed up
 * at each shape, then measured in interleaved rounds (the order of the cells rotates each round)
 * so a noisy phase of the machine is spread over all of them. Reported numbers are medians over
 * the rounds; latency percentiles are per sample, then the median of those. Peers are pluggable:
 * see bench/rpc/peer.ts and bench/rpc/peers/index.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { encode, type Codec } from '../runtime/index.js';
import { positiveInteger } from './flags.js';
import { formatRate } from './report/format.js';
import { checkWholeEcho, ITEMS } from './rpc/fixture.js';
import { runClosedLoop, type Caller } from './rpc/load.js';
import type { BenchClient, GeneratedCode } from './rpc/peer.js';
import { parsePairs } from './rpc/pairs-flag.js';
import { DEFAULT_PAIRS, loadClientPeer, type Pair } from './rpc/peers/index.js';
import { generatePeers } from './rpc/prepare.js';
import { renderRpcChart } from './rpc/chart.js';
import { renderRpcReport } from './rpc/report.js';
import { summarize, type CellSample, type RpcResults } from './rpc/results.js';
import { startServer, type ServerProcess } from './rpc/server-process.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'sample-ms': { type: 'string', default: '1000' },
    'warmup-ms': { type: 'string', default: '1500' },
    'in-flight': { type: 'string', default: '1,16,256' },
    connections: { type: 'string', default: '1,4' },
    pairs: { type: 'string', default: DEFAULT_PAIRS.map((p) => p.label).join(',') },
    json: { type: 'string' },
    svg: { type: 'string' },
  },
});

const root = resolve(import.meta.dirname, '..', '..');
const progress = (line: string): void => void process.stderr.write(`[bench:rpc] ${line}\n`);

const list = (flag: string, value: string): number[] => value.split(',').map((v) => positiveInteger(flag, v.trim()));
const rounds = positiveInteger('rounds', flags.rounds);
const sampleMs = positiveInteger('sample-ms', flags['sample-ms']);
const warmupMs = positiveInteger('warmup-ms', flags['warmup-ms']);
const inFlights = list('in-flight', flags['in-flight']);
const connectionCounts = list('connections', flags.connections);
const maxConnections = Math.max(...connectionCounts);
const pairs: Pair[] = parsePairs(flags.pairs);

/** One measured combination: a pair at one connection count and concurrency. */
interface Cell {
  readonly pair: Pair;
  /** The client peer's wire, for the legend. */
  readonly wire: string;
  readonly connections: number;
  readonly inFlight: number;
  readonly caller: Caller;
  readonly server: ServerProcess;
  readonly samples: CellSample[];
}

function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(resolve(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function thriftCompilerVersion(): string {
  return execFileSync('/usr/bin/thrift', ['--version'], { encoding: 'utf8' }).trim().replace(/^Thrift version /, '');
}

function formatSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** Size of the echo's payload: the compact `echo_args` struct skiff and the raw peer send. */
async function payloadBytes(generated: GeneratedCode): Promise<number> {
  const { EchoServiceEchoArgs } = (await import(pathToFileURL(generated.skiffEcho).href)) as { EchoServiceEchoArgs: Codec<unknown> };
  const item = ITEMS[0]!;
  return encode(EchoServiceEchoArgs, { item: { ...item, id: BigInt(item.id), tags: [...item.tags] } }, 'compact').length;
}

/** Checks a pair before timing: whole replies, then 256 concurrent calls over all its connections. */
async function verify(pair: Pair, clients: readonly BenchClient[]): Promise<void> {
  progress(`verify ${pair.label}`);
  for (const client of clients) {
    for (let index = 0; index < ITEMS.length; index++) checkWholeEcho(pair.label, index, await client.echo(index));
  }
  await Promise.all(Array.from({ length: 256 }, (_, index) => clients[index % clients.length]!.call(index)));
}

const loadBefore = loadavg();
const started = performance.now();
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
    const peer = await loadClientPeer(pair.client);
    const own: BenchClient[] = [];
    for (let i = 0; i < maxConnections; i++) {
      const client = await peer.connect(generated, server.port);
      own.push(client);
      clients.push(client);
    }
    await verify(pair, own);
    for (const connections of connectionCounts) {
      const used = own.slice(0, connections);
      const caller: Caller = connections === 1 ? (index) => used[0]!.call(index) : (index) => used[index % connections]!.call(index);
      for (const inFlight of inFlights) cells.push({ pair, wire: peer.wire, connections, inFlight, caller, server, samples: [] });
    }
  }

  // Cells of one shape next to each other: the peers a ratio compares are measured close in time.
  cells.sort((a, b) => a.connections - b.connections || a.inFlight - b.inFlight || pairs.indexOf(a.pair) - pairs.indexOf(b.pair));
  const name = (cell: Cell): string => `${cell.pair.label} ${cell.connections}c K=${cell.inFlight}`;
  const estimateMs = cells.length * (warmupMs + rounds * sampleMs);
  progress(`${cells.length} cells: warm-up ${formatSeconds(cells.length * warmupMs)}, then ${rounds} rounds of ${formatSeconds(cells.length * sampleMs)} (about ${formatSeconds(estimateMs)} in all)`);
  for (const cell of cells) {
    progress(`warm up ${name(cell)} (${warmupMs} ms)`);
    await runClosedLoop(cell.caller, cell.inFlight, warmupMs);
  }
  const roundsStarted = performance.now();
  for (let round = 0; round < rounds; round++) {
    // Each round starts at another point of the cycle, spread evenly over the rounds.
    const shift = (round * Math.ceil(cells.length / rounds)) % cells.length;
    const order = [...cells.slice(shift), ...cells.slice(0, shift)];
    for (const cell of order) {
      const before = await cell.server.stats();
      const sample = await runClosedLoop(cell.caller, cell.inFlight, sampleMs);
      const after = await cell.server.stats();
      cell.samples.push({ ...sample, serverCpuMicrosPerCall: (after.cpuMicros - before.cpuMicros) / sample.calls, serverRssBytes: after.rssBytes });
    }
    const perRoundMs = (performance.now() - roundsStarted) / (round + 1);
    progress(`round ${round + 1}/${rounds} done, about ${formatSeconds(perRoundMs * (rounds - round - 1))} left:`);
    for (const pair of pairs) {
      const line = cells
        .filter((c) => c.pair === pair)
        .map((c) => `${c.connections}c K=${c.inFlight} ${formatRate(c.samples.at(-1)!.callsPerSecond)}`)
        .join(', ');
      progress(`  ${pair.label.padEnd(28)} ${line}`);
    }
  }
} finally {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled([...servers.values()].map((s) => s.stop()));
}

const results: RpcResults = {
  info: {
    node: `Node ${process.version}`,
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: availableParallelism(),
    loadBefore: loadBefore[0]!,
    loadAfter: loadavg()[0]!,
    versions: [
      `@grpc/grpc-js ${versionOf('@grpc/grpc-js')}`,
      `protobufjs ${versionOf('protobufjs')}`,
      `npm thrift ${versionOf('thrift')} (code from thrift ${thriftCompilerVersion()} --gen js:node,es6)`,
    ],
    rounds,
    sampleMs,
    warmupMs,
    payloadBytes: await payloadBytes(generated),
  },
  cells: cells.map((cell) =>
    summarize({ label: cell.pair.label, title: cell.pair.title, wire: cell.wire, connections: cell.connections, inFlight: cell.inFlight }, cell.samples),
  ),
};
progress(`measured in ${formatSeconds(performance.now() - started)}`);
if (flags.json !== undefined) writeFileSync(flags.json, `${JSON.stringify(results, null, 2)}\n`);
let chart: string | undefined;
if (flags.svg !== undefined) {
  writeFileSync(flags.svg, renderRpcChart(results.cells));
  chart = `![Echo calls/s per peer, bars per K, on 1 and on 4 connections](${basename(flags.svg)})`;
}
console.log(renderRpcReport(results, chart));
console.log(
  'skiff and grpc-js calls carry a 60 s deadline (enforced by the client; with THeader also sent as a `skiff-timeout-ms` header, with grpc-js a ' +
    '`grpc-timeout` header); thrift and raw calls have none. CPU columns: process CPU time (user + system) per call, the client ' +
    '(benchmark) process and the server process each; server RSS is read from the server process at the end of each sample.',
);
