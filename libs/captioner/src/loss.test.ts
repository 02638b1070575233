import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { targetCrossEntropy } from './loss.js';
import { useTestBackend } from './test-helpers/tiny-model.js';

beforeAll(() => useTestBackend());

/** The textbook formulation: softmax cross-entropy against one-hot rows, differentiated by tfjs. */
function referenceCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const oneHot = tf.oneHot(tf.cast(targets, 'int32'), logits.shape[1]);
  return tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, 0, tf.Reduction.MEAN) as tf.Scalar;
}

function valueAndGradient(loss: typeof targetCrossEntropy, logitValues: number[], targetIds: number[], scale: number) {
  return tf.tidy(() => {
    const logits = tf.tensor2d(logitValues, [targetIds.length, logitValues.length / targetIds.length]);
    const targets = tf.tensor1d(targetIds, 'int32');
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tf.mul(loss(x as tf.Tensor2D, targets), scale))(logits);
    return { value: value.dataSync()[0]!, grad: Array.from(grad.dataSync()) };
  });
}

describe('targetCrossEntropy', () => {
  // Large logits on purpose: the max shift is what keeps exp() finite.
  const logits = Array.from({ length: 4 * 7 }, (_, i) => Math.sin(i * 1.7) * 40);
  const targets = [3, 0, 6, 3];

  it('equals softmax cross-entropy against one-hot targets, in value and in gradient (also scaled)', () => {
    for (const scale of [1, 2.5]) {
      const ours = valueAndGradient(targetCrossEntropy, logits, targets, scale);
      const reference = valueAndGradient(referenceCrossEntropy, logits, targets, scale);
      expect(Number.isFinite(ours.value)).toBe(true);
      expect(ours.value).toBeCloseTo(reference.value, 4);
      ours.grad.forEach((g, i) => expect(g).toBeCloseTo(reference.grad[i]!, 5));
    }
  });

  it('is −log of the target probability for a single row', () => {
    const row = [1, 2, 3];
    const expected = -Math.log(Math.exp(2) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    expect(valueAndGradient(targetCrossEntropy, row, [1], 1).value).toBeCloseTo(expected, 5);
  });

  it('leaves no tensors behind, forward or backward', () => {
    const before = tf.memory().numTensors;
    valueAndGradient(targetCrossEntropy, logits, targets, 1);
    const x = tf.tensor2d(logits, [4, 7]);
    const t = tf.tensor1d(targets, 'int32');
    targetCrossEntropy(x, t).dispose();
    tf.dispose([x, t]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with weights, is the mean of weight × cross-entropy in value and gradient (negative weights too)', () => {
    const weights = [0.5, -1.25, 2, 0];
    const weighted = (x: tf.Tensor2D, t: tf.Tensor1D) => targetCrossEntropy(x, t, tf.tensor1d(weights));
    const reference = (x: tf.Tensor2D, t: tf.Tensor1D) => {
      const oneHot = tf.oneHot(tf.cast(t, 'int32'), x.shape[1]);
      const perRow = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(x)), 1));
      return tf.mean(tf.mul(perRow, tf.tensor1d(weights))) as tf.Scalar;
    };
    const ours = valueAndGradient(weighted, logits, targets, 1);
    const expected = valueAndGradient(reference, logits, targets, 1);
    expect(ours.value).toBeCloseTo(expected.value, 3);
    ours.grad.forEach((g, i) => expect(g).toBeCloseTo(expected.grad[i]!, 5));
  });
});
