import { writeFile } from 'node:fs/promises';
import type { CaptionModel } from '@imgcap/captioner/model';
import type { ImageRecord } from '@imgcap/flickr-dataset';
import type { CaptionTokenizer } from '@imgcap/tokenizer';
import {
  lineChartSvg,
  readMetrics,
  renderRunReport,
  summarizeMetrics,
  type MetricsRecord,
  type RunDirectory,
  type Tracker,
} from '@imgcap/tracking';
import type { TrainConfig } from './config.js';
import type { FeatureStore } from './features.js';
import { captionRecords } from './validate.js';

const REPORT_SAMPLES = 8;

function series(records: MetricsRecord[], split: 'train' | 'val' | 'scst', metric: string, name: string) {
  const points = records
    .filter((r) => r.split === split && metric in r.metrics)
    .map((r) => [r.step, r.metrics[metric]!] as const);
  return { name, points };
}

/** summary.json and report.html: loss/accuracy/BLEU/CIDEr curves and sample captions with their images. */
export async function writeRunReport(input: {
  run: RunDirectory;
  config: TrainConfig;
  wall: number;
  examplesSeen: number;
  model: CaptionModel;
  tokenizer: CaptionTokenizer;
  store: FeatureStore;
  sample: ImageRecord[];
  tracker: Tracker;
  /** Dropped and repaired inputs, for summary.json. */
  dataFacts: Record<string, number | string[]>;
}): Promise<void> {
  const { run, model, tokenizer, store } = input;
  const { records } = await readMetrics(run.paths.metrics);
  const summary = summarizeMetrics(records, {
    // A run with self-critical epochs keeps the epoch of best validation CIDEr-D (see loop.ts).
    best:
      input.config.scst_epochs > 0
        ? { metric: 'cider', split: 'val', mode: 'max' }
        : { metric: 'loss', split: 'val', mode: 'min' },
    wallTimeSeconds: Math.max(input.wall, 1e-3),
    examplesSeen: input.examplesSeen,
    data: input.dataFacts,
  });
  await input.tracker.summary(summary);
  const charts = runCharts(records);
  const shown = input.sample.slice(0, REPORT_SAMPLES);
  const captions = await captionRecords(model, tokenizer, shown, store);
  const html = renderRunReport({
    title: `imgcap training run — ${run.dir}`,
    config: { ...input.config, parameters: model.countParams(), backbone_id: model.config.backbone },
    summary,
    charts,
    samples: shown.map((r) => ({ image: r.path, caption: captions[r.id] ?? '', references: r.captions })),
  });
  await writeFile(run.paths.report, html);
}

/** Loss, accuracy and validation-caption curves, and the reward curves when the run had self-critical steps. */
function runCharts(records: MetricsRecord[]): string[] {
  const charts = [
    lineChartSvg({
      title: 'Loss',
      xLabel: 'step',
      yLabel: 'masked cross-entropy',
      series: [series(records, 'train', 'loss', 'train'), series(records, 'val', 'loss', 'val')],
    }),
    lineChartSvg({
      title: 'Next-token accuracy',
      xLabel: 'step',
      yLabel: 'accuracy',
      series: [series(records, 'train', 'accuracy', 'train'), series(records, 'val', 'accuracy', 'val')],
    }),
    lineChartSvg({
      title: 'Validation captions',
      xLabel: 'step',
      yLabel: 'score',
      series: [series(records, 'val', 'bleu4', 'BLEU-4'), series(records, 'val', 'cider', 'CIDEr-D')],
    }),
  ];
  if (!records.some((r) => r.split === 'scst')) return charts;
  const reward = lineChartSvg({
    title: 'Self-critical training',
    xLabel: 'step',
    yLabel: 'CIDEr-D of samples',
    series: [series(records, 'scst', 'reward', 'reward'), series(records, 'scst', 'baseline', 'baseline')],
  });
  return [...charts, reward];
}
