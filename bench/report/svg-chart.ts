/**
 * A small hand-written SVG grouped bar chart (no dependency): side-by-side panels, each with groups
 * of bars (one bar per series), on a logarithmic value axis so a ceiling of millions and a peer at
 * a few thousand calls/s are both readable. Every bar carries its value as a label.
 *
 * ```
 *   title                                   legend: [#] series A  [#] series B ...
 *   ┌ panel 1 ─────────────────┐ ┌ panel 2 ─────────────────┐
 *   │ 1M ┤    █                │ │ 1M ┤                     │
 *   │10k ┤ █  █ █   ...        │ │10k ┤  ...                │
 *   │     group 1   group 2    │ │                          │
 *   └──────────────────────────┘ └──────────────────────────┘
 * ```
 */

/** One bar: a series' value in a group; `undefined` leaves a gap. */
export interface Bar {
  readonly series: string;
  readonly value: number | undefined;
}

/** A group of bars under one x-axis label (e.g. "K = 256"). */
export interface BarGroup {
  readonly label: string;
  readonly bars: readonly Bar[];
}

/** One panel (e.g. "1 connection"). */
export interface BarPanel {
  readonly title: string;
  readonly groups: readonly BarGroup[];
}

/** What to draw. */
export interface BarChart {
  readonly title: string;
  /** Value axis caption, e.g. "calls/s (log scale)". */
  readonly valueLabel: string;
  /** Series in legend and bar order. */
  readonly series: readonly string[];
  readonly panels: readonly BarPanel[];
  /** Formats a value for bar labels (axis ticks are decades: 1k, 10k, 1M, ...). */
  readonly format: (value: number) => string;
}

const PALETTE = ['#1d4ed8', '#60a5fa', '#16a34a', '#f59e0b', '#b45309', '#6b7280', '#9333ea', '#db2777'];
const PANEL_WIDTH = 470;
const PANEL_HEIGHT = 330;
const PLOT = { left: 56, right: 10, top: 34, bottom: 40 } as const;
const HEADER_HEIGHT = 64;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A decade tick as `1`, `10`, `100`, `1k`, ..., `1M`, `10M`. */
function decadeLabel(exp: number): string {
  if (exp >= 6) return `${10 ** (exp - 6)}M`;
  if (exp >= 3) return `${10 ** (exp - 3)}k`;
  return String(10 ** exp);
}

function round(value: number): string {
  return Number(value.toFixed(1)).toString();
}

/** Renders `chart` as a standalone SVG document. */
export function renderBarChart(chart: BarChart): string {
  const values = chart.panels.flatMap((p) => p.groups.flatMap((g) => g.bars.map((b) => b.value))).filter((v): v is number => v !== undefined && v > 0);
  const lowExp = Math.floor(Math.log10(values.length === 0 ? 1 : Math.min(...values)));
  // Headroom above the tallest bar (a factor of 4) for its rotated value label.
  const highLog = Math.max(lowExp + 1, Math.log10(values.length === 0 ? 10 : Math.max(...values)) + 0.6);
  const width = Math.max(1, chart.panels.length) * PANEL_WIDTH;
  const height = HEADER_HEIGHT + PANEL_HEIGHT;
  const color = (series: string): string => PALETTE[Math.max(0, chart.series.indexOf(series)) % PALETTE.length]!;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="15" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  // Legend, left to right on one line below the title.
  let legendX = 12;
  for (const series of chart.series) {
    out.push(`<rect x="${legendX}" y="32" width="12" height="12" fill="${color(series)}"/>`);
    out.push(`<text x="${legendX + 16}" y="42">${escape(series)}</text>`);
    legendX += 24 + series.length * 6.5;
  }
  chart.panels.forEach((panel, panelIndex) => {
    const x0 = panelIndex * PANEL_WIDTH;
    const plotLeft = x0 + PLOT.left;
    const plotRight = x0 + PANEL_WIDTH - PLOT.right;
    const plotTop = HEADER_HEIGHT + PLOT.top;
    const plotBottom = HEADER_HEIGHT + PANEL_HEIGHT - PLOT.bottom;
    const y = (value: number): number => plotBottom - ((Math.log10(value) - lowExp) / (highLog - lowExp)) * (plotBottom - plotTop);
    out.push(`<text x="${round((plotLeft + plotRight) / 2)}" y="${HEADER_HEIGHT + 16}" text-anchor="middle" font-size="13" font-weight="bold">${escape(panel.title)}</text>`);
    for (let exp = lowExp; exp <= highLog; exp++) {
      const tick = 10 ** exp;
      out.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${round(y(tick))}" y2="${round(y(tick))}" stroke="#d1d5db"/>`);
      out.push(`<text x="${plotLeft - 6}" y="${round(y(tick) + 4)}" text-anchor="end" fill="#374151">${decadeLabel(exp)}</text>`);
      for (const minor of [2, 5]) {
        if (Math.log10(minor * tick) <= highLog) {
          const minorY = round(y(minor * tick));
          out.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${minorY}" y2="${minorY}" stroke="#f3f4f6"/>`);
        }
      }
    }
    out.push(`<line x1="${plotLeft}" x2="${plotLeft}" y1="${plotTop}" y2="${plotBottom}" stroke="#6b7280"/>`);
    out.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${plotBottom}" y2="${plotBottom}" stroke="#6b7280"/>`);
    out.push(
      `<text transform="translate(${x0 + 14} ${round((plotTop + plotBottom) / 2)}) rotate(-90)" text-anchor="middle" fill="#374151">${escape(chart.valueLabel)}</text>`,
    );
    const groupWidth = (plotRight - plotLeft) / Math.max(1, panel.groups.length);
    panel.groups.forEach((group, groupIndex) => {
      const groupLeft = plotLeft + groupIndex * groupWidth;
      const barWidth = (groupWidth * 0.8) / Math.max(1, chart.series.length);
      out.push(`<text x="${round(groupLeft + groupWidth / 2)}" y="${plotBottom + 18}" text-anchor="middle" font-size="12">${escape(group.label)}</text>`);
      chart.series.forEach((series, seriesIndex) => {
        const value = group.bars.find((b) => b.series === series)?.value;
        if (value === undefined || !(value > 0)) return;
        const left = groupLeft + groupWidth * 0.1 + seriesIndex * barWidth;
        const top = y(value);
        out.push(
          `<rect x="${round(left)}" y="${round(top)}" width="${round(barWidth - 1)}" height="${round(plotBottom - top)}" fill="${color(series)}"><title>${escape(`${series}, ${group.label}: ${chart.format(value)}`)}</title></rect>`,
        );
        const labelX = round(left + barWidth / 2 + 3);
        out.push(`<text transform="translate(${labelX} ${round(top - 3)}) rotate(-90)" font-size="9" fill="#111827">${escape(chart.format(value))}</text>`);
      });
    });
  });
  out.push('</svg>', '');
  return out.join('\n');
}
