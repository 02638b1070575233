import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../../test-helpers/tiny-model.js';
import { adamUpdateRange, updateRange, type SharedAdamBuffers } from './shared-adam.js';

beforeAll(useTestBackend);

const SIZE = 37;
const values = (seed: number) =>
  Float32Array.from({ length: SIZE }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.5);

/** Weights after `steps` steps of tf.train.adam on the given gradients (one per step). */
function tfjsAdam(initial: Float32Array, grads: Float32Array[], learningRate: number): Float32Array {
  const optimizer = tf.train.adam(learningRate);
  const weight = tf.variable(tf.tensor1d(initial));
  for (const grad of grads) tf.tidy(() => optimizer.applyGradients({ [weight.name]: tf.tensor1d(grad) }));
  const result = weight.dataSync() as Float32Array;
  tf.dispose([weight]);
  optimizer.dispose();
  return result;
}

function sharedBuffers(initial: Float32Array, replicas: number): SharedAdamBuffers {
  return {
    weights: Float32Array.from(initial),
    firstMoment: new Float32Array(SIZE),
    secondMoment: new Float32Array(SIZE),
    grads: Array.from({ length: replicas }, () => new Float32Array(SIZE)),
  };
}

describe('adamUpdateRange', () => {
  const settings = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

  it('takes the same steps as tf.train.adam', () => {
    const initial = values(1);
    const grads = [values(2), values(3), values(4)];
    const buffers = sharedBuffers(initial, 1);
    grads.forEach((grad, step) => {
      buffers.grads[0]!.set(grad);
      adamUpdateRange(buffers, [1], settings, step + 1, 0, SIZE);
    });
    const expected = tfjsAdam(initial, grads, settings.learningRate);
    buffers.weights.forEach((w, i) => expect(w).toBeCloseTo(expected[i]!, 6));
  });

  it('averages replicas by their shares, and ranges that tile the parameters add up to one update', () => {
    const initial = values(5);
    const [a, b, c] = [values(6), values(7), values(8)];
    const shares = [0.5, 0.3, 0.2];
    const combined = a.map((x, i) => shares[0]! * x + shares[1]! * b[i]! + shares[2]! * c[i]!);
    const buffers = sharedBuffers(initial, 4); // a fourth replica idle this step: its buffer must not count
    buffers.grads[3]!.fill(Number.NaN);
    [a, b, c].forEach((g, r) => buffers.grads[r]!.set(g));
    for (let part = 0; part < 3; part++) adamUpdateRange(buffers, shares, settings, 1, ...updateRange(SIZE, part, 3));
    const expected = tfjsAdam(initial, [combined], settings.learningRate);
    buffers.weights.forEach((w, i) => expect(w).toBeCloseTo(expected[i]!, 6));
  });
});

describe('updateRange', () => {
  it('cuts [0, total) into contiguous, non-overlapping ranges', () => {
    expect([0, 1, 2].map((part) => updateRange(10, part, 3))).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(updateRange(1, 1, 2)).toEqual([1, 1]);
  });
});
