/**
 * The Prometheus text writer (runtime/admin/prometheus-text.ts): escaping, value formatting,
 * family headers, histograms, and the checks that keep a page scrapeable.
 */
import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue, formatValue, PrometheusWriter } from '../../runtime/admin/prometheus-text.js';

describe('escaping and values', () => {
  it.each([
    ['plain', 'plain'],
    ['back\\slash', 'back\\\\slash'],
    ['a "quote"', 'a \\"quote\\"'],
    ['two\nlines', 'two\\nlines'],
    ['\\"\n', '\\\\\\"\\n'],
  ])('label value %j', (value, escaped) => {
    expect(escapeLabelValue(value)).toBe(escaped);
  });

  it('help text escapes backslash and line feed, not quotes', () => {
    expect(escapeHelp('a "b" \\ c\nd')).toBe('a "b" \\\\ c\\nd');
  });

  it.each([
    [0, '0'],
    [42, '42'],
    [0.0025, '0.0025'],
    [1e-7, '1e-7'],
    [1.5e21, '1.5e+21'],
    [Number.NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('value %d prints as %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});

describe('PrometheusWriter', () => {
  it('writes HELP and TYPE once, before a family’s samples, and leaves out empty families', () => {
    const out = new PrometheusWriter();
    out.family('skiff_empty', 'gauge', 'Never sampled.');
    out.family('skiff_calls_total', 'counter', 'Calls.\nSecond line.').sample({ method: 'get"User"', code: 'OK' }, 3).sample({ method: 'ping', code: 'OK' }, 1);
    out.family('skiff_up', 'gauge', 'Up.').sample({}, 1);
    expect(out.finish()).toBe(
      [
        '# HELP skiff_calls_total Calls.\\nSecond line.',
        '# TYPE skiff_calls_total counter',
        'skiff_calls_total{method="get\\"User\\"",code="OK"} 3',
        'skiff_calls_total{method="ping",code="OK"} 1',
        '# HELP skiff_up Up.',
        '# TYPE skiff_up gauge',
        'skiff_up 1',
        '',
      ].join('\n'),
    );
  });

  it('writes a histogram as cumulative buckets, +Inf, _sum and _count', () => {
    const out = new PrometheusWriter();
    out.family('rpc_seconds', 'histogram', 'Latency.').histogram({ method: 'ping' }, [
      [0.001, 2],
      [0.0025, 5],
    ], 0.0123, 7);
    expect(out.finish().split('\n').slice(2, -1)).toEqual([
      'rpc_seconds_bucket{method="ping",le="0.001"} 2',
      'rpc_seconds_bucket{method="ping",le="0.0025"} 5',
      'rpc_seconds_bucket{method="ping",le="+Inf"} 7',
      'rpc_seconds_sum{method="ping"} 0.0123',
      'rpc_seconds_count{method="ping"} 7',
    ]);
  });

  it('refuses what would make a scraper reject the page', () => {
    const out = new PrometheusWriter();
    expect(() => out.family('bad-name', 'gauge', '')).toThrow(/metric name/);
    expect(() => out.family('9lives', 'gauge', '')).toThrow(/metric name/);
    const ok = out.family('ok', 'gauge', '');
    expect(() => ok.sample({ 'bad-label': 'x' }, 1)).toThrow(/label name/);
    expect(() => ok.sample({ __reserved: 'x' }, 1)).toThrow(/label name/);
    expect(() => out.family('ok', 'gauge', '')).toThrow(/twice/);
    const later = out.family('later', 'gauge', '');
    expect(() => ok.sample({}, 1)).toThrow(/after another family/);
    expect(() => later.histogram({}, [], 0, 0)).toThrow(/not a histogram/);
    expect(() => out.family('h', 'histogram', '').histogram({ le: '1' }, [], 0, 0)).toThrow(/reserved/);
  });
});
