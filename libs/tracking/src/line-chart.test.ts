import { describe, expect, it } from 'vitest';
import { LEGEND_CHAR_WIDTH } from './chart-legend.js';
import { lineChartSvg, type ChartSeries } from './line-chart.js';

const base = { title: 'Loss', xLabel: 'step', yLabel: 'loss' };

type Box = { x: number; y: number; width: number; height: number };

/** The `x y width height` of the `<rect class="…">` in the SVG. */
function box(svg: string, className: string): Box {
  const rect = new RegExp(
    `<rect class="${className}" x="([\\d.]+)" y="([\\d.]+)" width="([\\d.]+)" height="([\\d.]+)"`,
  ).exec(svg);
  if (!rect) throw new Error(`no <rect class="${className}"> in the chart`);
  const [x, y, width, height] = rect.slice(1).map(Number) as [number, number, number, number];
  return { x, y, width, height };
}

function intersects(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function contains(outer: Box, x: number, y: number): boolean {
  return x >= outer.x && x <= outer.x + outer.width && y >= outer.y && y <= outer.y + outer.height;
}

/** A rising curve per series over the whole x range, so the last quarter of every curve is drawn too. */
function curves(names: readonly string[]): ChartSeries[] {
  return names.map((name, s) => ({
    name,
    points: Array.from({ length: 40 }, (_, i) => [i, s + i / 4] as const),
  }));
}

function tickLabels(svg: string, anchor: 'middle' | 'end'): string[] {
  return [...svg.matchAll(new RegExp(`<text x="[^"]+" y="[^"]+" text-anchor="${anchor}">([^<]+)</text>`, 'g'))].map(
    (m) => m[1]!,
  );
}

describe('lineChartSvg', () => {
  it('is a standalone SVG document with title, axis labels and a legend entry per series', () => {
    const svg = lineChartSvg({
      ...base,
      series: [
        {
          name: 'train',
          points: [
            [0, 3],
            [10, 2],
            [20, 1.5],
          ],
        },
        {
          name: 'val',
          points: [
            [10, 2.4],
            [20, 2.1],
          ],
        },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>Loss</title>');
    expect(svg).toMatch(/>step<\/text>/);
    expect(svg).toMatch(/rotate\(-90\)[^>]*>loss<\/text>/);
    expect(svg.match(/<g class="series"/g)).toHaveLength(2);
    expect(svg).toMatch(/<g class="legend">.*>train<\/text>.*>val<\/text>/);
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('puts round ticks on both axes that cover the data', () => {
    const svg = lineChartSvg({
      ...base,
      series: [
        {
          name: 's',
          points: [
            [0, 0.13],
            [100, 0.92],
          ],
        },
      ],
    });
    // x ticks are centred under the axis, y ticks right-aligned left of it.
    expect(tickLabels(svg, 'middle')).toEqual(expect.arrayContaining(['0', '20', '40', '60', '80', '100']));
    expect(tickLabels(svg, 'end')).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
  });

  it('ends the y axis at a tick at or above the largest value (10.75 → 15, not 10)', () => {
    const svg = lineChartSvg({
      ...base,
      series: [
        {
          name: 's',
          points: [
            [0, 0],
            [1, 10.75],
          ],
        },
      ],
    });
    expect(tickLabels(svg, 'end')).toEqual(['0', '5', '10', '15']);
  });

  it('maps the data extremes onto the edges of the plot area (higher y drawn higher)', () => {
    const svg = lineChartSvg({
      ...base,
      width: 640,
      height: 360,
      series: [
        {
          name: 's',
          points: [
            [0, 0],
            [10, 10],
          ],
        },
      ],
    });
    const plot = box(svg, 'plot-area');
    const path = /<path d="M([\d.]+) ([\d.]+) L([\d.]+) ([\d.]+)"/.exec(svg);
    expect(path).not.toBeNull();
    const [x0, y0, x1, y1] = path!.slice(1).map(Number) as [number, number, number, number];
    expect(plot).toMatchObject({ x: 64, y: 36, width: 640 - 64 - 16 });
    expect(x0).toBe(plot.x);
    expect(x1).toBe(plot.x + plot.width);
    expect(y0).toBe(plot.y + plot.height);
    expect(y1).toBe(plot.y);
  });

  it('breaks the line at non-finite points instead of drawing NaN', () => {
    const svg = lineChartSvg({
      ...base,
      series: [
        {
          name: 's',
          points: [
            [1, 1],
            [2, Number.NaN],
            [3, 2],
            [4, 3],
          ],
        },
      ],
    });
    const d = /<path d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
    expect(svg).not.toContain('NaN');
  });

  it('escapes title, labels and series names', () => {
    const svg = lineChartSvg({
      title: 'a<b>&',
      xLabel: '"x"',
      yLabel: "y'",
      series: [{ name: '<script>x</script>', points: [[0, 1]] }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(svg).toContain('a&lt;b&gt;&amp;');
  });

  it('draws an empty chart with a "no data" note and a flat series without dividing by zero', () => {
    expect(lineChartSvg({ ...base, series: [] })).toContain('no data');
    const flat = lineChartSvg({
      ...base,
      series: [
        {
          name: 's',
          points: [
            [5, 2],
            [5, 2],
          ],
        },
      ],
    });
    expect(flat).not.toMatch(/NaN|Infinity/);
  });

  it('rejects a size too small to draw, naming it', () => {
    expect(() => lineChartSvg({ ...base, series: [], width: 50, height: 360 })).toThrow(/got 50 × 360/);
  });
});

describe('lineChartSvg legend', () => {
  const cases: Array<{ what: string; names: string[]; width?: number; height?: number }> = [
    { what: 'two series, default size', names: ['train', 'val'] },
    { what: 'one series on the smallest chart', names: ['loss'], width: 200, height: 150 },
    {
      what: 'eight long names wrapping onto rows',
      names: Array.from({ length: 8 }, (_, i) => `validation series ${i}`),
    },
    { what: 'a name longer than the plot is wide', names: ['x'.repeat(200), 'val'], width: 300, height: 220 },
  ];

  it.each(cases)('lies outside the plot area, below the x-axis label and inside the SVG: $what', (c) => {
    const width = c.width ?? 640;
    const height = c.height ?? 360;
    const svg = lineChartSvg({ ...base, width, height, series: curves(c.names) });
    const plot = box(svg, 'plot-area');
    const legend = box(svg, 'legend-box');
    expect(intersects(legend, plot)).toBe(false);
    const xLabelBaseline = Number(/<text x="[\d.]+" y="([\d.]+)" text-anchor="middle">step<\/text>/.exec(svg)![1]);
    expect(legend.y).toBeGreaterThan(xLabelBaseline + 3);
    expect(legend.x + legend.width).toBeLessThanOrEqual(width);
    expect(legend.y + legend.height).toBeLessThanOrEqual(height);
    // Every swatch and every label (at its estimated width and 12 px glyph height) is inside the legend's box.
    const items = [
      ...svg.matchAll(
        /<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)"[^>]*\/><text x="([\d.]+)" y="([\d.]+)">([^<]*)<\/text>/g,
      ),
    ];
    expect(items).toHaveLength(c.names.length);
    for (const [, x1, y1, x2, tx, ty, label] of items) {
      expect(contains(legend, Number(x1), Number(y1))).toBe(true);
      expect(contains(legend, Number(x2), Number(y1))).toBe(true);
      const textRight = Number(tx) + label!.length * LEGEND_CHAR_WIDTH;
      expect(contains(legend, Number(tx), Number(ty) - 12) && contains(legend, textRight, Number(ty) + 3)).toBe(true);
    }
    // And every point of every curve is inside the plot area, so no point can be under the legend.
    const d = [...svg.matchAll(/<path d="([^"]+)"/g)].flatMap((m) => m[1]!.split(/[ML]/).filter(Boolean));
    expect(d).toHaveLength(40 * c.names.length);
    for (const point of d) {
      const [x, y] = point.trim().split(' ').map(Number) as [number, number];
      expect(contains(plot, x, y)).toBe(true);
    }
  });

  it('keeps the whole name of a shortened entry in its tooltip', () => {
    const long = `${'a'.repeat(100)}-end`;
    const svg = lineChartSvg({ ...base, width: 300, height: 220, series: curves([long]) });
    expect(svg).toContain(`<title>${long}</title>`);
    expect(svg).toMatch(/>a+…<\/text>/);
  });

  it('takes its room from the plot, and refuses a chart too short for plot and legend, saying why', () => {
    const one = box(lineChartSvg({ ...base, series: curves(['a']) }), 'plot-area');
    const none = box(lineChartSvg({ ...base, series: [] }), 'plot-area');
    expect(one.height).toBeLessThan(none.height);
    const many = curves(Array.from({ length: 8 }, (_, i) => `series ${i}`));
    expect(() => lineChartSvg({ ...base, width: 200, height: 150, series: many })).toThrow(
      /200 × 150 leaves a -?\d+ px plot above a \d+ px legend \(8 series\); make the chart taller/,
    );
  });
});
