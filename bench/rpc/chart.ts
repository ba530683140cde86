/** The RPC benchmark's chart: calls/s per peer, bars per K, one panel per connection count. */
import { formatRate, plural } from '../report/format.js';
import { renderBarChart } from '../report/svg-chart.js';
import type { CellResult } from './results.js';

/** Renders `cells` as an SVG document. */
export function renderRpcChart(cells: readonly CellResult[]): string {
  const series = [...new Set(cells.map((c) => c.title))];
  const connectionCounts = [...new Set(cells.map((c) => c.connections))].sort((a, b) => a - b);
  const inFlights = [...new Set(cells.map((c) => c.inFlight))].sort((a, b) => a - b);
  return renderBarChart({
    title: 'Echo calls/s on 127.0.0.1, server in another process (median of the rounds; higher is better)',
    valueLabel: 'calls/s (log scale)',
    series,
    format: formatRate,
    panels: connectionCounts.map((connections) => ({
      title: plural(connections, 'connection'),
      groups: inFlights.map((inFlight) => ({
        label: `K = ${inFlight}`,
        bars: series.map((title) => ({
          series: title,
          value: cells.find((c) => c.title === title && c.connections === connections && c.inFlight === inFlight)?.rate,
        })),
      })),
    })),
  });
}
