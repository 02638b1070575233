import { basename, join, resolve } from 'node:path';
import { scoreCaptions } from '@imgcap/caption-metrics';
import { locateCaptionBundle, type ImageCaptioner } from '@imgcap/captioner/bundle';
import type { Command } from 'commander';
import { captionSplit } from './caption-split.js';
import { heldOutRecords } from './held-out.js';
import { decodingOf, loadModel } from './load-model.js';
import { addEvaluateOptions, toEvaluateSettings, type EvaluateFlags, type EvaluateSettings } from './options.js';
import { writeEvaluationOutputs, type EvaluationLine, type MetricsFile } from './outputs.js';

export interface EvaluationResult {
  line: EvaluationLine;
  outDir: string;
}

/** Captions one split with a bundle, scores it, and writes metrics.json, captions.json and report.html. */
export async function runEvaluation(
  settings: EvaluateSettings,
  log: (line: string) => void,
): Promise<EvaluationResult> {
  const { modelDir, bundleDir } = await locateCaptionBundle(settings.model);
  const { records, facts: heldOut } = await heldOutRecords(settings, bundleDir, log);
  const { captioner, engine, backend, search } = await loadModel(settings, bundleDir, log);
  try {
    log(
      `captioning ${records.length} ${settings.split} images (${heldOut.source}) with ${bundleDir} on ${engine} (${decodingOf(search).text})`,
    );
    const captions = await captionSplit(captioner, records, { search, batchSize: settings.batchSize, log });
    if (captions.captioned.length === 0)
      throw new Error(`none of the ${records.length} ${settings.split} images could be read`);
    const references = Object.fromEntries(captions.captioned.map(({ record }) => [record.id, record.captions]));
    const candidates = Object.fromEntries(captions.captioned.map(({ record, result }) => [record.id, result.caption]));
    const scores = scoreCaptions(references, candidates);
    const captionsPerSecond = captions.captioned.length / captions.seconds;
    const line: EvaluationLine = {
      ...scores.corpus,
      images: captions.captioned.length,
      beam: search.beamWidth,
      captions_per_second: captionsPerSecond,
      split: settings.split,
    };
    const metricsFile: MetricsFile = {
      metrics: scores.corpus,
      images: line.images,
      skipped: captions.skipped,
      split: settings.split,
      held_out: heldOut,
      beam: search.beamWidth,
      captions_per_second: captionsPerSecond,
      settings: { ...settings, maxLength: search.maxLength, backend, engine, bundle: bundleDir },
      model: modelFacts(captioner),
      createdAt: new Date().toISOString(),
    };
    const decoding = decodingOf(search);
    const outDir = resolve(settings.out ?? join(modelDir, `eval-${settings.split}-${decoding.dir}`));
    const title = `imgcap eval: ${basename(modelDir)} on ${settings.dataset} ${settings.split}, ${decoding.text}`;
    await writeEvaluationOutputs({ outDir, title, metricsFile, captions, scores, examples: settings.examples });
    log(`wrote ${join(outDir, 'metrics.json')}, captions.json and report.html`);
    return { line, outDir };
  } finally {
    captioner.dispose();
  }
}

function modelFacts(captioner: ImageCaptioner): Record<string, unknown> {
  const { manifest } = captioner;
  return {
    arch: captioner.architecture,
    backbone: manifest.backbone.id,
    imageSize: manifest.backbone.imageSize,
    parameters: captioner.parameterCount,
    preset: manifest.metadata.preset,
    config: manifest.config,
    metadata: manifest.metadata,
  };
}

/**
 * The default command (`eval --model DIR --dataset … --data_dir …`): one JSON line of metrics on stdout, progress
 * on stderr, or one error line and exit code 1.
 */
export function registerEvaluateCommand(program: Command): Command {
  const command = program
    .command('caption', { isDefault: true })
    .description('caption a dataset split with a model and score it (the default command)');
  return addEvaluateOptions(command).action(async (flags: EvaluateFlags, cmd: Command) => {
    const output = cmd.configureOutput();
    const log = (line: string) => output.writeErr?.(`${line}\n`);
    let result: EvaluationResult;
    try {
      result = await runEvaluation(toEvaluateSettings(flags), log);
    } catch (error) {
      cmd.error(`error: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`, { exitCode: 1, code: 'imgcap.eval' });
    }
    output.writeOut?.(`${JSON.stringify(result.line)}\n`);
  });
}
