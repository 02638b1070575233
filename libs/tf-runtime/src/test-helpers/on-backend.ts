import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core's node bundle registers no gradients; the tfjs-layers bundle registers all of them.
import '@tensorflow/tfjs-layers';

/** Runs `compute` on one backend and returns its outputs as plain arrays, leaving no tensors. */
export async function valuesOn(
  backend: 'cpu' | 'wasm',
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(compute);
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const values = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(list);
  return values;
}

/** Seeded uniform values in [-1, 1), so a failing comparison reproduces. */
export function seededValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[i] = ((state >>> 0) / 2 ** 32) * 2 - 1;
  }
  return values;
}

/** Largest absolute difference, after checking both sides have the same length. */
export function maxAbsDiff(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} differs from expected ${expected.length}`);
  }
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}
