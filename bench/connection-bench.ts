/**
 * Connection benchmark (issue 8; a script, not a test): what a new client pays before its first
 * reply, per peer: a new connection plus the first echo call (the raw `net` peer is the ceiling:
 * connect plus one echoed frame), and how long importing each library takes in a fresh process
 * (`skiff/runtime` against importing nothing and against importing a one-line module file, the
 * floor every first ES module import pays; grpc-js and thrift for context). Prints a Markdown
 * report (stdout) and progress (stderr).
 *
 *   npm run build && node dist/bench/connection-bench.js
 *   node dist/bench/connection-bench.js --rounds 1 --per-round 3      # a smoke run
 *
 * Method: servers run in child processes (as in the RPC benchmark). Each pair is warmed up (its
 * modules loaded, its code paths compiled) with a few untimed connects; then every round times
 * `--per-round` connects of each pair in turn (the order rotates each round), each one:
 * `connect()`, the first `echo` call checked, then close (not timed). Import times come from
 * `--imports-per-round` fresh processes per module per round, interleaved the same way.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { oneLineModule, timeImport, type ImportTiming } from './connection/import-time.js';
import { positiveInteger } from './flags.js';
import { median } from './rpc/load.js';
import type { ClientPeer, GeneratedCode } from './rpc/peer.js';
import { parsePairs } from './rpc/pairs-flag.js';
import { DEFAULT_PAIRS, GRPC, loadClientPeer, RAW, THRIFT, type Pair } from './rpc/peers/index.js';
import { generatePeers } from './rpc/prepare.js';
import { startServer, type ServerProcess } from './rpc/server-process.js';
import { formatMs, formatRatio, plural, verdict } from './report/format.js';

/** Issue 8's targets. */
const TARGET_CONNECT_VS_RAW = 1.5;
/** `skiff/runtime`'s import, net of Node's ESM floor (importing a one-line module file). */
const TARGET_IMPORT_MS = 10;
const WARMUP_CONNECTS = 3;
/** Libraries whose import is timed, besides the empty process and the one-line module. */
const LIBRARIES: readonly string[] = ['skiff/runtime', '@grpc/grpc-js', 'thrift'];

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'per-round': { type: 'string', default: '10' },
    'imports-per-round': { type: 'string', default: '5' },
    pairs: { type: 'string', default: DEFAULT_PAIRS.map((p) => p.label).join(',') },
  },
});

const root = resolve(import.meta.dirname, '..', '..');
const progress = (line: string): void => void process.stderr.write(`[bench:connection] ${line}\n`);
const rounds = positiveInteger('rounds', flags.rounds);
const perRound = positiveInteger('per-round', flags['per-round']);
const importsPerRound = positiveInteger('imports-per-round', flags['imports-per-round']);
const pairs = parsePairs(flags.pairs);

