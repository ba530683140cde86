/**
 * The RPC benchmark's results as data: one {@link CellResult} per pair, connection count and
 * concurrency, summarised from its samples. This is what `--json` writes and what the Markdown
 * report and the SVG chart are drawn from.
 */
import { median, type Sample } from './load.js';

/** One sample of one cell, with what the server process reported around it. */
export interface CellSample extends Sample {
  /** Server process CPU time (user + system) during the sample, per call, in microseconds. */
  readonly serverCpuMicrosPerCall: number;
  /** Server process RSS at the end of the sample, in bytes. */
  readonly serverRssBytes: number;
}

/** Medians over the rounds for one pair at one shape. */
export interface CellResult {
  /** The pair's `client/server` label. */
  readonly label: string;
  /** Its short name (chart legend, ratio columns). */
  readonly title: string;
  readonly wire: string;
  /** Connections the calls were spread over (round robin). */
  readonly connections: number;
  /** Calls in flight at all times (K), over all connections together. */
  readonly inFlight: number;
  /** Calls per second: median, slowest and fastest round. */
  readonly rate: number;
  readonly minRate: number;
  readonly maxRate: number;
  /** Median over the rounds of each round's latency percentile, in milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU time per call of the client (benchmark) process, in microseconds. */
  readonly clientCpuMicros: number;
  /** CPU time per call of the server process, in microseconds. */
  readonly serverCpuMicros: number;
  /** Server RSS at the end of a sample, median over the rounds, in bytes. */
  readonly serverRssBytes: number;
  /** Completed calls over all rounds. */
  readonly calls: number;
}

/** The run's setting, printed above the tables. */
export interface RunInfo {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly loadBefore: number;
  readonly loadAfter: number;
  /** `name version` of each library compared. */
  readonly versions: readonly string[];
  readonly rounds: number;
  readonly sampleMs: number;
  readonly warmupMs: number;
  /** Size of the echo payload (compact `echo_args`), in bytes. */
  readonly payloadBytes: number;
}

/** Everything one run produced. */
export interface RpcResults {
  readonly info: RunInfo;
  readonly cells: readonly CellResult[];
}

/** Summarises the samples of one cell. */
export function summarize(
  cell: Pick<CellResult, 'label' | 'title' | 'wire' | 'connections' | 'inFlight'>,
  samples: readonly CellSample[],
): CellResult {
  const rates = samples.map((s) => s.callsPerSecond);
  return {
    label: cell.label,
    title: cell.title,
    wire: cell.wire,
    connections: cell.connections,
    inFlight: cell.inFlight,
    rate: median(rates),
    minRate: Math.min(...rates),
    maxRate: Math.max(...rates),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    clientCpuMicros: median(samples.map((s) => s.clientCpuMicrosPerCall)),
    serverCpuMicros: median(samples.map((s) => s.serverCpuMicrosPerCall)),
    serverRssBytes: median(samples.map((s) => s.serverRssBytes)),
    calls: samples.reduce((sum, s) => sum + s.calls, 0),
  };
}
