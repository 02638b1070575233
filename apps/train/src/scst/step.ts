import * as tf from '@tensorflow/tfjs-core';
import { type SearchTokens } from '@imgcap/captioner/generation';
import { generateFromFeatures, type CaptionModel } from '@imgcap/captioner/model';
import { type StepMetrics } from '@imgcap/captioner/training';
import type { TrainingBatch } from '@imgcap/captioner/training';
import { sampledBatch } from './batch.js';
import { baselines, type ScstBaseline, type ScstRewards } from './rewards.js';

export interface ScstSettings {
  /** Captions sampled per image. */
  samples: number;
  temperature: number;
  baseline: ScstBaseline;
}

export interface ScstStepResult extends StepMetrics {
  /** Mean CIDEr-D of the samples, and of their baselines. */
  reward: number;
  baseline: number;
  /** Rows trained on: images × samples. */
  rows: number;
}

/**
 * One self-critical step over a batch of images: sample `samples` captions per image (KV-cached, seeded by
 * `sampleSeed` so a resumed run draws what the uninterrupted one drew), reward each with CIDEr-D, subtract the
 * baseline, and take one optimizer step on the advantage-weighted log-likelihood of the samples.
 */
export async function scstStep(
  model: CaptionModel,
  trainer: { stepAsync(batch: TrainingBatch): Promise<StepMetrics> },
  rewards: ScstRewards,
  batch: { imageIds: string[]; features: Float32Array },
  tokens: SearchTokens,
  settings: ScstSettings & { sampleSeed: number },
): Promise<ScstStepResult> {
  const images = batch.imageIds.length;
  const length = model.config.seqLength - 1;
  const features = tf.tensor3d(batch.features, [images, ...model.config.featureShape]);
  const [samples, greedy] = await Promise.all([
    generateFromFeatures(model, features, tokens, {
      sample: true,
      samples: settings.samples,
      temperature: settings.temperature,
      seed: settings.sampleSeed,
      maxLength: length,
    }),
    settings.baseline === 'greedy' ? generateFromFeatures(model, features, tokens, { maxLength: length }) : undefined,
  ]).finally(() => features.dispose());
  const imageOf = (row: number) => batch.imageIds[Math.floor(row / settings.samples)]!;
  const sampleRewards = samples.map((s, row) => rewards.score(imageOf(row), s.tokens));
  const greedyRewards = greedy?.map((g, i) => rewards.score(batch.imageIds[i]!, g.tokens));
  const base = baselines(sampleRewards, settings.samples, greedyRewards);
  const advantages = sampleRewards.map((r, i) => r - base[i]!);
  const trainingBatch = sampledBatch(batch.features, images, samples, advantages, tokens, length);
  const metrics = await trainer.stepAsync(trainingBatch);
  return { ...metrics, reward: mean(sampleRewards), baseline: mean(base), rows: samples.length };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}
