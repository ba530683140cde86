/**
 * `/status.json`: everything the status page shows, gathered at one moment from the watched
 * servers (stats, connections, services with per-method numbers), the channels (instances and
 * balancer state), readiness and `/rpcz`. Plain JSON: `null` where a value is absent.
 */
import type { ConnectionInfo, ServerStats, ServerState } from '../server/server.js';
import { UNREGISTERED_METHOD, type LatencySummary, type MethodSummary } from './call-metrics.js';
import type { ChannelInstanceStatus, ChannelStatusSource } from './channel-status.js';
import type { Readiness } from './readiness.js';
import type { Rpcz } from './rpcz.js';
import type { ServerWatch } from './server-watch.js';

/** Most connections listed per server (the count is always exact, in `stats.connections`). */
export const MAX_LISTED_CONNECTIONS = 200;

/** One method's numbers on the page. */
export interface MethodStatus {
  readonly name: string;
  readonly oneway: boolean;
  readonly idempotent: boolean;
  readonly workerThread: boolean;
  /** Calls since start. */
  readonly calls: number;
  /** Calls since start whose code was not `OK`. */
  readonly errors: number;
  /** Calls since start by code. */
  readonly codes: Readonly<Record<string, number>>;
  /** Declared exceptions since start, by name. */
  readonly exceptions: Readonly<Record<string, number>>;
  /** The last `windowMs`. */
  readonly window: {
    readonly calls: number;
    readonly errors: number;
    readonly perSecond: number;
    /** Percentiles in milliseconds (to the microsecond), estimated from a log-bucket histogram; `null` with no calls. */
    readonly latencyMs: LatencySummary | null;
  };
}

/** One watched server on the page. */
export interface ServerStatus {
  readonly name: string;
  readonly state: ServerState;
  /** `host:port` it listens on; `null` when not listening (e.g. a prefork worker). */
  readonly address: string | null;
  readonly stats: ServerStats;
  /** The open connections; beyond {@link MAX_LISTED_CONNECTIONS}, those with the most calls in flight. */
  readonly connections: readonly ConnectionInfo[];
  readonly services: ReadonlyArray<{ readonly name: string; readonly methods: readonly MethodStatus[] }>;
  /** Calls to methods no service registered (names sent by clients), or `null` if none. */
  readonly unregistered: MethodStatus | null;
}

/** One channel on the page. */
export interface ChannelSection {
  readonly name: string;
  readonly target: string;
  readonly balancer: string;
  readonly instances: readonly ChannelInstanceStatus[];
  /** Set when the channel's `status()` threw; the other fields are then empty. */
  readonly error: string | null;
}

/** What `/status.json` returns. */
export interface StatusSnapshot {
  /** When this was taken, epoch milliseconds. */
  readonly generatedAt: number;
  readonly process: {
    readonly pid: number;
    readonly node: string;
    /** Epoch milliseconds. */
    readonly startedAt: number;
    readonly uptimeSeconds: number;
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
  };
  readonly ready: Readiness;
  /** Length of the window of the per-method `window` numbers, in milliseconds. */
  readonly windowMs: number;
  readonly servers: readonly ServerStatus[];
  readonly channels: readonly ChannelSection[];
  readonly rpcz: Rpcz;
}

/** What {@link buildStatus} reads. */
export interface StatusSources {
  readonly servers: readonly ServerWatch[];
  readonly channels: ReadonlyMap<string, ChannelStatusSource>;
  readonly ready: Readiness;
  readonly rpcz: Rpcz;
  readonly windowMs: number;
  readonly now: number;
}

/** Gathers the snapshot (see the module comment). */
export function buildStatus(sources: StatusSources): StatusSnapshot {
  const memory = process.memoryUsage();
  const uptimeSeconds = process.uptime();
  return {
    generatedAt: sources.now,
    process: {
      pid: process.pid,
      node: process.version,
      startedAt: Math.round(sources.now - uptimeSeconds * 1000),
      uptimeSeconds,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    },
    ready: sources.ready,
    windowMs: sources.windowMs,
    servers: sources.servers.map(serverStatus),
    channels: [...sources.channels].map(([name, channel]) => channelSection(name, channel)),
    rpcz: sources.rpcz,
  };
}

function serverStatus(watch: ServerWatch): ServerStatus {
  const { server, metrics } = watch;
  const address = server.address();
  const connections = server.connections();
  if (connections.length > MAX_LISTED_CONNECTIONS) {
    connections.sort((a, b) => b.inFlight - a.inFlight);
    connections.length = MAX_LISTED_CONNECTIONS;
  }
  const unregistered = metrics.seen().some(([service]) => service === '');
  return {
    name: watch.name,
    state: server.state,
    address: address === undefined ? null : address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`,
    stats: server.stats(),
    connections,
    services: server.services().map((service) => ({
      name: service.name,
      methods: service.methods.map((method) => ({ ...method, ...numbers(metrics.summary(service.name, method.name)) })),
    })),
    unregistered: unregistered ? { name: UNREGISTERED_METHOD, oneway: false, idempotent: false, workerThread: false, ...numbers(metrics.summary('', UNREGISTERED_METHOD)) } : null,
  };
}

function numbers(summary: MethodSummary): Omit<MethodStatus, 'name' | 'oneway' | 'idempotent' | 'workerThread'> {
  const latency = summary.window.latencyMs;
  return {
    calls: summary.calls,
    errors: summary.errors,
    codes: summary.codes,
    exceptions: summary.exceptions,
    window: {
      calls: summary.window.calls,
      errors: summary.window.errors,
      perSecond: micro(summary.window.perSecond),
      latencyMs: latency === undefined ? null : { p50: micro(latency.p50), p90: micro(latency.p90), p99: micro(latency.p99), mean: micro(latency.mean), max: micro(latency.max) },
    },
  };
}

/** Rounds to three decimals (microseconds, for milliseconds): finer digits are noise on a page. */
function micro(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function channelSection(name: string, channel: ChannelStatusSource): ChannelSection {
  try {
    const status = channel.status();
    return {
      name,
      target: status.target,
      balancer: status.balancer,
      instances: status.instances.map(({ endpoint, ready, ejected, weight, inFlight }) => ({ endpoint, ready, ejected, weight, inFlight })),
      error: null,
    };
  } catch (error) {
    return { name, target: '', balancer: '', instances: [], error: error instanceof Error ? error.message : String(error) };
  }
}
