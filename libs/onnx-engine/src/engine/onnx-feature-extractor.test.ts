import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFeatureExtractor, type BackboneSpec } from '@imgcap/vision-backbone';
import { useTestBackend } from '../test-helpers/tiny-bundle.js';
import { createOnnxFeatureExtractor } from './onnx-feature-extractor.js';

beforeAll(useTestBackend);

describe('createOnnxFeatureExtractor', () => {
  it.each<[string, BackboneSpec]>([
    ['patch8@32', { kind: 'patch', patchSize: 8, imageSize: 32 }],
    ['efficientnet-b0@64', { kind: 'efficientnet', variant: 'b0', imageSize: 64 }],
  ])(
    'gives the tfjs extractor’s id, shape and features for %s',
    async (_, spec) => {
      const reference = await createFeatureExtractor(spec);
      const onnx = await createOnnxFeatureExtractor(spec);
      try {
        expect([onnx.id, onnx.imageSize, onnx.featureShape]).toEqual([
          reference.id,
          reference.imageSize,
          reference.featureShape,
        ]);
        const size = onnx.imageSize;
        const pixels = Float32Array.from({ length: 3 * size * size * 3 }, (_, i) => (i * 7919) % 256);
        const expected = tf.tidy(
          () => reference.extract(tf.tensor4d(pixels, [3, size, size, 3])).dataSync() as Float32Array,
        );
        const actual = await onnx.features(pixels, 3);
        expect(actual.length).toBe(expected.length);
        const scale = Math.max(...Array.from(expected, Math.abs));
        const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i]!)));
        expect(worst / scale).toBeLessThan(1e-4);
        await expect(onnx.features(pixels, 2)).rejects.toThrow(/2 × .* pixel values/);
      } finally {
        reference.dispose();
        await onnx.dispose();
      }
    },
    60_000,
  );
});
