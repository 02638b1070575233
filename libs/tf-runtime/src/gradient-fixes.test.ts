import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { registerGradientFixes } from './gradient-fixes.js';
import { maxAbsDiff, seededValues, valuesOn } from './test-helpers/on-backend.js';

registerGradientFixes();

const flagCombos = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

describe('BatchMatMul gradient with a broadcast right-hand matrix', () => {
  it.each(flagCombos)(
    'equals the gradient of the same product on a batch tiled explicitly (transposeA=%s transposeB=%s)',
    async (ta, tb) => {
      const aValues = seededValues(3 * 4 * 5, 20);
      const wValues = seededValues(5 * 6, 21);
      const aShape = ta ? [3, 5, 4] : [3, 4, 5];
      const wShape = tb ? [6, 5] : [5, 6];
      const weighting = seededValues(3 * 4 * 6, 22);
      const lossOf = (a: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(a, w, ta, tb), tf.tensor3d(weighting, [3, 4, 6])));
      const broadcastGrads = await valuesOn('cpu', () =>
        tf.grads(lossOf)([tf.tensor(aValues, aShape), tf.tensor(wValues, wShape)]),
      );
      // Reference: tile w over the batch, so no broadcasting happens, and add the per-batch grads.
      const tiledGrads = await valuesOn('cpu', () => {
        const [gradA, gradTiled] = tf.grads((a: tf.Tensor, tiled: tf.Tensor) => lossOf(a, tiled))([
          tf.tensor(aValues, aShape),
          tf.tile(tf.tensor(wValues, [1, ...wShape]), [3, 1, 1]),
        ]);
        return [gradA, tf.sum(gradTiled, 0)];
      });
      expect(maxAbsDiff(broadcastGrads[0], tiledGrads[0])).toBeLessThan(1e-4);
      expect(maxAbsDiff(broadcastGrads[1], tiledGrads[1])).toBeLessThan(1e-4);
    },
  );

  it('is idempotent: a second call keeps the same gradient', () => {
    const first = tf.getGradient(tf.BatchMatMul);
    registerGradientFixes();
    expect(tf.getGradient(tf.BatchMatMul)).toBe(first);
  });
});
