import { describe, expect, it } from 'vitest';
import { lineChartSvg } from './line-chart.js';

const base = { title: 'Loss', xLabel: 'step', yLabel: 'loss' };

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

  it('maps the data extremes inside the plot area (higher y drawn higher)', () => {
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
    const path = /<path d="M([\d.]+) ([\d.]+) L([\d.]+) ([\d.]+)"/.exec(svg);
    expect(path).not.toBeNull();
    const [x0, y0, x1, y1] = path!.slice(1).map(Number) as [number, number, number, number];
    expect(x0).toBe(64);
    expect(x1).toBe(640 - 16);
    expect(y0).toBe(360 - 48);
    expect(y1).toBe(36);
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
