/**
 * Helpers of the admin endpoint tests: HTTP requests with a bound, a strict parser of the
 * Prometheus text format (it fails on anything a scraper would reject), and polling until an
 * endpoint shows what a test expects.
 */
import { request } from 'node:http';
import { sleep } from '../rpc/fixtures/harness.js';

/** One HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends one request to `url` and reads the whole answer; fails after `timeoutMs`. */
export function http(url: string, options: { method?: string; body?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', timeout: options.timeoutMs ?? 5000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${options.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** GETs `url` and parses its JSON body (status must be 200). */
export async function getJson<T>(url: string): Promise<T> {
  const answer = await http(url);
  if (answer.status !== 200) throw new Error(`${url}: HTTP ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body) as T;
}

/** Calls `probe` until it returns a value other than `undefined`; fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** One sample of a scraped page. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition: its samples and each family's type and help. */
export interface Exposition {
  readonly samples: readonly Sample[];
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
  /** Samples named `name` whose labels include `labels`. */
  find(name: string, labels?: Readonly<Record<string, string>>): Sample[];
  /** The value of the one sample named `name` with exactly-matching `labels` (throws if not exactly one). */
  value(name: string, labels?: Readonly<Record<string, string>>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

/**
 * Parses the text format strictly (version 0.0.4): every line a HELP, a TYPE or a sample; each
 * family's TYPE once, before its samples; a family's samples together; label values unescaped;
 * histogram buckets cumulative with `+Inf` equal to `_count`.
 */
export function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const finished = new Set<string>();
  let current: string | undefined;
  const familyOf = (name: string): string => {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const base = name.slice(0, -suffix.length);
      if (name.endsWith(suffix) && types.get(base) === 'histogram') return base;
    }
    return name;
  };
  const enter = (family: string, line: string): void => {
    if (family === current) return;
    if (current !== undefined) finished.add(current);
    if (finished.has(family)) throw new Error(`family ${family} is split: ${line}`);
    current = family;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) {
      const rest = line.slice('# HELP '.length);
      const space = rest.indexOf(' ');
      const family = space === -1 ? rest : rest.slice(0, space);
      if (help.has(family)) throw new Error(`second HELP for ${family}`);
      enter(family, line);
      help.set(family, space === -1 ? '' : rest.slice(space + 1));
    } else if (line.startsWith('# TYPE ')) {
      const [, , family, type] = line.split(' ');
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type!)) throw new Error(`bad type: ${line}`);
      if (types.has(family!)) throw new Error(`second TYPE for ${family}`);
      enter(family!, line);
      types.set(family!, type!);
    } else {
      const match = SAMPLE.exec(line);
      if (match === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
      const [, name, labelText, valueText] = match;
      const family = familyOf(name!);
      if (!types.has(family)) throw new Error(`sample before its TYPE: ${line}`);
      enter(family, line);
      const labels: Record<string, string> = {};
      if (labelText !== undefined && labelText !== '') {
        LABEL.lastIndex = 0;
        while (LABEL.lastIndex < labelText.length) {
          const at = LABEL.lastIndex;
          const m = LABEL.exec(labelText);
          if (m === null || m.index !== at) throw new Error(`bad labels: ${line}`);
          if (m[1]! in labels) throw new Error(`repeated label ${m[1]}: ${line}`);
          labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        }
      }
      const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : valueText === 'NaN' ? Number.NaN : Number(valueText);
      if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`bad value: ${line}`);
      samples.push({ name: name!, labels, value });
    }
  }
  const matches = (sample: Sample, labels: Readonly<Record<string, string>>): boolean => Object.entries(labels).every(([k, v]) => sample.labels[k] === v);
  const exposition: Exposition = {
    samples,
    types,
    help,
    find: (name, labels = {}) => samples.filter((s) => s.name === name && matches(s, labels)),
    value(name, labels = {}) {
      const found = samples.filter((s) => s.name === name && matches(s, labels) && Object.keys(s.labels).length === Object.keys(labels).length);
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
      return found[0]!.value;
    },
  };
  checkHistograms(exposition);
  return exposition;
}

function checkHistograms(exposition: Exposition): void {
  for (const [family, type] of exposition.types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const bucket of exposition.find(`${family}_bucket`)) {
      const { le, ...rest } = bucket.labels;
      if (le === undefined) throw new Error(`${family}_bucket without le`);
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), bucket]);
    }
    for (const [key, buckets] of series) {
      const labels = JSON.parse(key) as Record<string, string>;
      let previous = -Infinity;
      let count = 0;
      for (const bucket of buckets) {
        const le = bucket.labels['le'] === '+Inf' ? Infinity : Number(bucket.labels['le']);
        if (!(le > previous)) throw new Error(`${family} buckets out of order at le=${bucket.labels['le']}`);
        if (bucket.value < count) throw new Error(`${family} buckets not cumulative at le=${bucket.labels['le']}`);
        previous = le;
        count = bucket.value;
      }
      if (previous !== Infinity) throw new Error(`${family} ${key} has no +Inf bucket`);
      if (exposition.value(`${family}_count`, labels) !== count) throw new Error(`${family} ${key}: +Inf bucket differs from _count`);
      exposition.value(`${family}_sum`, labels);
    }
  }
}
