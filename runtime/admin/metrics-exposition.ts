/**
 * `/metrics`: the watched servers, the channels and the process in the Prometheus text format
 * (written by `prometheus-text.ts`). Every server metric carries a `server` label (the name given
 * to the admin endpoint), every client metric a `channel` label.
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `skiff_server_calls_total` | counter | server, service, method, code |
 * | `skiff_server_exceptions_total` | counter | server, service, method, exception |
 * | `skiff_server_call_duration_seconds` | histogram | server, service, method |
 * | `skiff_server_in_flight`, `skiff_server_concurrency_limit`, `skiff_server_connections` | gauge | server |
 * | `skiff_server_rejected_total`, `skiff_server_expired_total` | counter | server |
 * | `skiff_server_connections_refused_total`, `_idle_closed_total`, `_slow_frames_closed_total` | counter | server |
 * | `skiff_server_state` | gauge (one series per state, 1 for the current one) | server, state |
 * | `skiff_event_loop_delay_seconds` | gauge | server, quantile (`0.99`, `1` = max) |
 * | `skiff_event_loop_delay_mean_seconds` | gauge | server |
 * | `skiff_worker_threads`, `skiff_worker_threads_ready`, `skiff_worker_thread_in_flight` | gauge | server |
 * | `skiff_worker_thread_restarts_total` | counter | server |
 * | `skiff_client_info` | gauge (always 1) | channel, target, balancer |
 * | `skiff_client_instances` | gauge | channel |
 * | `skiff_client_instance_ready`, `_ejected` (0/1), `_weight`, `_in_flight` | gauge | channel, endpoint |
 * | `skiff_ready` | gauge (0/1, as `/readyz`) | |
 * | `process_start_time_seconds`, `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes` | gauge | |
 *
 * Calls to methods no service registered are counted under `service=""`,
 * `method="(unregistered)"`: method names sent by clients never become label values, so a client
 * cannot grow the number of series.
 */
import type { ServerState } from '../server/server.js';
import { UNREGISTERED_METHOD, type MethodSummary } from './call-metrics.js';
import type { ChannelStatus, ChannelStatusSource } from './channel-status.js';
import { PrometheusWriter } from './prometheus-text.js';
import type { Readiness } from './readiness.js';
import type { ServerWatch } from './server-watch.js';

/**
 * Upper bounds of `skiff_server_call_duration_seconds` buckets, in seconds: 1, 2.5 and 5 per
 * decade from 100 µs to 10 s. Each is a bound of the latency histogram, so the counts are exact.
 */
export const DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  ...[-4, -3, -2, -1, 0].flatMap((exponent) => ['1', '2.5', '5'].map((mantissa) => Number(`${mantissa}e${exponent}`))),
  10,
]);
const DURATION_BUCKETS_MS = DURATION_BUCKETS_SECONDS.map((seconds) => Number(`${seconds}e3`));

const SERVER_STATES: readonly ServerState[] = ['created', 'listening', 'serving-handed', 'draining', 'closed'];

/** What {@link renderMetrics} reads. */
export interface MetricsSources {
  readonly servers: readonly ServerWatch[];
  readonly channels: ReadonlyMap<string, ChannelStatusSource>;
  readonly ready: Readiness;
}

