/**
 * Codec benchmark (issue 3; a script, not a test): encode and decode throughput and encoded size
 * of one representative record, for skiff's generated codecs (compact and binary protocols)
 * side by side with protobufjs static code, avsc, msgpackr, JSON and the npm `thrift` library,
 * in one process, with interleaved rounds. Prints a Markdown table (stdout) and progress (stderr).
 *
 *   npm run bench:codec                      # build, generate every peer's code, verify, measure
 *   node dist/bench/codec-bench.js --rounds 15 --sample-ms 300 --clock wall
 *
 * Every peer must round-trip the record exactly before it is timed. Samples are timed on the
 * process's CPU clock by default (`--clock wall` for elapsed time): on a shared machine other
 * processes then cost a codec cache misses, not the whole time slice they take.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertSameCustomer, createCustomer } from './codec/customer.js';
import { measureInterleaved, type Throughput, type TimedTask } from './codec/measure.js';
import { createAvscPeer, createJsonPeer, createMsgpackrPeer, createProtobufPeer, createThriftPeer, type CodecPeer } from './codec/peers.js';
import { generatePeers } from './codec/prepare.js';
import { createSkiffPeer } from './codec/skiff-peer.js';
import { positiveInteger } from './flags.js';
import { verdict } from './report/format.js';

/** The issue's targets for skiff's codecs. */
const TARGET_SPEEDUP_VS_PROTOBUF = 1.5;
const TARGET_SPEEDUP_VS_AVSC = 1;
const TARGET_SIZE_VS_PROTOBUF = 1.1;

const PROTOBUF = 'protobufjs static';
const AVSC = 'avsc';
const SKIFF_DEFAULT = 'skiff compact';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    'sample-ms': { type: 'string', default: '200' },
    'warmup-ms': { type: 'string', default: '1000' },
    clock: { type: 'string', default: 'cpu' },
  },
});

const root = resolve(import.meta.dirname, '..', '..');
const progress = (line: string): void => {
  process.stderr.write(`[bench:codec] ${line}\n`);
};

/** Result of one peer. */
interface PeerResult {
  readonly name: string;
  readonly bytes: number;
  readonly encode: Throughput;
  readonly decode: Throughput;
}

