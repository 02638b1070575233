import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptionModel } from '../../model/caption-model.js';
import { TINY_CONFIG, useTestBackend } from '../../test-helpers/tiny-model.js';
import type { TrainingBatch } from '../gradients.js';
import { CaptionTrainer } from '../trainer.js';
import { DataParallelTrainer, splitRows } from './data-parallel-trainer.js';

beforeAll(useTestBackend);

/** 7 rows (an odd count, so shards differ in size) of random features and captions of 1–5 words. */
function batchOf(rows: number, seed = 5): TrainingBatch {
  const [tokens, channels] = TINY_CONFIG.featureShape;
  const length = TINY_CONFIG.seqLength - 1;
  let state = seed;
  const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
  const features = Float32Array.from({ length: rows * tokens * channels }, next);
  const inputTokens = new Int32Array(rows * length);
  const targetTokens = new Int32Array(rows * length);
  for (let row = 0; row < rows; row++) {
    const words = Array.from({ length: 1 + (row % 5) }, () => 4 + Math.floor(next() * 8));
    [2, ...words].forEach((id, t) => (inputTokens[row * length + t] = id));
    [...words, 3].forEach((id, t) => (targetTokens[row * length + t] = id));
  }
  return { batchSize: rows, features, inputTokens, targetTokens };
}

describe('splitRows', () => {
  it('cuts a batch into whole-row shards that put back together give the batch', () => {
    const batch = batchOf(7);
    const shards = splitRows(batch, 3);
    expect(shards.map((s) => s.batchSize)).toEqual([3, 2, 2]);
    const joined = (pick: (b: TrainingBatch) => ArrayLike<number>) => shards.flatMap((s) => Array.from(pick(s)));
    expect(joined((s) => s.features)).toEqual(Array.from(batch.features));
    expect(joined((s) => s.targetTokens)).toEqual(Array.from(batch.targetTokens));
    expect(splitRows(batchOf(1), 2).map((s) => s.batchSize)).toEqual([1]);
  });
});

describe('DataParallelTrainer', () => {
  it('follows the single-thread trainer step for step (losses and weights), leak-free', async () => {
    const single = new CaptionModel(TINY_CONFIG, { seed: 3 });
    const parallel = new CaptionModel(TINY_CONFIG, { seed: 3 });
    const reference = new CaptionTrainer(single, 0.01);
    const trainer = await DataParallelTrainer.create(parallel, 0.01, { replicas: 2, backend: 'wasm' });
    try {
      expect(trainer.replicas).toBe(2);
      const batch = batchOf(7);
      const initial = single.network.trainableWeights.map((w) => w.read().clone());
      await trainer.step(batch); // Adam's moments are created on the first step
      reference.step(batch);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const expected = reference.step(batch);
        const actual = await trainer.step(batch);
        expect(actual.loss).toBeCloseTo(expected.loss, 5);
        expect(actual.accuracy).toBeCloseTo(expected.accuracy, 6);
      }
      expect(tf.memory().numTensors).toBe(before);
      const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
      const drift = Math.max(...single.network.trainableWeights.map((w, i) => maxAbs(w.read(), parallel.network.trainableWeights[i]!.read())));
      const moved = Math.max(...single.network.trainableWeights.map((w, i) => maxAbs(w.read(), initial[i]!)));
      // Same gradients up to float summation order; Adam's m/√v amplifies that on tiny gradients, so compare
      // the two runs' disagreement with how far training moved the weights.
      expect(drift).toBeLessThan(0.05 * moved);
      tf.dispose(initial);
    } finally {
      trainer.dispose();
      reference.dispose();
      single.dispose();
      parallel.dispose();
    }
  });

  it('refuses fewer than 2 replicas', async () => {
    const model = new CaptionModel(TINY_CONFIG);
    await expect(DataParallelTrainer.create(model, 0.01, { replicas: 1, backend: 'wasm' })).rejects.toThrow('replicas ≥ 2; got 1');
    model.dispose();
  });
});
