import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptionScores, MetricScores } from '@imgcap/caption-metrics';
import type { SkippedImage, Split } from '@imgcap/flickr-dataset';
import { renderEvalReport, type ReportExample } from '../report/render.js';
import { thumbnailDataUri } from '../report/thumbnail.js';
import type { SplitCaptions } from './caption-split.js';

/** The stdout line: corpus metrics plus what a reader needs to compare runs. */
export type EvaluationLine = MetricScores & { images: number; beam: number; captions_per_second: number; split: Split };

/** `metrics.json`; `eval compare` reads `metrics`, `beam`, `split` and `captions_per_second`. */
export interface MetricsFile {
  metrics: MetricScores;
  images: number;
  skipped: SkippedImage[];
  split: Split;
  /** Where the split came from and how many of its images the model trained on (null: unknown, no record). */
  held_out: { source: string; overlap_with_training: number | null };
  beam: number;
  captions_per_second: number;
  settings: Record<string, unknown>;
  model: Record<string, unknown>;
  createdAt: string;
}

export interface EvaluationOutputs {
  outDir: string;
  title: string;
  metricsFile: MetricsFile;
  captions: SplitCaptions;
  scores: CaptionScores;
  examples: number;
}

/** Writes metrics.json, captions.json (COCO results; image_id = file name) and report.html into `outDir`. */
export async function writeEvaluationOutputs(outputs: EvaluationOutputs): Promise<void> {
  const { outDir, metricsFile, captions } = outputs;
  await mkdir(outDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    // A model mounted read-only is normal in deployment: say where else the outputs can go.
    throw new Error(
      `cannot write the evaluation outputs into ${outDir} (${error.code ?? error.message}); pass --out DIR`,
    );
  });
  const coco = captions.captioned.map(({ record, result }) => ({ image_id: record.id, caption: result.caption }));
  await writeFile(join(outDir, 'metrics.json'), `${JSON.stringify(metricsFile, null, 2)}\n`);
  await writeFile(join(outDir, 'captions.json'), `${JSON.stringify(coco, null, 1)}\n`);
  await writeFile(join(outDir, 'report.html'), await buildReport(outputs));
}

async function buildReport({ title, metricsFile, captions, scores, examples }: EvaluationOutputs): Promise<string> {
  const shown = captions.captioned.slice(0, examples);
  const reportExamples: ReportExample[] = await Promise.all(
    shown.map(async ({ record, result }) => ({
      id: record.id,
      image: await thumbnailDataUri(record.path),
      caption: result.caption,
      finished: result.finished,
      references: record.captions,
      scores: scores.perImage[record.id],
      words: result.words,
      attention: result.attention,
      gridSize: result.gridSize,
    })),
  );
  const model = metricsFile.model;
  return renderEvalReport({
    title,
    metrics: metricsFile.metrics,
    facts: {
      split: metricsFile.split,
      images: metricsFile.images,
      skipped: metricsFile.skipped.length,
      beam: metricsFile.beam,
      'captions/s': metricsFile.captions_per_second,
      arch: String(model.arch ?? 'imgcap'),
      backbone: String(model.backbone),
      parameters: Number(model.parameters),
      preset: String(model.preset ?? '—'),
    },
    skipped: metricsFile.skipped,
    examples: reportExamples,
  });
}
