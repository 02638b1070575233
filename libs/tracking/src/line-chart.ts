import escapeMarkup from 'escape-html';
import { layoutLegend, legendSvg, type LegendLayout } from './chart-legend.js';

export interface ChartSeries {
  name: string;
  /** `[x, y]` pairs; non-finite points (a NaN loss) are skipped and break the line. */
  points: ReadonlyArray<readonly [number, number]>;
}

export interface LineChartOptions {
  title: string;
  series: readonly ChartSeries[];
  xLabel: string;
  yLabel: string;
  /** Pixel size of the SVG, legend included; defaults 640 × 360. */
  width?: number;
  height?: number;
}

// Colour-blind-safe palette (Okabe–Ito), cycled when there are more series.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];
const MARGIN = { top: 36, right: 16, bottom: 48, left: 64 };
const TICK_TARGET = 5;
const MIN_PLOT_HEIGHT = 40;

/**
 * A self-contained SVG line chart (axes, ticks, labels, legend) for the run report. The legend sits in its own strip
 * under the x-axis label, outside the plot area, so it never covers a curve.
 */
export function lineChartSvg(options: LineChartOptions): string {
  const { width = 640, height = 360 } = options;
  const { plot, legend } = chartLayout(options.series, width, height);
  const plotBottom = plot.top + plot.height;
  const finite = options.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xTicks = niceTicks(finite.map(([x]) => x));
  const yTicks = niceTicks(finite.map(([, y]) => y));
  const scaleX = linearScale(xTicks, plot.left, plot.left + plot.width);
  const scaleY = linearScale(yTicks, plot.top + plot.height, plot.top);

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>${escapeMarkup(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeMarkup(options.title)}</text>`,
    ...xTicks.map((t) => xTick(scaleX(t), plot, t)),
    ...yTicks.map((t) => yTick(scaleY(t), plot, t)),
    `<rect class="plot-area" x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#333"/>`,
    `<text x="${plot.left + plot.width / 2}" y="${plotBottom + MARGIN.bottom - 8}" text-anchor="middle">${escapeMarkup(options.xLabel)}</text>`,
    `<text transform="translate(14 ${plot.top + plot.height / 2}) rotate(-90)" text-anchor="middle">${escapeMarkup(options.yLabel)}</text>`,
    ...options.series.map((s, i) => seriesPath(s, PALETTE[i % PALETTE.length]!, scaleX, scaleY)),
    legendSvg(legend, { top: plotBottom + MARGIN.bottom, left: plot.left, width: plot.width }),
    '</svg>',
  ];
  if (finite.length === 0) {
    parts.splice(
      -1,
      0,
      `<text x="${plot.left + plot.width / 2}" y="${plot.top + plot.height / 2}" text-anchor="middle" fill="#888">no data</text>`,
    );
  }
  return parts.join('\n');
}

type Plot = { left: number; top: number; width: number; height: number };

/** The plot area and the legend strip below it; the legend's height comes out of the plot's, not the SVG's. */
function chartLayout(
  series: readonly ChartSeries[],
  width: number,
  height: number,
): { plot: Plot; legend: LegendLayout } {
  if (!(width >= 200 && height >= 150)) {
    throw new Error(`lineChartSvg: width/height must be at least 200 × 150, got ${width} × ${height}`);
  }
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const legend = layoutLegend(series, PALETTE, { left: MARGIN.left, width: plotWidth });
  const plotHeight = height - MARGIN.top - MARGIN.bottom - legend.height;
  if (plotHeight < MIN_PLOT_HEIGHT) {
    throw new Error(
      `lineChartSvg: ${width} × ${height} leaves a ${plotHeight} px plot above a ${legend.height} px legend ` +
        `(${series.length} series); make the chart taller`,
    );
  }
  return { plot: { left: MARGIN.left, top: MARGIN.top, width: plotWidth, height: plotHeight }, legend };
}

/** Round tick values (1, 2, 5 × 10^k steps) from at or below the minimum to at or above the maximum; a flat or empty
 * range still gets an axis. */
function niceTicks(values: readonly number[]): number[] {
  let min = values.length ? Math.min(...values) : 0;
  let max = values.length ? Math.max(...values) : 1;
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const rough = (max - min) / TICK_TARGET;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const first = Math.floor(min / step) * step;
  // The last tick is the first at or above the maximum, so every point maps inside the plot area.
  // (Bounded: the range spans about TICK_TARGET steps, even where float precision makes the steps uneven.)
  const ticks = [Number(first.toPrecision(12))];
  for (let k = 1; ticks[ticks.length - 1]! < max && k <= 4 * TICK_TARGET; k++) {
    ticks.push(Number((first + k * step).toPrecision(12)));
  }
  return ticks;
}

function linearScale(ticks: readonly number[], from: number, to: number): (v: number) => number {
  const lo = ticks[0]!;
  const hi = ticks[ticks.length - 1]!;
  return (v) => round(from + ((v - lo) / (hi - lo)) * (to - from));
}

function xTick(x: number, plot: Plot, value: number): string {
  const bottom = plot.top + plot.height;
  return `<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${bottom}" stroke="#eee"/><line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#333"/><text x="${x}" y="${bottom + 18}" text-anchor="middle">${formatTick(value)}</text>`;
}

function yTick(y: number, plot: Plot, value: number): string {
  const right = plot.left + plot.width;
  return `<line x1="${plot.left}" y1="${y}" x2="${right}" y2="${y}" stroke="#eee"/><line x1="${plot.left - 5}" y1="${y}" x2="${plot.left}" y2="${y}" stroke="#333"/><text x="${plot.left - 8}" y="${y + 4}" text-anchor="end">${formatTick(value)}</text>`;
}

function seriesPath(
  series: ChartSeries,
  colour: string,
  scaleX: (v: number) => number,
  scaleY: (v: number) => number,
): string {
  let d = '';
  let penDown = false;
  for (const [x, y] of series.points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      penDown = false;
      continue;
    }
    d += `${penDown ? 'L' : 'M'}${scaleX(x)} ${scaleY(y)} `;
    penDown = true;
  }
  // A lone point draws nothing as a path, so mark every point when there are few.
  const dots =
    series.points.length <= 20
      ? series.points
          .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
          .map(([x, y]) => `<circle cx="${scaleX(x)}" cy="${scaleY(y)}" r="2.5" fill="${colour}"/>`)
          .join('')
      : '';
  return `<g class="series" data-name="${escapeMarkup(series.name)}"><path d="${d.trim()}" fill="none" stroke="${colour}" stroke-width="1.8"/>${dots}</g>`;
}

function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return value.toExponential(1);
  return String(Number(value.toPrecision(6)));
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
