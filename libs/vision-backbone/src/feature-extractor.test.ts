import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { createFeatureExtractor } from './feature-extractor.js';
import { buildEfficientNet } from './efficientnet.js';
import { writeConvertedWeightsDir } from './test-helpers/converted-weights-dir.js';

const dirs: string[] = [];
beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const images = (n: number, size: number, seed = 5) =>
  tf.randomUniform([n, size, size, 3], 0, 255, 'float32', seed) as tf.Tensor4D;

describe('patch feature extractor', () => {
  it('turns each p×p patch into one token of its pixels scaled to [0,1], row by row', async () => {
    const extractor = await createFeatureExtractor({ kind: 'patch', patchSize: 2, imageSize: 4 });
    expect(extractor.id).toBe('patch2@4');
    expect(extractor.featureShape).toEqual([4, 12]);
    const pixels = tf.tensor4d(
      Array.from({ length: 4 * 4 * 3 }, (_, i) => i),
      [1, 4, 4, 3],
    );
    const before = tf.memory().numTensors;
    const tokens = extractor.extract(pixels);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(tokens.shape).toEqual([1, 4, 12]);
    // Token 1 is the top-right patch: rows 0–1, columns 2–3; pixel (y, x) starts at value (y·4 + x)·3.
    const expected = [6, 7, 8, 9, 10, 11, 18, 19, 20, 21, 22, 23].map((v) => v / 255);
    const token1 = Array.from(tokens.dataSync().slice(12, 24));
    token1.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    tf.dispose([pixels, tokens]);
    extractor.dispose();
  });

  it('rejects images of another size, naming both shapes', async () => {
    const extractor = await createFeatureExtractor({ kind: 'patch' });
    const wrong = images(1, 32);
    expect(() => extractor.extract(wrong)).toThrow(
      'Backbone patch8@64 expects images of shape [N, 64, 64, 3], got [1, 32, 32, 3]',
    );
    wrong.dispose();
  });
});

describe('EfficientNet feature extractor', () => {
  it('gives an H·W × C grid, leak-free, the same per image in or out of a batch', async () => {
    const before = tf.memory().numTensors;
    const extractor = await createFeatureExtractor({ kind: 'efficientnet', variant: 'b0', imageSize: 64 });
    expect(extractor.id).toBe('efficientnet-b0@64-random');
    expect(extractor.featureShape).toEqual([4, 1280]);
    const batch = images(2, 64);
    const single = tf.slice(batch, [1, 0, 0, 0], [1, 64, 64, 3]);
    const afterSetup = tf.memory().numTensors;
    const features = extractor.extract(batch);
    expect(tf.memory().numTensors).toBe(afterSetup + 1);
    expect(features.shape).toEqual([2, 4, 1280]);
    const alone = extractor.extract(single);
    const fromBatch = tf.slice(features, [1, 0, 0], [1, 4, 1280]);
    expect(maxAbsDiff(alone, fromBatch)).toBeLessThan(1e-4);
    tf.dispose([batch, single, features, alone, fromBatch]);
    extractor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cuts at an earlier layer', async () => {
    const extractor = await createFeatureExtractor({
      kind: 'efficientnet',
      variant: 'b0',
      imageSize: 64,
      cutLayer: 'block3b_add',
    });
    expect(extractor.id).toBe('efficientnet-b0@64-block3b_add-random');
    expect(extractor.featureShape).toEqual([64, 40]); // stride 8, stage-3 width
    const batch = images(1, 64);
    const features = extractor.extract(batch);
    expect(features.shape).toEqual([1, 64, 40]);
    tf.dispose([batch, features]);
    extractor.dispose();
  });

  it('rejects an unknown cut layer, listing the block outputs', async () => {
    await expect(
      createFeatureExtractor({ kind: 'efficientnet', variant: 'b0', imageSize: 64, cutLayer: 'block9a_add' }),
    ).rejects.toThrow(/'block9a_add'.*block1a_project_bn, block2a_project_bn, block2b_add.*top_activation/);
  });

  it("loads converted weights and applies the file's per-channel input rescaling", async () => {
    const scale = [2.1, 2.2, 2.3];
    const source = buildEfficientNet('b0', { inputShape: [64, 64, 3], seed: 9, inputChannelScale: scale });
    const modelTopology = {
      model_config: { config: { layers: [{ class_name: 'Rescaling', config: { name: 'rescaling_1', scale } }] } },
    };
    const dir = await writeConvertedWeightsDir(source, { modelTopology });
    dirs.push(dir);
    const extractor = await createFeatureExtractor({
      kind: 'efficientnet',
      variant: 'b0',
      imageSize: 64,
      weightsDir: dir,
    });
    expect(extractor.id).toBe('efficientnet-b0@64');
    const batch = images(1, 64);
    const expected = tf.reshape(source.predict(batch) as tf.Tensor, [1, 4, 1280]);
    const features = extractor.extract(batch);
    expect(maxAbsDiff(features, expected)).toBeLessThan(1e-5);
    tf.dispose([batch, expected, features]);
    extractor.dispose();
    source.dispose();
  });
});

describe('backboneSummary', () => {
  it('knows the feature grid and parameters without building: the built extractor agrees', async () => {
    const { backboneSummary } = await import('./backbone-spec.js');
    // The seed's B1 at 224 px: 7 × 7 × 1280, and Keras's top-less B1 count.
    expect(backboneSummary({ kind: 'efficientnet', variant: 'b1', imageSize: 224 })).toEqual({
      id: 'efficientnet-b1@224-random',
      imageSize: 224,
      featureShape: [49, 1280],
      parameters: 6_575_239,
    });
    expect(backboneSummary({ kind: 'efficientnet', variant: 'b1' }).featureShape).toEqual([64, 1280]);
    expect(backboneSummary({ kind: 'patch', patchSize: 16, imageSize: 64 })).toMatchObject({
      featureShape: [16, 768],
      parameters: 0,
    });
    expect(backboneSummary({ kind: 'efficientnet', variant: 'b0', cutLayer: 'block3b_add' }).featureShape).toBeNull();
    for (const imageSize of [72, 100]) {
      const spec = { kind: 'efficientnet' as const, variant: 'b0' as const, imageSize };
      const extractor = await createFeatureExtractor(spec);
      expect(backboneSummary(spec).featureShape).toEqual(extractor.featureShape);
      extractor.dispose();
    }
  });
});
