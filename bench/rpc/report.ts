/**
 * Renders the RPC benchmark's results as Markdown: the setting, one table per connection count
 * (absolute numbers next to ratios against the raw ceiling, npm thrift and grpc-js) and the
 * issue's targets with a met / not met column for each skiff pair.
 */
import { formatMiB, formatMs, formatRate, formatRatio, plural, verdict } from '../report/format.js';
import { GRPC, RAW, THRIFT } from './peers/index.js';
import type { CellResult, RpcResults } from './results.js';

/** Issue 8's targets for skiff's RPC stack on these 2-core machines. */
export const RPC_TARGETS = {
  /** Calls/s at K=256 on one connection, as a fraction of the raw ceiling. */
  throughputVsRaw: 0.5,
  throughputVsThrift: 25,
  throughputVsGrpc: 100,
  /** Latency at K=1 as a multiple of the raw ceiling's. */
  p50VsRaw: 1.2,
  p99VsRaw: 1.5,
  /** CPU per call at K=256, each side, in microseconds. */
  cpuMicrosPerCall: 2,
  /** Server RSS at K=256 above the raw server's, in bytes. */
  rssAboveRawBytes: 15 * 1024 * 1024,
} as const;

function find(cells: readonly CellResult[], label: string, connections: number, inFlight: number): CellResult | undefined {
  return cells.find((c) => c.label === label && c.connections === connections && c.inFlight === inFlight);
}

