import type { MetricScores } from '@imgcap/caption-metrics';
import { attentionStrip } from './attention.js';
import escapeHtml from 'escape-html';

export interface ReportExample {
  id: string;
  /** `data:image/jpeg;base64,…` from `thumbnailDataUri`; absent when the file could not be re-read. */
  image?: string;
  caption: string;
  /** False when the caption hit --max_length before its end marker. */
  finished: boolean;
  references: readonly string[];
  scores: MetricScores;
  words: readonly string[];
  attention: readonly number[][];
  gridSize: [number, number];
}

export interface EvalReportInput {
  title: string;
  metrics: MetricScores;
  /** Run facts shown under the metrics: images, beam, captions/s, backbone, parameters… */
  facts: Readonly<Record<string, string | number>>;
  skipped: readonly { id: string; reason: string }[];
  examples: readonly ReportExample[];
}

// Only base64 JPEG/PNG URIs are inlined, so no text can break out of the url("…") or src="…" they sit in.
const DATA_URI = /^data:image\/(jpeg|png);base64,[A-Za-z0-9+/]+={0,2}$/;

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; margin-top: 2rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .2rem .5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.example { border: 1px solid #ddd; border-radius: 6px; padding: .8rem; margin: 1rem 0; display: grid;
  grid-template-columns: 240px 1fr; gap: .8rem; overflow-wrap: anywhere; }
.example > img { max-width: 224px; max-height: 224px; border-radius: 4px; }
.caption { font-weight: 600; font-size: 1.05rem; margin: 0 0 .4rem; } .cut { color: #b00; font-weight: normal; }
.refs { color: #555; margin: .3rem 0; padding-left: 1.2rem; } .scores td, .scores th { font-size: .85rem; }
.attention { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: .4rem; }
.tile { margin: 0; width: 96px; } .tile .heat { width: 96px; height: 96px; display: grid; background-size: 100% 100%; }
.heat i { background: #f00; } .tile figcaption { text-align: center; font-size: .85rem; }
`;

/** A self-contained report.html: corpus metrics, then examples with image, caption, references, scores and attention. */
export function renderEvalReport(input: EvalReportInput): string {
  const backgrounds = input.examples.map((example, i) =>
    example.image && DATA_URI.test(example.image) ? `.ex${i} .heat { background-image: url("${example.image}"); }` : '',
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLE}${backgrounds.join('\n')}</style></head><body>`,
    `<h1>${escapeHtml(input.title)}</h1>`,
    '<h2>Corpus metrics</h2>',
    keyValueTable(input.metrics, 'metrics'),
    keyValueTable(input.facts, 'facts'),
    skippedList(input.skipped),
    `<h2>Examples (${input.examples.length})</h2>`,
    '<p>Under each caption, one tile per generated word: red cells are where the decoder looked for that word ',
    "(cross-attention averaged over heads, scaled from the word's weakest to its strongest cell).</p>",
    input.examples.map((example, i) => exampleCard(example, `ex${i}`)).join('\n'),
    '</body></html>',
    '',
  ].join('\n');
}

function formatValue(value: string | number): string {
  return typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : String(value);
}

function keyValueTable(values: Readonly<Record<string, string | number>>, className: string): string {
  const rows = Object.entries(values).map(
    ([key, value]) => `<tr><th>${escapeHtml(key)}</th><td class="num">${escapeHtml(formatValue(value))}</td></tr>`,
  );
  return `<table class="${className}">${rows.join('')}</table>`;
}

function skippedList(skipped: EvalReportInput['skipped']): string {
  if (skipped.length === 0) return '';
  const items = skipped.map(({ id, reason }) => `<li>${escapeHtml(id)}: ${escapeHtml(reason)}</li>`);
  return `<h2>Skipped images (${skipped.length})</h2><ul>${items.join('')}</ul>`;
}

function exampleCard(example: ReportExample, imageClass: string): string {
  const image =
    example.image && DATA_URI.test(example.image)
      ? `<img src="${example.image}" alt="${escapeHtml(example.id)}">`
      : '<div>(image unavailable)</div>';
  const cut = example.finished ? '' : ' <span class="cut">(cut at --max_length)</span>';
  const refs = example.references.map((ref) => `<li>${escapeHtml(ref)}</li>`).join('');
  const header = Object.keys(example.scores)
    .map((name) => `<th>${escapeHtml(name)}</th>`)
    .join('');
  const scores = Object.values(example.scores)
    .map((v) => `<td class="num">${v.toFixed(3)}</td>`)
    .join('');
  return [
    `<section class="example" id="${imageClass}">`,
    image,
    '<div>',
    `<p class="caption">${escapeHtml(example.caption)}${cut}</p>`,
    `<div>${escapeHtml(example.id)}</div>`,
    `<ul class="refs">${refs}</ul>`,
    `<table class="scores"><tr>${header}</tr><tr>${scores}</tr></table>`,
    '</div>',
    attentionStrip(example.words, example.attention, example.gridSize, imageClass),
    '</section>',
  ].join('\n');
}
