import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptionModel } from '../../model/caption-model.js';
import { TINY_CONFIG, TINY_CONFIGS, useTestBackend } from '../../test-helpers/tiny-model.js';
import type { TrainingBatch } from '../gradients.js';
import { CaptionTrainer } from '../trainer.js';
import { autoReplicaCount, DataParallelTrainer, MAX_REPLICAS, splitRows } from './data-parallel-trainer.js';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'imgcap-parallel-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A model of the tiny config holding a copy of `source`'s weights. */
function copyOf(source: CaptionModel): CaptionModel {
  const model = new CaptionModel(TINY_CONFIG);
  model.network.trainableWeights.forEach((weight, i) =>
    weight.write(source.network.trainableWeights[i]!.read().clone()),
  );
  return model;
}

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
  it.each(TINY_CONFIGS)(
    'follows the single-thread trainer step for step (losses and weights), leak-free (arch %s)',
    async (_arch, config) => {
      const single = new CaptionModel(config, { seed: 3 });
      const parallel = new CaptionModel(config, { seed: 3 });
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
        const drift = Math.max(
          ...single.network.trainableWeights.map((w, i) =>
            maxAbs(w.read(), parallel.network.trainableWeights[i]!.read()),
          ),
        );
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
    },
  );

  it('hands Adam state to and from CaptionTrainer through checkpoints, picking up weights set after creation', async () => {
    const batch = batchOf(7);
    const single = new CaptionModel(TINY_CONFIG, { seed: 4 });
    const reference = new CaptionTrainer(single, 0.01);
    const models = [single];
    const trainers: { dispose(): void }[] = [reference];
    try {
      for (let i = 0; i < 2; i++) reference.step(batch);
      await reference.saveState(join(dir, 'from-single'));
      // Resume on a parallel trainer: weights loaded into its model after it was created, as `train --resume` does.
      const resumedModel = new CaptionModel(TINY_CONFIG, { seed: 99 });
      models.push(resumedModel);
      const resumed = await DataParallelTrainer.create(resumedModel, 0.01, { replicas: 2, backend: 'wasm' });
      trainers.push(resumed);
      resumedModel.network.trainableWeights.forEach((w, i) =>
        w.write(single.network.trainableWeights[i]!.read().clone()),
      );
      await resumed.loadState(join(dir, 'from-single'));
      for (let i = 0; i < 2; i++) expect((await resumed.step(batch)).loss).toBeCloseTo(reference.step(batch).loss, 4);
      // And back: the parallel trainer's state resumes on a single-thread trainer.
      await resumed.saveState(join(dir, 'from-parallel'));
      const backModel = copyOf(resumedModel);
      models.push(backModel);
      const back = new CaptionTrainer(backModel, 0.01);
      trainers.push(back);
      await back.loadState(join(dir, 'from-parallel'));
      expect(back.step(batch).loss).toBeCloseTo((await resumed.step(batch)).loss, 4);
    } finally {
      trainers.forEach((t) => t.dispose());
      models.forEach((m) => m.dispose());
    }
  });

  it('trains on a batch with fewer rows than replicas (the idle worker does not count)', async () => {
    const single = new CaptionModel(TINY_CONFIG, { seed: 6 });
    const parallel = copyOf(single);
    const reference = new CaptionTrainer(single, 0.01);
    const trainer = await DataParallelTrainer.create(parallel, 0.01, { replicas: 3, backend: 'wasm' });
    try {
      const batch = batchOf(2, 9);
      for (let i = 0; i < 3; i++) expect((await trainer.step(batch)).loss).toBeCloseTo(reference.step(batch).loss, 4);
    } finally {
      trainer.dispose();
      reference.dispose();
      single.dispose();
      parallel.dispose();
    }
  });

  it('refuses fewer than 2 replicas', async () => {
    const model = new CaptionModel(TINY_CONFIG);
    await expect(DataParallelTrainer.create(model, 0.01, { replicas: 1, backend: 'wasm' })).rejects.toThrow(
      '2 ≤ replicas ≤ 4; got 1',
    );
    model.dispose();
  });
});

describe('autoReplicaCount', () => {
  it('runs one replica per core on single-threaded backends, up to the most the trainer accepts, and one on tfjs-node', () => {
    expect([1, 2, 3, 4, 16].map((cores) => autoReplicaCount('wasm', cores))).toEqual([1, 2, 3, 4, MAX_REPLICAS]);
    expect(autoReplicaCount('cpu', 2)).toBe(2);
    expect(autoReplicaCount('tensorflow', 16)).toBe(1);
  });
});
