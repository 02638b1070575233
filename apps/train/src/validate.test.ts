import * as tf from '@tensorflow/tfjs-core';
import { CaptionModel } from '@imgcap/captioner/model';
import { CaptionTrainer } from '@imgcap/captioner/training';
import { selectBackend } from '@imgcap/tf-runtime';
import { WordTokenizer } from '@imgcap/tokenizer';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureStore } from './features.js';
import { validate } from './validate.js';

beforeAll(() => selectBackend({ backend: 'wasm', log: () => {} }));

const CONFIG = {
  vocabSize: 12,
  seqLength: 8,
  embedDim: 16,
  ffDim: 16,
  encHeads: 2,
  decHeads: 2,
  dropout: 0,
  backbone: 'patch4@8',
  imageSize: 8,
  featureShape: [4, 48] as [number, number],
};

/** Features from memory: what validation reads from the cache. */
const store: FeatureStore = {
  featureSize: 4 * 48,
  skipped: [],
  stats: { extracted: 0, cached: 0, damaged: 0, seconds: 0 },
  async featuresFor(ids) {
    return Float32Array.from({ length: ids.length * 4 * 48 }, (_, i) => ((i * 7919) % 100) / 100);
  },
};

describe("train's validation pass", () => {
  it('leaks no tensors: held-out loss, greedy captions and scores, twice', async () => {
    const tokenizer = WordTokenizer.fit(['a red circle', 'two blue squares'], { vocabSize: 12 });
    const model = new CaptionModel({ ...CONFIG, vocabSize: tokenizer.vocabSize }, { seed: 1 });
    const trainer = new CaptionTrainer(model, 0.01);
    const examples = ['a red circle', 'two blue squares', 'a blue circle'].map((caption, i) => ({
      imageId: `img${i}`,
      tokens: tokenizer.encode(caption, 8),
    }));
    const sample = examples.map((e, i) => ({
      id: e.imageId,
      path: `${e.imageId}.jpg`,
      split: 'val' as const,
      captions: [['a red circle', 'two blue squares', 'a blue circle'][i]!],
    }));
    const held = { examples, sample };
    const first = await validate(trainer, model, tokenizer, held, store, 2); // warms kernels and caches
    expect(Number.isFinite(first.loss)).toBe(true);
    const before = tf.memory().numTensors;
    const second = await validate(trainer, model, tokenizer, held, store, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(second.samples).toHaveLength(3);
    trainer.dispose();
    model.dispose();
  });
});
