import * as tf from '@tensorflow/tfjs-core';
import { type Hypothesis } from '@imgcap/captioner/generation';
import { CaptionModel, type CaptionModelConfig } from '@imgcap/captioner/model';
import { CaptionTrainer } from '@imgcap/captioner/training';
import { WordTokenizer } from '@imgcap/tokenizer';
import { selectBackend } from '@imgcap/tf-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampledBatch } from './batch.js';
import { baselines, ScstRewards } from './rewards.js';
import { scstStep } from './step.js';

const CONFIG: CaptionModelConfig = {
  vocabSize: 12,
  seqLength: 8,
  embedDim: 16,
  ffDim: 32,
  encHeads: 2,
  decHeads: 2,
  dropout: 0,
  backbone: 'patch4@8',
  imageSize: 8,
  featureShape: [4, 48],
  arch: 'imgcap',
};
const TOKENS = { start: 2, end: 3 };

beforeAll(async () => {
  await selectBackend({ backend: 'wasm', log: () => {} });
});

const hypothesis = (tokens: number[], finished = true): Hypothesis => ({
  tokens,
  finished,
  logProb: 0,
  score: 0,
  attention: [],
});

/** log p(caption | image) under the model: −(mean cross-entropy × scored words) of the caption alone. */
function logLikelihood(trainer: CaptionTrainer, features: Float32Array, sample: Hypothesis): number {
  const batch = sampledBatch(features, 1, [sample], [1], TOKENS, CONFIG.seqLength - 1);
  delete batch.targetWeights;
  const words = sample.tokens.length + (sample.finished ? 1 : 0);
  return -trainer.evaluate(batch).loss * words;
}

describe('self-critical step', () => {
  it.each([
    ['imgcap', CONFIG],
    ['seed', { ...CONFIG, arch: 'seed', seedDropout: { attention: 0, feedForward: 0, output: 0 } }],
  ] as const)(
    'makes a sample above the baseline likelier and one below it less likely, after one step (%s)',
    (_, config) => {
      const model = new CaptionModel(config, { seed: 5 });
      const trainer = new CaptionTrainer(model, 0.01);
      const features = tf.tidy(() => tf.randomUniform([1, 4, 48], 0, 1, 'float32', 3).dataSync() as Float32Array);
      const good = hypothesis([4, 5, 6]);
      const bad = hypothesis([7, 8], false);
      const before = [logLikelihood(trainer, features, good), logLikelihood(trainer, features, bad)];
      trainer.step(sampledBatch(features, 1, [good, bad], [0.8, -0.8], TOKENS, CONFIG.seqLength - 1));
      const after = [logLikelihood(trainer, features, good), logLikelihood(trainer, features, bad)];
      expect(after[0]).toBeGreaterThan(before[0]!);
      expect(after[1]).toBeLessThan(before[1]!);
      model.dispose();
    },
  );

  it('builds rows image by image, inputs start + words, targets words + end (when ended), weights per row', () => {
    const features = Float32Array.from({ length: 2 * 3 }, (_, i) => i);
    const batch = sampledBatch(
      features,
      2,
      [hypothesis([4]), hypothesis([5, 6], false), hypothesis([]), hypothesis([7])],
      [1, -2, 3, -4],
      TOKENS,
      4,
    );
    expect(batch.batchSize).toBe(4);
    expect(Array.from(batch.features)).toEqual([0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]);
    expect(Array.from(batch.inputTokens)).toEqual([2, 4, 0, 0, 2, 5, 0, 0, 2, 0, 0, 0, 2, 7, 0, 0]);
    expect(Array.from(batch.targetTokens)).toEqual([4, 3, 0, 0, 5, 6, 0, 0, 3, 0, 0, 0, 7, 3, 0, 0]);
    expect(Array.from(batch.targetWeights!)).toEqual([1, 1, 0, 0, -2, -2, 0, 0, 3, 0, 0, 0, -4, -4, 0, 0]);
  });

  it('takes as baseline the mean of the other samples, or the greedy reward', () => {
    expect(baselines([1, 2, 3, 10, 20, 30], 3)).toEqual([2.5, 2, 1.5, 25, 20, 15]);
    expect(baselines([1, 2, 3, 10], 2, [0.5, 7])).toEqual([0.5, 0.5, 7, 7]);
  });

  it('leaves no tensor behind per step, on wasm, with either baseline', async () => {
    const captions = ['a red square', 'a blue circle', 'two green squares', 'a red circle'];
    const tokenizer = WordTokenizer.fit(captions, { vocabSize: 12 });
    const images = captions.map((caption, i) => ({
      id: `i${i}`,
      path: '',
      split: 'train' as const,
      captions: [caption],
    }));
    const rewards = new ScstRewards(images, tokenizer);
    const model = new CaptionModel(CONFIG, { seed: 5 });
    const trainer = new CaptionTrainer(model, 0.01);
    const features = tf.tidy(() => tf.randomUniform([4, 4, 48], 0, 1, 'float32', 3).dataSync() as Float32Array);
    const tokens = {
      start: tokenizer.markers.start,
      end: tokenizer.markers.end,
      banned: [...tokenizer.bannedInCaptions],
    };
    const step = (baseline: 'mean' | 'greedy', seed: number) =>
      scstStep(model, trainer, rewards, { imageIds: ['i0', 'i1', 'i2', 'i3'], features }, tokens, {
        samples: 3,
        temperature: 1,
        baseline,
        sampleSeed: seed,
      });
    await step('mean', 1); // Adam's moments are created on the first step.
    const before = tf.memory().numTensors;
    for (const baseline of ['mean', 'greedy'] as const) {
      const result = await step(baseline, 2);
      expect(result.rows).toBe(12);
      expect(Number.isFinite(result.loss) && Number.isFinite(result.reward)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
