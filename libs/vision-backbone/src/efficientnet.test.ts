import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { buildEfficientNet } from './efficientnet.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

const weightShapes = (model: ReturnType<typeof buildEfficientNet>) =>
  new Map(model.weights.map((w) => [w.originalName, w.shape]));

describe('buildEfficientNet', () => {
  it('B0 has Keras parameter counts with and without the top', () => {
    const top = buildEfficientNet('b0', { includeTop: true });
    expect(top.countParams()).toBe(5_330_571);
    top.dispose();
    const noTop = buildEfficientNet('b0', { inputShape: [64, 64, 3] });
    expect(noTop.countParams()).toBe(4_049_571);
    noTop.dispose();
  });

  it('B1 has Keras parameter counts with and without the top', () => {
    const top = buildEfficientNet('b1', { includeTop: true, inputShape: [64, 64, 3] });
    expect(top.countParams()).toBe(7_856_239);
    top.dispose();
    const noTop = buildEfficientNet('b1', { inputShape: [64, 64, 3] });
    expect(noTop.countParams()).toBe(6_575_239);
    noTop.dispose();
  });

  it('uses Keras layer names in Keras order', () => {
    const model = buildEfficientNet('b1', { includeTop: true });
    const names = model.layers.map((l) => l.name);
    expect(names.slice(0, 7)).toEqual([
      'input_1',
      'rescaling',
      'normalization',
      'stem_conv_pad',
      'stem_conv',
      'stem_bn',
      'stem_activation',
    ]);
    expect(names.slice(7, 17)).toEqual([
      'block1a_dwconv',
      'block1a_bn',
      'block1a_activation',
      'block1a_se_squeeze',
      'block1a_se_reshape',
      'block1a_se_reduce',
      'block1a_se_expand',
      'block1a_se_excite',
      'block1a_project_conv',
      'block1a_project_bn',
    ]);
    expect(names).toContain('block2a_expand_conv');
    expect(names).toContain('block2a_dwconv_pad');
    expect(names).toContain('block2b_drop');
    expect(names).toContain('block2b_add');
    expect(names).toContain('block7b_add'); // B1 repeats the last stage twice
    expect(names.slice(-6)).toEqual(['top_conv', 'top_bn', 'top_activation', 'avg_pool', 'top_dropout', 'predictions']);
    model.dispose();
  });

  it('gives weights Keras names and shapes', () => {
    const model = buildEfficientNet('b0', { inputShape: [32, 32, 3], pooling: 'avg' });
    const shapes = weightShapes(model);
    expect(shapes.get('normalization/mean')).toEqual([3]);
    expect(shapes.get('normalization/variance')).toEqual([3]);
    expect(shapes.get('normalization/count')).toEqual([]);
    expect(shapes.get('stem_conv/kernel')).toEqual([3, 3, 3, 32]);
    expect(shapes.get('block1a_dwconv/depthwise_kernel')).toEqual([3, 3, 32, 1]);
    expect(shapes.get('block1a_se_reduce/kernel')).toEqual([1, 1, 32, 8]);
    expect(shapes.get('block1a_se_reduce/bias')).toEqual([8]);
    expect(shapes.get('block2a_expand_conv/kernel')).toEqual([1, 1, 16, 96]);
    expect(shapes.get('block6a_dwconv/depthwise_kernel')).toEqual([5, 5, 672, 1]);
    expect(shapes.get('top_bn/moving_variance')).toEqual([1280]);
    expect(model.layers.map((l) => l.name).slice(-1)).toEqual(['avg_pool']);
    model.dispose();
  });

  it('maps 0..255 images to a stride-32 feature map, with the same output for the same seed', () => {
    // Counted before the models exist: building, predicting and disposing must leave exactly what was there.
    const before = tf.memory().numTensors;
    const a = buildEfficientNet('b0', { inputShape: [64, 64, 3] });
    const b = buildEfficientNet('b0', { inputShape: [64, 64, 3] });
    const image = tf.randomUniform([2, 64, 64, 3], 0, 255, 'float32', 7);
    const ya = a.predict(image) as tf.Tensor;
    const yb = b.predict(image) as tf.Tensor;
    expect(ya.shape).toEqual([2, 2, 2, 1280]);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0])).toBe(0);
    expect(Number.isFinite(tf.tidy(() => tf.sum(ya).dataSync()[0]!))).toBe(true);
    tf.dispose([image, ya, yb]);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('pads an odd-sized stem symmetrically, as Keras correct_pad does', () => {
    const model = buildEfficientNet('b0', { inputShape: [33, 33, 3] });
    expect(model.getLayer('stem_conv_pad').outputShape).toEqual([null, 35, 35, 3]);
    expect(model.getLayer('stem_conv').outputShape).toEqual([null, 17, 17, 32]);
    model.dispose();
  });

  it("adds Keras's per-channel rescaling_1 after normalization and the optional global pooling", () => {
    const model = buildEfficientNet('b0', { inputShape: [32, 32, 3], inputChannelScale: [2, 2, 2], pooling: 'max' });
    expect(model.layers.map((l) => l.name).slice(1, 5)).toEqual([
      'rescaling',
      'normalization',
      'rescaling_1',
      'stem_conv_pad',
    ]);
    expect(model.layers[model.layers.length - 1].name).toBe('max_pool');
    expect(model.outputs[0].shape).toEqual([null, 1280]);
    model.dispose();
  });

  it('rejects bad options naming the value and the allowed ones', () => {
    expect(() => buildEfficientNet('b0', { pooling: 'sum' as 'avg' })).toThrow(/'avg', 'max'.*'sum'/);
    expect(() => buildEfficientNet('b0', { inputShape: [16, 16, 3] })).toThrow(/\[16, 16, 3\]/);
    expect(() => buildEfficientNet('b0', { classes: 0 })).toThrow(/classes.*0/);
  });
});
