import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFeatureExtractor } from '@imgcap/vision-backbone';
import { useTestBackend } from '../test-helpers/tiny-bundle.js';
import { buildLayersModelGraph } from './layers-model-graph.js';

beforeAll(useTestBackend);

describe('buildLayersModelGraph', () => {
  it('gives the features of the tfjs EfficientNet-B0 (stride-2 pads, depthwise, squeeze-excite, residuals)', async () => {
    const size = 64;
    const extractor = await createFeatureExtractor({ kind: 'efficientnet', variant: 'b0', imageSize: size });
    try {
      const network = extractor.network!;
      // Random batch-norm statistics and affine terms (a fresh model has 0/1 ones, and its features all but vanish).
      let state = 11;
      const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
      for (const layer of network.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
        const around = (center: number, spread: number, n: number) =>
          tf.tensor1d(Array.from({ length: n }, () => center + spread * (next() - 0.5)));
        const n = layer.getWeights()[0]!.shape[0]!;
        const values = [around(1, 0.4, n), around(0.05, 0.2, n), around(0, 0.1, n), around(1, 0.4, n)]; // gamma, beta, mean, variance
        layer.setWeights(values);
        tf.dispose(values);
      }
      const session = await ort.InferenceSession.create(Buffer.from(buildLayersModelGraph(network, size)));
      const pixels = Float32Array.from({ length: 2 * size * size * 3 }, (_, i) => (i * 7919) % 256);
      const expected = tf.tidy(
        () => extractor.extract(tf.tensor4d(pixels, [2, size, size, 3])).dataSync() as Float32Array,
      );
      const { features } = await session.run({ images: new ort.Tensor('float32', pixels, [2, size, size, 3]) });
      expect(features!.dims).toEqual([2, ...extractor.featureShape]);
      const actual = features!.data as Float32Array;
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < expected.length; i++) {
        worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
        scale = Math.max(scale, Math.abs(expected[i]!));
      }
      expect(scale).toBeGreaterThan(0.1);
      expect(worst / scale).toBeLessThan(1e-4);
      await session.release();
    } finally {
      extractor.dispose();
    }
  }, 60_000);
});
