import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TransformerEncoderBlock } from './encoder-block.js';
import { describeLayerContract, expectClose, useCpuBackend } from './test-helpers/layer-contract.js';

const grid = (seed = 1) => tf.randomNormal([2, 4, 6], 0, 1, 'float32', seed);
const padding = () =>
  tf.tensor2d([
    [1, 1, 1, 1],
    [1, 1, 0, 0],
  ]);

describeLayerContract('TransformerEncoderBlock', {
  create: () => new TransformerEncoderBlock({ intermediateDim: 8, numHeads: 2 }),
  inputs: () => grid(),
  outputShape: [2, 4, 6],
  weightCount: 16,
});

describeLayerContract('TransformerEncoderBlock (pre-norm, padding mask input)', {
  create: () => new TransformerEncoderBlock({ intermediateDim: 8, numHeads: 3, normalizeFirst: true }),
  inputs: () => [grid(), padding()],
  outputShape: [2, 4, 6],
  weightCount: 16,
});

describe('TransformerEncoderBlock', () => {
  useCpuBackend();

  it('ignores padded positions: changing them leaves the real positions unchanged', async () => {
    const block = new TransformerEncoderBlock({ intermediateDim: 8, numHeads: 2 });
    const x = grid(1);
    const changedPadding = tf.concat([tf.slice(x, [0, 0, 0], [2, 2, 6]), tf.slice(grid(5), [0, 2, 0], [2, 2, 6])], 1);
    const a = block.apply([x, padding()]) as tf.Tensor;
    const b = block.apply([changedPadding, padding()]) as tf.Tensor;
    await expectClose(tf.slice(b, [1, 0, 0], [1, 2, 6]), tf.slice(a, [1, 0, 0], [1, 2, 6]), 1e-5);
    // Item 0 has no padding, so the same change must move its outputs.
    expect(
      tf.max(tf.abs(tf.sub(tf.slice(a, [0, 0, 0], [1, 2, 6]), tf.slice(b, [0, 0, 0], [1, 2, 6])))).dataSync()[0],
    ).toBeGreaterThan(1e-3);
  });

  it('post-norm (default) ends on a LayerNorm; pre-norm does not', async () => {
    const meanVar = (y: tf.Tensor) => tf.moments(y, -1);
    const post = new TransformerEncoderBlock({ intermediateDim: 8, numHeads: 2 }).apply(grid()) as tf.Tensor;
    const pre = new TransformerEncoderBlock({ intermediateDim: 8, numHeads: 2, normalizeFirst: true }).apply(
      grid(),
    ) as tf.Tensor;
    // Fresh LayerNorms have gamma 1, beta 0: each position's features then have mean 0 and variance ≈ 1.
    await expectClose(meanVar(post).mean, tf.zeros([2, 4]), 1e-5);
    await expectClose(meanVar(post).variance, tf.ones([2, 4]), 1e-3);
    expect(tf.max(tf.abs(tf.sub(meanVar(pre).variance, 1))).dataSync()[0]).toBeGreaterThan(1e-2);
  });

  it('rejects a width that numHeads does not divide, naming both', () => {
    const block = new TransformerEncoderBlock({ intermediateDim: 8, numHeads: 4 });
    expect(() => block.apply(grid())).toThrow(/input width 6 must be divisible by numHeads 4/);
  });
});
