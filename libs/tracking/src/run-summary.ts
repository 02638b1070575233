import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from './atomic-file.js';
import type { MetricsRecord, Split } from './metrics-log.js';

export interface BestMetric {
  /** Metric key as in `final`, e.g. `val/bleu4`. */
  readonly metric: string;
  readonly mode: 'max' | 'min';
  readonly value: number;
  readonly step: number;
  /** 0-based, as in metrics.jsonl; the report shows it 1-based ("epoch 16" of 16), as the training console does. */
  readonly epoch: number;
}

/** Contents of summary.json. Metric keys are `split/name` (`train/loss`, `val/bleu4`) or the bare name. */
export interface RunSummary {
  readonly best?: BestMetric;
  /** The last logged value of every metric. */
  readonly final: Readonly<Record<string, number>>;
  readonly wallTimeSeconds: number;
  readonly examplesPerSecond: number;
  /** What the data preparation dropped or repaired (skipped images, empty captions…), when the caller reports it. */
  readonly data?: Readonly<Record<string, number | readonly string[]>>;
}

export interface SummarizeOptions {
  /** Which metric decides "best", e.g. `{ metric: 'bleu4', split: 'val', mode: 'max' }`. */
  best?: { metric: string; split?: Split; mode: 'max' | 'min' };
  wallTimeSeconds: number;
  /** Training examples processed in this run, for throughput. */
  examplesSeen: number;
  data?: RunSummary['data'];
}

/** The key a metric is known by in summaries and in W&B: `train/loss`, `val/bleu4`, or `lr` with no split. */
export function metricKey(name: string, split?: Split): string {
  return split === undefined ? name : `${split}/${name}`;
}

/** Builds the summary from the logged records, so summary.json and metrics.jsonl cannot disagree. */
export function summarizeMetrics(records: readonly MetricsRecord[], options: SummarizeOptions): RunSummary {
  if (!(options.wallTimeSeconds > 0)) {
    throw new Error(`summarizeMetrics: wallTimeSeconds must be > 0, got ${options.wallTimeSeconds}`);
  }
  if (!(options.examplesSeen >= 0)) {
    throw new Error(`summarizeMetrics: examplesSeen must be >= 0, got ${options.examplesSeen}`);
  }
  const final: Record<string, number> = {};
  for (const record of records) {
    for (const [name, value] of Object.entries(record.metrics)) final[metricKey(name, record.split)] = value;
  }
  const summary = {
    final,
    wallTimeSeconds: options.wallTimeSeconds,
    examplesPerSecond: options.examplesSeen / options.wallTimeSeconds,
    ...(options.data ? { data: options.data } : {}),
  };
  if (options.best === undefined) return summary;
  const best = findBest(records, options.best);
  return best === undefined ? summary : { best, ...summary };
}

function findBest(
  records: readonly MetricsRecord[],
  { metric, split, mode }: { metric: string; split?: Split; mode: 'max' | 'min' },
): BestMetric | undefined {
  if (mode !== 'max' && mode !== 'min') {
    throw new Error(`summarizeMetrics: best.mode must be 'max' or 'min', got ${JSON.stringify(mode)}`);
  }
  let best: BestMetric | undefined;
  for (const record of records) {
    const value = record.metrics[metric];
    // NaN (a diverged step) never counts as best.
    if (record.split !== split || value === undefined || Number.isNaN(value)) continue;
    const better = best === undefined || (mode === 'max' ? value > best.value : value < best.value);
    if (better) best = { metric: metricKey(metric, split), mode, value, step: record.step, epoch: record.epoch };
  }
  return best;
}

export async function writeSummary(path: string, summary: RunSummary): Promise<void> {
  await writeJsonAtomic(path, summary);
}

export async function readSummary(path: string): Promise<RunSummary> {
  return JSON.parse(await readFile(path, 'utf8')) as RunSummary;
}