/** Connects, makes the first call (checked), closes; returns the connect + call time in ms. */
async function connectAndCall(peer: ClientPeer, generated: GeneratedCode, port: number): Promise<number> {
  const start = performance.now();
  const client = await peer.connect(generated, port);
  try {
    await client.call(0);
    return performance.now() - start;
  } finally {
    await client.close();
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

const loadBefore = loadavg();
progress(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min) on ${availableParallelism()} cores`);
const generated = generatePeers(root, (step) => progress(`generate: ${step}`));

const floor = oneLineModule();
/** Modules whose import is timed; `undefined` is the empty process, `floor.url` the one-line module. */
const modules: readonly (string | undefined)[] = [undefined, floor.url, ...LIBRARIES];
const servers = new Map<string, ServerProcess>();
const connectTimes = new Map<Pair, number[]>(pairs.map((pair) => [pair, []]));
const importTimes = new Map<string | undefined, ImportTiming[]>(modules.map((spec) => [spec, []]));
try {
  const peers = new Map<Pair, ClientPeer>();
  for (const pair of pairs) {
    if (!servers.has(pair.server)) {
      progress(`start server ${pair.server} (child process)`);
      servers.set(pair.server, await startServer(pair.server, generated));
    }
    const peer = await loadClientPeer(pair.client);
    peers.set(pair, peer);
    progress(`warm up ${pair.label} (${WARMUP_CONNECTS} connects)`);
    for (let i = 0; i < WARMUP_CONNECTS; i++) await connectAndCall(peer, generated, servers.get(pair.server)!.port);
  }
  for (let round = 0; round < rounds; round++) {
    for (const pair of rotate(pairs, round)) {
      const port = servers.get(pair.server)!.port;
      for (let i = 0; i < perRound; i++) connectTimes.get(pair)!.push(await connectAndCall(peers.get(pair)!, generated, port));
    }
    for (const spec of rotate(modules, round)) {
      for (let i = 0; i < importsPerRound; i++) importTimes.get(spec)!.push(timeImport(spec, root));
    }
    const line = pairs.map((pair) => `${pair.label} ${formatMs(median(connectTimes.get(pair)!))} ms`).join(', ');
    progress(`round ${round + 1}/${rounds}: connect + first call (median so far) ${line}`);
  }
} finally {
  await Promise.allSettled([...servers.values()].map((s) => s.stop()));
  floor.dispose();
}
const loadAfter = loadavg();

const range = (values: readonly number[]): string => `${formatMs(median(values))} (${formatMs(Math.min(...values))}..${formatMs(Math.max(...values))})`;
const medianOf = (pair: Pair): number | undefined => {
  const times = connectTimes.get(pair);
  return times === undefined ? undefined : median(times);
};
const rawMedian = medianOf(RAW);
const thriftMedian = medianOf(THRIFT);
const grpcMedian = medianOf(GRPC);
const signedMs = (ms: number): string => `${ms < 0 ? '' : '+'}${formatMs(ms)}`;

const out: string[] = [
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; load average ${loadBefore[0]!.toFixed(2)} before, ${loadAfter[0]!.toFixed(2)} after.`,
  `${plural(rounds, 'interleaved round')}; ${plural(rounds * perRound, 'connect')} per peer after ${WARMUP_CONNECTS} untimed ones; ${plural(rounds * importsPerRound, 'fresh process', 'fresh processes')} per module.`,
  '',
  '#### New connection + first call',
  '',
  '| peer | ms, median (min..max) | vs raw | vs thrift | vs grpc-js |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...pairs.map((pair) => {
    const times = connectTimes.get(pair)!;
    const ours = median(times);
    return `| ${pair.title} | ${range(times)} | ${formatRatio(ours, rawMedian)} | ${formatRatio(ours, thriftMedian)} | ${formatRatio(ours, grpcMedian)} |`;
  }),
  '',
  '#### Import time in a fresh process',
  '',
  '| module | `await import()` ms, median (min..max) | net of the one-line module, ms | process start to imported, ms (median) | vs importing nothing |',
  '| --- | ---: | ---: | ---: | ---: |',
];
const emptyReady = median(importTimes.get(undefined)!.map((t) => t.readyMs));
const importMedian = (spec: string): number => median(importTimes.get(spec)!.map((t) => t.importMs));
const floorImport = importMedian(floor.url);
for (const spec of modules) {
  const timings = importTimes.get(spec)!;
  const ready = median(timings.map((t) => t.readyMs));
  const imports = range(timings.map((t) => t.importMs));
  out.push(
    spec === undefined
      ? `| (nothing) | - | - | ${formatMs(ready)} | - |`
      : spec === floor.url
        ? `| a one-line module file (Node's ESM floor) | ${imports} | - | ${formatMs(ready)} | ${signedMs(ready - emptyReady)} |`
        : `| \`${spec}\` | ${imports} | ${formatMs(importMedian(spec) - floorImport)} | ${formatMs(ready)} | ${signedMs(ready - emptyReady)} |`,
  );
}
const skiffImport = importMedian('skiff/runtime');
const skiffNet = skiffImport - floorImport;
out.push('', '#### Targets', '', '| target (issue 8) | measured | status |', '| --- | ---: | --- |');
for (const pair of pairs.filter((p) => p.server === 'skiff' && p.client.startsWith('skiff'))) {
  const ours = median(connectTimes.get(pair)!);
  out.push(
    `| ${pair.title}: new connection + first call <= ${TARGET_CONNECT_VS_RAW}x raw | ${formatRatio(ours, rawMedian)} (${formatMs(ours)} ms) | ${verdict(rawMedian === undefined ? undefined : ours <= TARGET_CONNECT_VS_RAW * rawMedian)} |`,
  );
}
out.push(
  `| \`skiff/runtime\` import <= ${TARGET_IMPORT_MS} ms, net of Node's ESM floor (${formatMs(floorImport)} ms here) | ${formatMs(skiffNet)} ms (${formatMs(skiffImport)} ms in all) | ${verdict(skiffNet <= TARGET_IMPORT_MS)} |`,
  '',
);
console.log(out.join('\n'));