function unique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function table(cells: readonly CellResult[], connections: number): string[] {
  const lines = [
    '| peer | K | calls/s, median (min..max) | vs raw | vs thrift | vs grpc-js | p50 ms | p99 ms | p50 vs raw | p99 vs raw | client CPU µs/call | server CPU µs/call | server RSS MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const shape = cells.filter((c) => c.connections === connections);
  for (const inFlight of unique(shape.map((c) => c.inFlight))) {
    const raw = find(cells, RAW.label, connections, inFlight);
    const thrift = find(cells, THRIFT.label, connections, inFlight);
    const grpc = find(cells, GRPC.label, connections, inFlight);
    for (const c of shape.filter((cell) => cell.inFlight === inFlight)) {
      lines.push(
        `| ${c.title} | ${inFlight} | ${formatRate(c.rate)} (${formatRate(c.minRate)}..${formatRate(c.maxRate)}) | ` +
          `${formatRatio(c.rate, raw?.rate)} | ${formatRatio(c.rate, thrift?.rate)} | ${formatRatio(c.rate, grpc?.rate)} | ` +
          `${formatMs(c.p50Ms)} | ${formatMs(c.p99Ms)} | ${formatRatio(c.p50Ms, raw?.p50Ms)} | ${formatRatio(c.p99Ms, raw?.p99Ms)} | ` +
          `${c.clientCpuMicros.toFixed(1)} | ${c.serverCpuMicros.toFixed(1)} | ${formatMiB(c.serverRssBytes)} |`,
      );
    }
  }
  return lines;
}

/** One target row: what it compares and, per skiff pair, the measured value and whether it is met. */
interface TargetRow {
  readonly target: string;
  readonly check: (skiff: readonly [CellResult | undefined, CellResult | undefined]) => { readonly measured: string; readonly met: boolean | undefined };
}

function targetRows(cells: readonly CellResult[]): TargetRow[] {
  const at = (label: string, inFlight: number): CellResult | undefined => find(cells, label, 1, inFlight);
  const ratioRow = (target: string, reference: string, inFlight: number, pick: (c: CellResult) => number, limit: number, atLeast: boolean): TargetRow => ({
    target,
    check: ([k1, k256]) => {
      const ours = inFlight === 1 ? k1 : k256;
      const theirs = at(reference, inFlight);
      if (ours === undefined || theirs === undefined) return { measured: 'n/a', met: undefined };
      const ratio = pick(ours) / pick(theirs);
      return { measured: formatRatio(pick(ours), pick(theirs)), met: atLeast ? ratio >= limit : ratio <= limit };
    },
  });
  const T = RPC_TARGETS;
  return [
    ratioRow(`calls/s at K=256, 1 connection >= ${T.throughputVsRaw}x raw`, RAW.label, 256, (c) => c.rate, T.throughputVsRaw, true),
    ratioRow(`calls/s at K=256, 1 connection >= ${T.throughputVsThrift}x thrift (compact)`, THRIFT.label, 256, (c) => c.rate, T.throughputVsThrift, true),
    ratioRow(`calls/s at K=256, 1 connection >= ${T.throughputVsGrpc}x grpc-js`, GRPC.label, 256, (c) => c.rate, T.throughputVsGrpc, true),
    ratioRow(`p50 latency at K=1 <= ${T.p50VsRaw}x raw`, RAW.label, 1, (c) => c.p50Ms, T.p50VsRaw, false),
    ratioRow(`p99 latency at K=1 <= ${T.p99VsRaw}x raw`, RAW.label, 1, (c) => c.p99Ms, T.p99VsRaw, false),
    {
      target: `client CPU per call at K=256 <= ${T.cpuMicrosPerCall} µs`,
      check: ([, k256]) => (k256 === undefined ? { measured: 'n/a', met: undefined } : { measured: `${k256.clientCpuMicros.toFixed(1)} µs`, met: k256.clientCpuMicros <= T.cpuMicrosPerCall }),
    },
    {
      target: `server CPU per call at K=256 <= ${T.cpuMicrosPerCall} µs`,
      check: ([, k256]) => (k256 === undefined ? { measured: 'n/a', met: undefined } : { measured: `${k256.serverCpuMicros.toFixed(1)} µs`, met: k256.serverCpuMicros <= T.cpuMicrosPerCall }),
    },
    {
      target: `server RSS at K=256 within ${T.rssAboveRawBytes / (1 << 20)} MiB of the raw server's`,
      check: ([, k256]) => {
        const raw = at(RAW.label, 256);
        if (k256 === undefined || raw === undefined) return { measured: 'n/a', met: undefined };
        const above = k256.serverRssBytes - raw.serverRssBytes;
        return { measured: `${formatMiB(k256.serverRssBytes)} vs ${formatMiB(raw.serverRssBytes)} MiB (${above >= 0 ? '+' : '-'}${formatMiB(Math.abs(above))})`, met: above <= T.rssAboveRawBytes };
      },
    },
  ];
}

function targets(cells: readonly CellResult[]): string[] {
  // The targets are about skiff's server; every skiff client against it gets a column.
  const skiffLabels = [...new Set(cells.filter((c) => c.label.startsWith('skiff') && c.label.endsWith('/skiff')).map((c) => c.label))];
  if (skiffLabels.length === 0) return [];
  const titles = skiffLabels.map((label) => cells.find((c) => c.label === label)!.title);
  const lines = [
    `| target (issue 8) | ${titles.map((t) => `${t} | status`).join(' | ')} |`,
    `| --- | ${titles.map(() => '---: | ---').join(' | ')} |`,
  ];
  for (const row of targetRows(cells)) {
    const columns = skiffLabels.map((label) => {
      const { measured, met } = row.check([find(cells, label, 1, 1), find(cells, label, 1, 256)]);
      return `${measured} | ${verdict(met)}`;
    });
    lines.push(`| ${row.target} | ${columns.join(' | ')} |`);
  }
  return lines;
}

/**
 * The whole report. `chart`, when given, is a Markdown image line placed above the tables.
 */
export function renderRpcReport(results: RpcResults, chart?: string): string {
  const { info, cells } = results;
  const out: string[] = [
    `${info.node}, ${info.cpu}, ${info.cores} cores; load average ${info.loadBefore.toFixed(2)} before, ${info.loadAfter.toFixed(2)} after; ${info.versions.join(', ')}.`,
    `Echo of \`Item\` (${info.payloadBytes} bytes of compact payload); ${plural(info.rounds, 'interleaved round')} of ${info.sampleMs} ms per row after ` +
      `${info.warmupMs} ms of warm-up; medians over the rounds (calls/s: slowest..fastest round). K = calls in flight in all, spread round robin over the connections.`,
    '',
  ];
  if (chart !== undefined) out.push(chart, '');
  for (const connections of unique(cells.map((c) => c.connections))) {
    out.push(`#### ${plural(connections, 'connection')}`, '', ...table(cells, connections), '');
  }
  const legend = [...new Map(cells.map((c) => [c.label, c])).values()].map((c) => `${c.title} = \`${c.label}\` (${c.wire})`);
  out.push(`Peers (client/server): ${legend.join('; ')}.`, '');
  const targetLines = targets(cells);
  if (targetLines.length > 0) out.push('#### Targets', '', ...targetLines, '');
  return out.join('\n');
}
