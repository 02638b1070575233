import * as tf from '@tensorflow/tfjs-core';

/**
 * Dropout masks from one seeded generator per thread (mulberry32), not tfjs's `tf.dropout`: that draws every element
 * from seedrandom's Alea in JS (~90 ms of a seed-size training step) and, unseeded, differs run to run. This one costs
 * a few nanoseconds an element, and `seedDropout(n)` makes the masks that follow repeat exactly — a trainer seeds it
 * per step (from its seed, the step and the replica), so seeded runs and resumed runs are reproducible.
 */
let state = 0x6d2b79f5;

/** Restarts the dropout masks of this thread from `seed` (any integer). */
export function seedDropout(seed: number): void {
  state = seed >>> 0;
}

/** x with each element zeroed with probability `rate` and the rest scaled by 1 / (1 − rate), as `tf.dropout`. */
export function dropout(x: tf.Tensor, rate: number): tf.Tensor {
  const scale = 1 / (1 - rate);
  // An element survives when its uniform draw u ∈ [0, 2³²) is at least rate·2³², as `u / 2³² ≥ rate`.
  const threshold = rate * 4294967296;
  const mask = new Float32Array(tf.util.sizeFromShape(x.shape));
  let s = state;
  for (let i = 0; i < mask.length; i++) {
    // mulberry32, inlined: a call per element costs more than the generator.
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    mask[i] = (t ^ (t >>> 14)) >>> 0 < threshold ? 0 : scale;
  }
  state = s >>> 0;
  return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
}