/** Renders the exposition (see the module comment). */
export function renderMetrics(sources: MetricsSources): string {
  const out = new PrometheusWriter();
  const servers = sources.servers.map((watch) => ({ watch, stats: watch.server.stats(), methods: methodsOf(watch) }));

  const calls = out.family('skiff_server_calls_total', 'counter', 'Calls the server ended, however they ended, by status code (OK includes declared exceptions).');
  for (const { watch, methods } of servers) {
    for (const m of methods) for (const [code, count] of Object.entries(m.codes)) calls.sample({ server: watch.name, service: m.service, method: m.method, code }, count);
  }
  const exceptions = out.family('skiff_server_exceptions_total', 'counter', 'Declared (IDL) exceptions thrown by handlers, by exception name.');
  for (const { watch, methods } of servers) {
    for (const m of methods) {
      for (const [exception, count] of Object.entries(m.exceptions)) exceptions.sample({ server: watch.name, service: m.service, method: m.method, exception }, count);
    }
  }
  const duration = out.family('skiff_server_call_duration_seconds', 'histogram', 'Time from a request arriving to its reply being queued (or the call ending), in seconds.');
  for (const { watch, methods } of servers) {
    for (const m of methods) {
      const buckets = DURATION_BUCKETS_SECONDS.map((le, i) => [le, m.latency.countAtOrBelow(DURATION_BUCKETS_MS[i]!)] as const);
      duration.histogram({ server: watch.name, service: m.service, method: m.method }, buckets, Math.round(m.latency.sumMs * 1e6) / 1e9, m.latency.count);
    }
  }

  const perServer = (name: string, type: 'counter' | 'gauge', help: string, value: (s: (typeof servers)[number]) => number | undefined): void => {
    const family = out.family(name, type, help);
    for (const s of servers) {
      const v = value(s);
      if (v !== undefined) family.sample({ server: s.watch.name }, v);
    }
  };
  perServer('skiff_server_in_flight', 'gauge', 'Calls running now.', (s) => s.stats.inFlight);
  perServer('skiff_server_concurrency_limit', 'gauge', 'Calls allowed to run at once now (maxInFlight, or the adaptive limit).', (s) => s.stats.limit);
  perServer('skiff_server_connections', 'gauge', 'Client connections open now.', (s) => s.stats.connections);
  perServer('skiff_server_rejected_total', 'counter', 'Calls refused with RESOURCE_EXHAUSTED because the concurrency limit was reached.', (s) => s.stats.rejected);
  perServer('skiff_server_expired_total', 'counter', 'Calls dropped unrun because their deadline passed before they could start.', (s) => s.stats.expired);
  perServer('skiff_server_connections_refused_total', 'counter', 'Connections closed on arrival because maxConnections were open.', (s) => s.stats.connectionsRefused);
  perServer('skiff_server_idle_closed_total', 'counter', 'Connections closed after idleTimeoutMs without calls.', (s) => s.stats.idleClosed);
  perServer('skiff_server_slow_frames_closed_total', 'counter', 'Connections closed because a frame did not complete within frameTimeoutMs.', (s) => s.stats.slowFramesClosed);
  const state = out.family('skiff_server_state', 'gauge', 'The server lifecycle state: 1 for the current state, 0 for the others.');
  for (const { watch } of servers) for (const name of SERVER_STATES) state.sample({ server: watch.name, state: name }, watch.server.state === name ? 1 : 0);

  const loop = out.family('skiff_event_loop_delay_seconds', 'gauge', 'Event loop delay as server.stats() reports it (Node monitorEventLoopDelay, 10 ms resolution) since the server started listening; quantile 1 is the maximum.');
  for (const { watch, stats } of servers) {
    loop.sample({ server: watch.name, quantile: '0.99' }, stats.eventLoopDelayMs.p99 / 1000);
    loop.sample({ server: watch.name, quantile: '1' }, stats.eventLoopDelayMs.max / 1000);
  }
  perServer('skiff_event_loop_delay_mean_seconds', 'gauge', 'Mean event loop delay since the server started listening.', (s) => s.stats.eventLoopDelayMs.mean / 1000);

  perServer('skiff_worker_threads', 'gauge', 'Worker threads in the pool.', (s) => s.stats.workerThreads?.threads);
  perServer('skiff_worker_threads_ready', 'gauge', 'Worker threads ready to take calls.', (s) => s.stats.workerThreads?.ready);
  perServer('skiff_worker_thread_in_flight', 'gauge', 'Calls running on worker threads now.', (s) => s.stats.workerThreads?.inFlight);
  perServer('skiff_worker_thread_restarts_total', 'counter', 'Worker threads replaced after dying.', (s) => s.stats.workerThreads?.restarts);

  renderChannels(out, sources.channels);

  out.family('skiff_ready', 'gauge', 'Whether /readyz answers 200 (every server serving and the ready() check passing).').sample({}, sources.ready.ready ? 1 : 0);
  const memory = process.memoryUsage();
  out.family('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch, in seconds.').sample({}, Math.round(Date.now() / 1000 - process.uptime()));
  out.family('process_resident_memory_bytes', 'gauge', 'Resident memory size, in bytes.').sample({}, memory.rss);
  out.family('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use, in bytes.').sample({}, memory.heapUsed);
  return out.finish();
}

/** Every registered method (zeros included, so series exist before the first call), then unregistered calls. */
function methodsOf(watch: ServerWatch): MethodSummary[] {
  const out: MethodSummary[] = [];
  for (const service of watch.server.services()) for (const method of service.methods) out.push(watch.metrics.summary(service.name, method.name));
  if (watch.metrics.seen().some(([service]) => service === '')) out.push(watch.metrics.summary('', UNREGISTERED_METHOD));
  return out;
}

function renderChannels(out: PrometheusWriter, channels: ReadonlyMap<string, ChannelStatusSource>): void {
  const statuses: Array<readonly [string, ChannelStatus]> = [];
  for (const [name, channel] of channels) {
    try {
      statuses.push([name, channel.status()]);
    } catch {
      // A channel that cannot report is left out of this scrape; the status page shows its error.
    }
  }
  const info = out.family('skiff_client_info', 'gauge', 'A client channel: what it targets and its balancer (always 1).');
  for (const [channel, s] of statuses) info.sample({ channel, target: s.target, balancer: s.balancer }, 1);
  const count = out.family('skiff_client_instances', 'gauge', 'Servers the channel knows now.');
  for (const [channel, s] of statuses) count.sample({ channel }, s.instances.length);
  const perInstance = (name: string, help: string, value: (i: ChannelStatus['instances'][number]) => number): void => {
    const family = out.family(name, 'gauge', help);
    for (const [channel, s] of statuses) for (const i of s.instances) family.sample({ channel, endpoint: i.endpoint }, value(i));
  };
  perInstance('skiff_client_instance_ready', 'Whether the instance has a live connection and is offered to the balancer (0/1).', (i) => (i.ready ? 1 : 0));
  perInstance('skiff_client_instance_ejected', 'Whether the instance is ejected as an outlier now (0/1).', (i) => (i.ejected ? 1 : 0));
  perInstance('skiff_client_instance_weight', 'The balancer weight of the instance now.', (i) => i.weight);
  perInstance('skiff_client_instance_in_flight', 'Calls in flight to the instance.', (i) => i.inFlight);
}
