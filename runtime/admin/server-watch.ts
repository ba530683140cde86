/**
 * The admin endpoint's hold on one server: subscribes to its calls (`server.observe`) and feeds
 * each record to the server's {@link CallMetrics} and {@link CallLog}.
 */
import type { CallObserver } from '../server/call-observer.js';
import type { Server } from '../server/server.js';
import { CallLog, type CallLogOptions } from './call-log.js';
import { CallMetrics, type CallMetricsOptions } from './call-metrics.js';

/** One watched server (see the module comment). */
export class ServerWatch {
  readonly metrics: CallMetrics;
  readonly log: CallLog;
  private readonly unobserve: () => void;

  /**
   * Starts watching `server` at once: calls that end from now on are counted.
   * @param name - how the page and the metrics' `server` label call it.
   */
  constructor(
    readonly name: string,
    readonly server: Server,
    options: { readonly metrics?: CallMetricsOptions; readonly log?: CallLogOptions } = {},
  ) {
    const metrics = (this.metrics = new CallMetrics(options.metrics));
    const log = (this.log = new CallLog(options.log));
    const observer: CallObserver = (record) => {
      metrics.record(record);
      log.record(record);
    };
    this.unobserve = server.observe(observer);
  }

  /** Stops watching; the numbers kept so far stay readable. */
  stop(): void {
    this.unobserve();
  }
}
