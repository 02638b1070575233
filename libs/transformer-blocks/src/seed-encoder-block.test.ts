import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MultiHeadAttention } from './multi-head-attention.js';
import { SeedEncoderBlock } from './seed-encoder-block.js';
import { describeLayerContract, expectClose, useCpuBackend } from './test-helpers/layer-contract.js';

/** A weight's name without the layer-name scope that applying the layer adds. */
const ownName = (name: string) => name.replace(/^[^/]*_Imgcap\w+Block\d*\//, '');

const grid = (seed = 1) => tf.randomNormal([2, 4, 6], 0, 1, 'float32', seed);

// 3 heads over a width of 5: every head is keyDim wide, so no divisibility is needed (the seed's XL: 1028 / 6).
describeLayerContract('SeedEncoderBlock', {
  create: () => new SeedEncoderBlock({ embedDim: 5, numHeads: 3 }),
  inputs: () => grid(),
  outputShape: [2, 4, 5],
  weightCount: 14,
});

describeLayerContract('SeedEncoderBlock (narrower heads, plain layout)', {
  create: () => new SeedEncoderBlock({ embedDim: 4, numHeads: 2, keyDim: 3, kerasLayout: false }),
  inputs: () => grid(),
  outputShape: [2, 4, 4],
  weightCount: 14,
});

describe('SeedEncoderBlock', () => {
  useCpuBackend();

  it("has the Keras project's encoder parameter count (embed 512, 2 heads, 1280 channels): 2,760,192", () => {
    const block = new SeedEncoderBlock({ embedDim: 512, numHeads: 2 });
    block.build([null, 49, 1280]);
    expect(block.countParams()).toBe(2_760_192);
    const shapes = Object.fromEntries(block.weights.map((w) => [ownName(w.originalName), w.shape]));
    expect(shapes).toMatchObject({
      'feature_norm/gamma': [1280],
      'feature_projection/kernel': [1280, 512],
      'self_attention/query/kernel': [512, 2, 512],
      'self_attention/query/bias': [2, 512],
      'self_attention/attention_output/kernel': [2, 512, 512],
      'self_attention/attention_output/bias': [512],
      'self_attention_norm/beta': [512],
    });
    block.weights.forEach((w) => w.dispose());
  });

  it('equals LayerNorm(ε 1e-3) → Dense(relu) → x, then LayerNorm(x + MultiHeadAttention(x)) written out by hand', async () => {
    const block = new SeedEncoderBlock({ embedDim: 5, numHeads: 3 });
    const x = grid(3);
    const actual = block.apply(x) as tf.Tensor;
    const w = Object.fromEntries(block.weights.map((v) => [ownName(v.originalName), v.read()]));
    const norm = (t: tf.Tensor, prefix: string) => {
      const { mean, variance } = tf.moments(t, -1, true);
      return tf.add(
        tf.mul(tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-3))), w[`${prefix}/gamma`]!),
        w[`${prefix}/beta`]!,
      );
    };
    const projected = tf.relu(
      tf.add(
        tf.matMul(tf.reshape(norm(x, 'feature_norm'), [8, 6]), w['feature_projection/kernel'] as tf.Tensor2D),
        w['feature_projection/bias']!,
      ),
    );
    const h = tf.reshape(projected, [2, 4, 5]);
    // The attention in Keras's own weight shapes, through the standalone layer.
    const mha = new MultiHeadAttention({ numHeads: 3, keyDim: 5, kerasLayout: true });
    mha.apply([h, h]);
    mha.setWeights(
      ['query', 'key', 'value', 'attention_output'].flatMap((p) => [
        w[`self_attention/${p}/kernel`]!,
        w[`self_attention/${p}/bias`]!,
      ]),
    );
    const expected = norm(tf.add(h, mha.apply([h, h]) as tf.Tensor), 'self_attention_norm');
    await expectClose(actual, expected, 1e-5);
  });

  it('stores per-head kernels in the same row-major order as [in, heads·dim] matrices: both layouts compute the same', async () => {
    const keras = new MultiHeadAttention({ numHeads: 2, keyDim: 3, kerasLayout: true });
    const plain = new MultiHeadAttention({ numHeads: 2, keyDim: 3 });
    const [q, v] = [tf.randomNormal([1, 3, 4], 0, 1, 'float32', 1), tf.randomNormal([1, 5, 4], 0, 1, 'float32', 2)];
    const expected = keras.apply([q, v]) as tf.Tensor;
    plain.apply([q, v]);
    plain.setWeights(keras.getWeights().map((t, i) => tf.reshape(t, plain.weights[i]!.shape as number[])));
    await expectClose(plain.apply([q, v]) as tf.Tensor, expected, 1e-6);
    expect(keras.weights.map((w) => w.shape)).toEqual([
      [4, 2, 3],
      [2, 3],
      [4, 2, 3],
      [2, 3],
      [4, 2, 3],
      [2, 3],
      [2, 3, 4],
      [4],
    ]);
  });
});
