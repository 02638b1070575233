import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LayerNorm } from './layer-norm.js';
import { describeLayerContract, expectClose, useCpuBackend } from './test-helpers/layer-contract.js';

describeLayerContract('LayerNorm', {
  create: () => new LayerNorm({ epsilon: 1e-5 }),
  inputs: () => tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1),
  outputShape: [2, 3, 4],
  weightCount: 2,
});

describe('LayerNorm', () => {
  useCpuBackend();

  it('matches tfjs-layers layerNormalization on the same input', async () => {
    const x = tf.randomNormal([2, 5, 6], 3, 2, 'float32', 2);
    const ours = new LayerNorm({ epsilon: 1e-3 });
    const reference = layers.layerNormalization({ epsilon: 1e-3 });
    await expectClose(ours.apply(x) as tf.Tensor, reference.apply(x) as tf.Tensor, 1e-5);
  });

  it('rejects a non-positive epsilon, naming the value', () => {
    expect(() => new LayerNorm({ epsilon: 0 })).toThrow(/epsilon must be a finite number > 0, got 0/);
  });
});
