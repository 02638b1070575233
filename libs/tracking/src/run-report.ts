import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import escapeMarkup from 'escape-html';
import type { RunSummary } from './run-summary.js';

export interface ReportSample {
  /** A `data:image/{jpeg,png,webp,gif};base64,…` URI, or a file path (relative to `baseDir`) that is read and embedded. */
  image: string;
  /** The model's caption, shown under a "model:" label. */
  caption: string;
  /** Ground-truth captions, listed under a "references:" label. */
  references?: readonly string[];
  /** Per-sample scores, e.g. `{ bleu4: 0.21 }`. */
  scores?: Readonly<Record<string, number>>;
}

export interface RunReportInput {
  title: string;
  config: Readonly<Record<string, unknown>>;
  summary: RunSummary;
  /** SVG strings from `lineChartSvg`; inlined as markup, so pass only SVG this code generated. */
  charts: readonly string[];
  samples: readonly ReportSample[];
  /** Directory that relative sample image paths are resolved against; defaults to the current directory. */
  baseDir?: string;
}

// SVG images are refused: an SVG can carry script, and the report must be safe to open from disk.
const IMAGE_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};
const DATA_URI = /^data:image\/(jpeg|png|webp|gif);base64,[A-Za-z0-9+/]+={0,2}$/;

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; margin-top: 2rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.samples { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1rem; }
.sample { border: 1px solid #ddd; border-radius: 6px; padding: .6rem; margin: 0; overflow-wrap: anywhere; }
.sample img { width: 100%; height: auto; border-radius: 4px; }
.caption { font-weight: 600; margin: .4rem 0; } .refs { color: #555; font-size: .9rem; padding-left: 1.2rem; margin-top: 0; }
.label { color: #777; font-size: .8rem; font-weight: normal; margin: .4rem 0 .2rem; }
`;

/** A single self-contained report.html: inline CSS, inline SVG charts, images as data URIs; all text escaped. */
export function renderRunReport(input: RunReportInput): string {
  const baseDir = input.baseDir ?? process.cwd();
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeMarkup(input.title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeMarkup(input.title)}</h1>`,
    '<h2>Summary</h2>',
    summaryTable(input.summary),
    '<h2>Curves</h2>',
    `<div class="charts">${input.charts.join('\n')}</div>`,
    '<h2>Samples</h2>',
    `<div class="samples">${input.samples.map((sample) => sampleCard(sample, baseDir)).join('\n')}</div>`,
    '<h2>Config</h2>',
    `<pre>${escapeMarkup(JSON.stringify(input.config, null, 2))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}

function summaryTable(summary: RunSummary): string {
  const rows: Array<[string, string]> = [
    ['wall time', `${formatNumber(summary.wallTimeSeconds)} s`],
    ['examples/s', formatNumber(summary.examplesPerSecond)],
  ];
  if (summary.best) {
    const { metric, mode, value, step, epoch } = summary.best;
    // Stored 0-based (as metrics.jsonl); shown 1-based, as the training console counts "epoch 16/16".
    rows.push([`best ${metric} (${mode})`, `${formatNumber(value)} at step ${step}, epoch ${epoch + 1}`]);
  }
  for (const [name, value] of Object.entries(summary.final)) rows.push([`final ${name}`, formatNumber(value)]);
  const body = rows.map(([k, v]) => `<tr><th>${escapeMarkup(k)}</th><td class="num">${escapeMarkup(v)}</td></tr>`);
  return `<table>${body.join('')}</table>`;
}

function sampleCard(sample: ReportSample, baseDir: string): string {
  const refs = sample.references?.length
    ? `<p class="label">references:</p><ol class="refs">${sample.references.map((r) => `<li>${escapeMarkup(r)}</li>`).join('')}</ol>`
    : '';
  const scores = sample.scores
    ? `<table>${Object.entries(sample.scores)
        .map(([k, v]) => `<tr><th>${escapeMarkup(k)}</th><td class="num">${formatNumber(v)}</td></tr>`)
        .join('')}</table>`
    : '';
  return [
    '<figure class="sample">',
    `<img src="${escapeMarkup(imageDataUri(sample.image, baseDir))}" alt="${escapeMarkup(sample.caption)}">`,
    `<figcaption><p class="caption"><span class="label">model:</span> ${escapeMarkup(sample.caption)}</p>${refs}${scores}</figcaption>`,
    '</figure>',
  ].join('');
}

function imageDataUri(image: string, baseDir: string): string {
  if (image.startsWith('data:')) {
    if (!DATA_URI.test(image)) {
      throw new Error(
        `renderRunReport: image data URI ${image.slice(0, 40)}… is not base64 image/jpeg, png, webp or gif`,
      );
    }
    return image;
  }
  const type = IMAGE_TYPES[extname(image).toLowerCase()];
  if (type === undefined) {
    throw new Error(
      `renderRunReport: image ${image} has extension "${extname(image)}"; allowed: ${Object.keys(IMAGE_TYPES).join(', ')}`,
    );
  }
  return `data:${type};base64,${readFileSync(resolve(baseDir, image)).toString('base64')}`;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
