import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskedAccuracy, maskedCrossEntropy } from '../loss.js';
import type { CaptionModelConfig } from '../config.js';
import { CaptionModel } from '../model/caption-model.js';
import { TINY_CONFIGS, useTestBackend } from '../test-helpers/tiny-model.js';
import { CaptionTrainer, type TrainingBatch } from './trainer.js';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'imgcap-trainer-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** 8 examples: distinct random images, each with its own caption of words 4..11, padded. */
function eightExamples(TINY_CONFIG: CaptionModelConfig): TrainingBatch {
  const [tokens, channels] = TINY_CONFIG.featureShape;
  const length = TINY_CONFIG.seqLength - 1;
  const features = new Float32Array(8 * tokens * channels);
  let state = 3;
  for (let i = 0; i < features.length; i++) features[i] = (state = (state * 16807) % 2147483647) / 2147483647;
  const inputTokens = new Int32Array(8 * length);
  const targetTokens = new Int32Array(8 * length);
  for (let n = 0; n < 8; n++) {
    const words = [4 + n, 4 + ((n * 3) % 8), 4 + ((n * 5 + 1) % 8)].slice(0, 1 + (n % 3));
    const sequence = [2, ...words, 3];
    sequence.slice(0, -1).forEach((id, t) => (inputTokens[n * length + t] = id));
    sequence.slice(1).forEach((id, t) => (targetTokens[n * length + t] = id));
  }
  return { batchSize: 8, features, inputTokens, targetTokens };
}

describe.each(TINY_CONFIGS)('CaptionTrainer (arch %s)', (_arch, TINY_CONFIG) => {
  it('overfits 8 examples to ≥ 0.99 masked next-token accuracy, updating every trainable weight', () => {
    const model = new CaptionModel(TINY_CONFIG);
    const trainer = new CaptionTrainer(model, 0.01);
    const initial = model.network.trainableWeights.map((w) => w.read().dataSync().slice());
    const batch = eightExamples(TINY_CONFIG);
    const first = trainer.step(batch);
    for (let i = 0; i < 150; i++) trainer.step(batch);
    const final = trainer.evaluate(batch);
    expect(final.accuracy).toBeGreaterThanOrEqual(0.99);
    expect(final.loss).toBeLessThan(first.loss / 10);
    model.network.trainableWeights.forEach((w, i) => {
      const changed = w
        .read()
        .dataSync()
        .some((v, j) => v !== initial[i]![j]);
      expect(changed, `weight ${w.originalName} never changed`).toBe(true);
    });
    trainer.dispose();
    model.dispose();
  });

  it('scores only word targets: equal to the masked loss and accuracy over the full logits grid', () => {
    const model = new CaptionModel(TINY_CONFIG);
    const trainer = new CaptionTrainer(model, 0.01);
    const batch = eightExamples(TINY_CONFIG);
    for (let i = 0; i < 5; i++) trainer.step(batch); // away from the uniform start, so accuracy is not trivial
    const length = TINY_CONFIG.seqLength - 1;
    const [loss, accuracy] = tf.tidy(() => {
      const features = tf.tensor3d(batch.features, [8, ...TINY_CONFIG.featureShape]);
      const logits = model.logits(features, tf.tensor2d(batch.inputTokens, [8, length], 'int32'));
      const targets = tf.tensor2d(batch.targetTokens, [8, length], 'int32');
      return [maskedCrossEntropy(logits, targets).dataSync()[0]!, maskedAccuracy(logits, targets).dataSync()[0]!];
    });
    const scored = trainer.evaluate(batch);
    expect(scored.loss).toBeCloseTo(loss, 5);
    expect(scored.accuracy).toBeCloseTo(accuracy, 6);
    trainer.dispose();
    model.dispose();
  });

  it('refuses a batch with no target words instead of returning NaN', () => {
    const model = new CaptionModel(TINY_CONFIG);
    const trainer = new CaptionTrainer(model, 0.01);
    const batch = { ...eightExamples(TINY_CONFIG), targetTokens: new Int32Array(8 * (TINY_CONFIG.seqLength - 1)) };
    expect(() => trainer.step(batch)).toThrow(/no target words/);
    trainer.dispose();
    model.dispose();
  });

  it('leaks no tensors per training or evaluation step', () => {
    const model = new CaptionModel(TINY_CONFIG);
    const trainer = new CaptionTrainer(model, 0.01);
    const batch = eightExamples(TINY_CONFIG);
    trainer.step(batch); // creates Adam's moments once
    const before = tf.memory().numTensors;
    trainer.step(batch);
    trainer.evaluate(batch);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    model.dispose();
  });

  it('skips the update when the loss is not finite, keeping the last finite weights', () => {
    const model = new CaptionModel(TINY_CONFIG);
    const trainer = new CaptionTrainer(model, 0.01);
    const batch = eightExamples(TINY_CONFIG);
    trainer.step(batch);
    const before = model.network.trainableWeights.map((w) => w.read().dataSync().slice());
    const poisoned = { ...batch, features: batch.features.map((v, i) => (i === 0 ? NaN : v)) };
    expect(trainer.step(poisoned).loss).toBeNaN();
    model.network.trainableWeights.forEach((w, i) => expect(w.read().dataSync()).toEqual(before[i]));
    trainer.dispose();
    model.dispose();
  });

  it('restores optimizer state so a rebuilt trainer continues exactly', async () => {
    const batch = eightExamples(TINY_CONFIG);
    const model = new CaptionModel(TINY_CONFIG);
    const trainer = new CaptionTrainer(model, 0.01);
    for (let i = 0; i < 3; i++) trainer.step(batch);
    const { saveModelFiles, loadModelWeights } = await import('../bundle/model-files.js');
    await saveModelFiles(model, join(dir, `model-${_arch}`));
    await trainer.saveState(join(dir, `optimizer-${_arch}`));
    const continued = [trainer.step(batch).loss, trainer.step(batch).loss];

    const model2 = new CaptionModel(TINY_CONFIG);
    await loadModelWeights(model2, join(dir, `model-${_arch}`));
    const trainer2 = new CaptionTrainer(model2, 0.01);
    await trainer2.loadState(join(dir, `optimizer-${_arch}`));
    const resumed = [trainer2.step(batch).loss, trainer2.step(batch).loss];
    expect(resumed[0]).toBeCloseTo(continued[0]!, 5);
    expect(resumed[1]).toBeCloseTo(continued[1]!, 5);
    trainer.dispose();
    trainer2.dispose();
    model.dispose();
    model2.dispose();
  });
});

describe("CaptionTrainer with the seed's own dropouts (0.1 / 0.3 / 0.5)", () => {
  it('still learns 8 examples: inference-mode accuracy ≥ 0.9', () => {
    const config = TINY_CONFIGS[1]![1];
    const model = new CaptionModel({ ...config, seedDropout: undefined }, { seed: 2 });
    const trainer = new CaptionTrainer(model, 0.01);
    const batch = eightExamples(config);
    for (let i = 0; i < 200; i++) trainer.step(batch);
    expect(trainer.evaluate(batch).accuracy).toBeGreaterThanOrEqual(0.9);
    trainer.dispose();
    model.dispose();
  });
});
