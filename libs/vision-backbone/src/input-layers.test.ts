import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { ChannelRescaling, IMAGENET_MEAN_RGB, IMAGENET_STDDEV_RGB, KerasNormalization } from './input-layers.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('KerasNormalization', () => {
  it('computes (x − mean) / √variance per channel, starting from ImageNet statistics', () => {
    const layer = new KerasNormalization({ name: 'normalization' });
    const pixel = tf.tensor4d([0.5, 0.25, 1.0], [1, 1, 1, 3]);
    const out = layer.apply(pixel) as tf.Tensor;
    const expected = [0.5, 0.25, 1.0].map((v, c) => (v - IMAGENET_MEAN_RGB[c]) / IMAGENET_STDDEV_RGB[c]);
    Array.from(out.dataSync()).forEach((v, c) => expect(v).toBeCloseTo(expected[c], 5));
    expect(layer.weights.map((w) => [w.originalName, w.shape, w.dtype, w.trainable])).toEqual([
      ['normalization/mean', [3], 'float32', false],
      ['normalization/variance', [3], 'float32', false],
      ['normalization/count', [], 'int32', false],
    ]);
    tf.dispose([pixel, out]);
    layer.dispose();
  });

  it('never divides by less than Keras epsilon, and rejects non-RGB input', () => {
    const layer = new KerasNormalization({ name: 'norm_eps' });
    tf.tidy(() => {
      const pixel = tf.ones([1, 1, 1, 3]);
      layer.apply(pixel);
      layer.setWeights([tf.zeros([3]), tf.zeros([3]), tf.scalar(0, 'int32')]);
      expect((layer.apply(pixel) as tf.Tensor).dataSync()[0]).toBeCloseTo(1e7, -1);
    });
    layer.dispose();
    const model = () => new KerasNormalization({ name: 'norm_grey' }).apply(tfl.input({ shape: [4, 4, 1] }));
    expect(model).toThrow(/3 RGB channels.*\[null, 4, 4, 1\]/);
  });
});

describe('ChannelRescaling', () => {
  it('multiplies each channel by its own factor and keeps no tensors', () => {
    const layer = new ChannelRescaling({ name: 'rescaling_1', scale: [1, 2, 3] });
    const pixel = tf.ones([1, 1, 1, 3]);
    const before = tf.memory().numTensors;
    const out = layer.apply(pixel) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(out.dataSync())).toEqual([1, 2, 3]);
    expect(layer.getConfig().scale).toEqual([1, 2, 3]);
    tf.dispose([pixel, out]);
  });
});
