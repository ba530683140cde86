/**
 * A writer of the Prometheus text exposition format, version 0.0.4 (what every Prometheus server
 * and agent scrapes):
 *
 * ```
 * # HELP skiff_server_calls_total Calls ended, by code.      help: '\' and newline escaped
 * # TYPE skiff_server_calls_total counter                    once per family, before its samples
 * skiff_server_calls_total{service="UserService",method="getUser",code="OK"} 42
 *                                  label values: '\', '"' and newline escaped
 * skiff_server_call_duration_seconds_bucket{...,le="0.005"} 40   histogram: cumulative buckets,
 * skiff_server_call_duration_seconds_bucket{...,le="+Inf"} 42    +Inf equal to _count,
 * skiff_server_call_duration_seconds_sum{...} 0.0831             then _sum and _count
 * skiff_server_call_duration_seconds_count{...} 42
 * ```
 *
 * Values print as JavaScript numbers (`1e-7` parses in Go), `NaN`, `+Inf` and `-Inf`. A family's
 * `# HELP`/`# TYPE` lines are written with its first sample, so a family with no samples is left
 * out. Names are checked: a bad metric or label name is a bug, and a scraper would reject the
 * whole page, so it throws at once.
 */

/** The content type of the format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Metric types of the text format. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** Label names to values of one sample. */
export type Labels = Readonly<Record<string, string>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** Escapes `# HELP` text: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** Formats a sample value (see the module comment). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new RangeError(`invalid Prometheus label name '${name}'`);
    parts.push(`${name}="${escapeLabelValue(value)}"`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/**
 * One family being written; add its samples, then move on to the next family. The format wants a
 * family's samples together, so a family that is no longer the latest one started refuses samples.
 */
export class MetricFamily {
  private headerWritten = false;

  constructor(
    private readonly writer: PrometheusWriter,
    private readonly out: string[],
    readonly name: string,
    readonly type: MetricType,
    readonly help: string,
  ) {}

  /** Writes one sample (`suffix` is appended to the name, e.g. `_bucket`). */
  sample(labels: Labels, value: number, suffix = ''): this {
    if (this.writer.current !== this) throw new RangeError(`samples of ${this.name} written after another family began`);
    if (!this.headerWritten) {
      this.out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
      this.headerWritten = true;
    }
    this.out.push(`${this.name}${suffix}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  /**
   * Writes one histogram: `buckets` as `[upper bound, count of values <= it]`, ascending,
   * cumulative; the `+Inf` bucket (equal to `count`), `_sum` and `_count` are added here.
   */
  histogram(labels: Labels, buckets: ReadonlyArray<readonly [number, number]>, sum: number, count: number): this {
    if (this.type !== 'histogram') throw new TypeError(`${this.name} is a ${this.type}, not a histogram`);
    if ('le' in labels) throw new RangeError(`the label 'le' is reserved for histogram buckets (${this.name})`);
    for (const [le, cumulative] of buckets) this.sample({ ...labels, le: formatValue(le) }, cumulative, '_bucket');
    this.sample({ ...labels, le: '+Inf' }, count, '_bucket');
    this.sample(labels, sum, '_sum');
    return this.sample(labels, count, '_count');
  }
}

/** Collects families and renders the exposition (see the module comment). */
export class PrometheusWriter {
  private readonly lines: string[] = [];
  private readonly names = new Set<string>();
  private latest: MetricFamily | undefined;

  /** The family that may take samples now: the latest one started. */
  get current(): MetricFamily | undefined {
    return this.latest;
  }

  /** Starts a family; each name once per page. */
  family(name: string, type: MetricType, help: string): MetricFamily {
    if (!METRIC_NAME.test(name)) throw new RangeError(`invalid Prometheus metric name '${name}'`);
    if (this.names.has(name)) throw new RangeError(`metric family '${name}' written twice`);
    this.names.add(name);
    this.latest = new MetricFamily(this, this.lines, name, type, help);
    return this.latest;
  }

  /** The page: one line per header and sample, ending with a line feed. */
  finish(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}
