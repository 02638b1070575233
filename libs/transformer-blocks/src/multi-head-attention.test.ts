import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MultiHeadAttention } from './multi-head-attention.js';
import { describeLayerContract, expectClose, useCpuBackend } from './test-helpers/layer-contract.js';

describeLayerContract('MultiHeadAttention (cross, query wider than value)', {
  create: () => new MultiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2 }),
  inputs: () => [tf.randomNormal([2, 3, 6], 0, 1, 'float32', 1), tf.randomNormal([2, 4, 5], 0, 1, 'float32', 2)],
  outputShape: [2, 3, 6],
  weightCount: 8,
});

describe('MultiHeadAttention', () => {
  useCpuBackend();
  const seq = (seed: number) => tf.randomNormal([1, 4, 6], 0, 1, 'float32', seed);

  it('with useCausalMask, a position ignores every later position', async () => {
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 3 });
    const x = seq(1);
    const changedFuture = tf.concat([tf.slice(x, [0, 0, 0], [1, 2, 6]), tf.slice(seq(9), [0, 2, 0], [1, 2, 6])], 1);
    const a = layer.apply([x, x], { useCausalMask: true }) as tf.Tensor;
    const b = layer.apply([changedFuture, changedFuture], { useCausalMask: true }) as tf.Tensor;
    await expectClose(tf.slice(b, [0, 0, 0], [1, 2, 6]), tf.slice(a, [0, 0, 0], [1, 2, 6]), 1e-6);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-3);
  });

  it('returns per-head scores that are zero where attentionMask is 0 and sum to 1', async () => {
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 3 });
    const mask = tf.tensor3d([
      [
        [1, 1, 0, 0],
        [1, 0, 1, 0],
        [1, 1, 1, 1],
      ],
    ]);
    const [output, scores] = layer.apply([tf.slice(seq(1), [0, 0, 0], [1, 3, 6]), seq(2)], {
      attentionMask: mask,
      returnAttentionScores: true,
    }) as tf.Tensor[];
    expect(output.shape).toEqual([1, 3, 6]);
    expect(scores.shape).toEqual([1, 2, 3, 4]);
    await expectClose(tf.mul(scores, tf.sub(1, tf.expandDims(mask, 1))), tf.zeros([1, 2, 3, 4]), 0);
    await expectClose(tf.sum(scores, -1), tf.ones([1, 2, 3]), 1e-6);
  });

  it('uses value as key when no key is given', async () => {
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 3 });
    const [q, v] = [seq(1), seq(2)];
    await expectClose(layer.apply([q, v]) as tf.Tensor, layer.apply([q, v, v]) as tf.Tensor, 0);
  });

  it('rejects a mask of the wrong shape and a bad input list, naming what is allowed', () => {
    const layer = new MultiHeadAttention({ numHeads: 2, keyDim: 3 });
    expect(() => layer.apply([seq(1), seq(2)], { attentionMask: tf.ones([1, 4, 3]) })).toThrow(
      /\[batch, queryLen, keyLen\] = \[1,4,4\], got \[1,4,3\]/,
    );
    expect(() => new MultiHeadAttention({ numHeads: 2, keyDim: 3 }).apply(seq(1))).toThrow(
      /\[query, value\] or \[query, value, key\]/,
    );
    expect(() => new MultiHeadAttention({ numHeads: 2, keyDim: 3, dropout: 1 })).toThrow(
      /dropout must be a number in \[0, 1\), got 1/,
    );
  });
});