function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(resolve(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function formatRate(opsPerSecond: number): string {
  return opsPerSecond >= 1e6 ? `${(opsPerSecond / 1e6).toFixed(2)}M` : `${(opsPerSecond / 1e3).toFixed(0)}k`;
}

function formatThroughput(throughput: Throughput): string {
  return `${formatRate(throughput.median)} (${formatRate(throughput.min)}..${formatRate(throughput.max)})`;
}

function ratio(value: number, reference: number): string {
  return `${(value / reference).toFixed(2)}x`;
}

function verify(peer: CodecPeer, customer: ReturnType<typeof createCustomer>): Uint8Array {
  const bytes = peer.encode();
  // A Buffer copy: some peers (avsc, thrift) decode only Buffers, and none may rely on shared memory.
  const copy = Buffer.from(bytes);
  assertSameCustomer(peer.name, peer.toCanonical(peer.decode(copy)), customer);
  const again = peer.encode();
  if (Buffer.compare(again, copy) !== 0) throw new Error(`${peer.name}: encoding the same record twice gave different bytes`);
  // Handing out the same memory twice means the next encode overwrites bytes the caller holds,
  // and saves the copy every other peer pays for.
  if (again.buffer === bytes.buffer && again.byteOffset === bytes.byteOffset) {
    throw new Error(`${peer.name}: encode returned the same memory twice (a view of a reused buffer, not a copy)`);
  }
  return copy;
}

function table(results: readonly PeerResult[]): string {
  const protobuf = results.find((result) => result.name === PROTOBUF)!;
  const avsc = results.find((result) => result.name === AVSC)!;
  const lines = [
    '| codec | encode ops/s, median (min..max) | decode ops/s, median (min..max) | bytes | encode vs protobufjs | decode vs protobufjs | encode vs avsc | decode vs avsc | size vs protobuf |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const result of results) {
    lines.push(
      `| ${result.name} | ${formatThroughput(result.encode)} | ${formatThroughput(result.decode)} | ${result.bytes} | ` +
        `${ratio(result.encode.median, protobuf.encode.median)} | ${ratio(result.decode.median, protobuf.decode.median)} | ` +
        `${ratio(result.encode.median, avsc.encode.median)} | ${ratio(result.decode.median, avsc.decode.median)} | ` +
        `${ratio(result.bytes, protobuf.bytes)} |`,
    );
  }
  return lines.join('\n');
}

/** The targets (issues 3 and 8) as a table: one measured/status column pair per skiff protocol. */
function targetTable(results: readonly PeerResult[]): string[] {
  const protobuf = results.find((result) => result.name === PROTOBUF)!;
  const avsc = results.find((result) => result.name === AVSC)!;
  const skiff = results.filter((result) => result.name.startsWith('skiff'));
  type Check = (result: PeerResult) => { readonly measured: string; readonly met: boolean } | undefined;
  const speed = (op: 'encode' | 'decode', reference: PeerResult, limit: number): Check => (result) => ({
    measured: ratio(result[op].median, reference[op].median),
    met: result[op].median >= limit * reference[op].median,
  });
  const rows: [string, Check][] = [
    [`encode >= ${TARGET_SPEEDUP_VS_PROTOBUF}x protobufjs static`, speed('encode', protobuf, TARGET_SPEEDUP_VS_PROTOBUF)],
    [`decode >= ${TARGET_SPEEDUP_VS_PROTOBUF}x protobufjs static`, speed('decode', protobuf, TARGET_SPEEDUP_VS_PROTOBUF)],
    ['encode >= avsc', speed('encode', avsc, TARGET_SPEEDUP_VS_AVSC)],
    ['decode >= avsc', speed('decode', avsc, TARGET_SPEEDUP_VS_AVSC)],
    // The size target is the default (compact) protocol's: Binary writes fixed-width numbers.
    [
      `size <= ${TARGET_SIZE_VS_PROTOBUF}x protobuf (compact)`,
      (result) => (result.name === SKIFF_DEFAULT ? { measured: ratio(result.bytes, protobuf.bytes), met: result.bytes <= TARGET_SIZE_VS_PROTOBUF * protobuf.bytes } : undefined),
    ],
  ];
  return [
    `| target | ${skiff.map((result) => `${result.name} | status`).join(' | ')} |`,
    `| --- | ${skiff.map(() => '---: | ---').join(' | ')} |`,
    ...rows.map(([target, check]) => {
      const columns = skiff.map((result) => {
        const outcome = check(result);
        return outcome === undefined ? '- | -' : `${outcome.measured} | ${verdict(outcome.met)}`;
      });
      return `| ${target} | ${columns.join(' | ')} |`;
    }),
  ];
}

const rounds = positiveInteger('rounds', flags.rounds);
const sampleMs = positiveInteger('sample-ms', flags['sample-ms']);
const warmupMs = positiveInteger('warmup-ms', flags['warmup-ms']);
const clock = flags.clock;
if (clock !== 'cpu' && clock !== 'wall') throw new Error(`--clock must be cpu or wall, got ${JSON.stringify(clock)}`);

const generated = generatePeers(root, (step) => progress(`generate: ${step}`));
const customer = createCustomer();
const skiffCompact = await createSkiffPeer(generated.skiffModule, 'compact', customer);
const skiffBinary = await createSkiffPeer(generated.skiffModule, 'binary', customer);
const thriftCompact = createThriftPeer(generated.thriftModule, 'compact', customer);
const thriftBinary = createThriftPeer(generated.thriftModule, 'binary', customer);
const peers: CodecPeer[] = [
  skiffCompact,
  skiffBinary,
  await createProtobufPeer(generated.protobufModule, customer),
  createAvscPeer(generated.avroSchema, customer),
  await createMsgpackrPeer(customer),
  createJsonPeer(customer),
  thriftCompact,
  thriftBinary,
];

const encoded = new Map<CodecPeer, Uint8Array>();
for (const peer of peers) {
  progress(`verify round trip: ${peer.name}`);
  encoded.set(peer, verify(peer, customer));
}

// skiff speaks Apache Thrift's protocols: the npm thrift library must produce the same bytes and
// each side must decode the other's.
for (const [skiff, thrift] of [
  [skiffCompact, thriftCompact],
  [skiffBinary, thriftBinary],
] as const) {
  progress(`verify interop: ${skiff.name} <-> ${thrift.name}`);
  const skiffBytes = encoded.get(skiff)!;
  const thriftBytes = encoded.get(thrift)!;
  if (Buffer.compare(skiffBytes, thriftBytes) !== 0) throw new Error(`${skiff.name} and ${thrift.name} encode the record differently`);
  assertSameCustomer(skiff.name, skiff.toCanonical(skiff.decode(thriftBytes)), customer);
  assertSameCustomer(thrift.name, thrift.toCanonical(thrift.decode(skiffBytes)), customer);
}

const tasks: TimedTask[] = peers.flatMap((peer) => {
  const bytes = peer.encode();
  return [
    { label: `${peer.name} encode`, run: () => peer.encode() },
    { label: `${peer.name} decode`, run: () => peer.decode(bytes) },
  ];
});
const loadBefore = loadavg();
const throughputs = measureInterleaved(tasks, { rounds, sampleMs, warmupMs, clock, progress });
const loadAfter = loadavg();

const results: PeerResult[] = peers.map((peer, index) => ({
  name: peer.name,
  bytes: encoded.get(peer)!.length,
  encode: throughputs[2 * index]!,
  decode: throughputs[2 * index + 1]!,
}));

const versions = ['protobufjs', 'avsc', 'msgpackr', 'thrift'].map((pkg) => `${pkg} ${versionOf(pkg)}`).join(', ');
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; ` +
    `load average ${loadBefore[0]!.toFixed(2)} before, ${loadAfter[0]!.toFixed(2)} after; ${versions}.`,
);
console.log(
  `${rounds} interleaved rounds of ~${sampleMs} ms per codec and operation, after ${warmupMs} ms of warm-up each; ` +
    `${clock === 'cpu' ? 'ops per CPU-second of this process (process.cpuUsage)' : 'ops per wall-clock second'}.\n`,
);
console.log(table(results));
console.log(`\n#### Targets\n\n${targetTable(results).join('\n')}`);
