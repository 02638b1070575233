import type { MetricName } from '@imgcap/caption-metrics';
import type { CompareEntry, EvalSummary } from './collect.js';

const MISSING = '—';

/** Column label of a beam width: 1 is greedy decoding. */
function beamLabel(beam: number): string {
  return beam === 1 ? 'greedy' : `beam-${beam}`;
}

/** Per beam width, the newest eval of `split`. */
function latestByBeam(evals: readonly EvalSummary[], split: string): Map<number, EvalSummary> {
  const byBeam = new Map<number, EvalSummary>();
  for (const summary of evals) {
    if (summary.split !== split) continue;
    const kept = byBeam.get(summary.beam);
    if (!kept || summary.createdAt > kept.createdAt) byBeam.set(summary.beam, summary);
  }
  return byBeam;
}

function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

function format(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? MISSING : value.toFixed(digits);
}

/**
 * A Markdown table with one row per entry. Metric columns hold one value per beam width seen in any entry's evals of
 * `split` ("greedy / beam-3"); a run without that eval shows —.
 */
export function compareTable(entries: readonly CompareEntry[], split: string): string {
  const evals = entries.map((entry) => latestByBeam(entry.evals, split));
  const beams = [...new Set(evals.flatMap((byBeam) => [...byBeam.keys()]))].sort((a, b) => a - b);
  const shownBeams = beams.length > 0 ? beams : [1];
  const beamHeader = shownBeams.map(beamLabel).join(' / ');
  const perBeam = (byBeam: Map<number, EvalSummary>, value: (e: EvalSummary) => number, digits: number) =>
    shownBeams.map((beam) => format(byBeam.has(beam) ? value(byBeam.get(beam)!) : undefined, digits)).join(' / ');
  const metric = (name: MetricName) => (e: EvalSummary) => e.metrics[name];
  const perBeamColumns = ['CIDEr-D', 'BLEU-4', 'captions/s'].map((name) => `${name} (${beamHeader})`);
  const header = ['run', 'arch', 'preset', 'backbone', 'parameters', 'bundle MB', ...perBeamColumns];
  const rows = entries.map((entry, i) => [
    entry.name,
    entry.arch,
    entry.preset ?? MISSING,
    entry.backbone,
    entry.parameters.toLocaleString('en-US'),
    (entry.bundleBytes / 1e6).toFixed(1),
    perBeam(evals[i], metric('CIDEr-D'), 3),
    perBeam(evals[i], metric('BLEU-4'), 3),
    perBeam(evals[i], (e) => e.captionsPerSecond, 2),
  ]);
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
