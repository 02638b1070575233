import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticDataset } from '@imgcap/flickr-dataset';
import { afterAll, beforeAll } from 'vitest';
import { TRAIN_DEFAULTS, type TrainConfig } from '../config.js';
import { runTraining } from '../run-training.js';

/**
 * A temporary directory with a 40-image synthetic dataset for the file's tests (made before them, removed after),
 * and the tiny training config runs use there: `configFor(name)` trains into `<root>/<name>`.
 */
export function useTrainingFixture() {
  const fixture = { root: '', dataDir: '' };
  beforeAll(async () => {
    fixture.root = await mkdtemp(join(tmpdir(), 'imgcap-train-'));
    fixture.dataDir = join(fixture.root, 'data');
    await generateSyntheticDataset({ dir: fixture.dataDir, images: 40, seed: 3 });
  });
  afterAll(() => rm(fixture.root, { recursive: true, force: true }));
  const configFor = (name: string, overrides: Partial<TrainConfig> = {}): TrainConfig => ({
    ...TRAIN_DEFAULTS,
    dataset: 'synthetic',
    data_dir: fixture.dataDir,
    artifact_dir: join(fixture.root, name),
    feature_cache: join(fixture.root, 'cache'),
    backbone: 'patch16',
    image_size: 32,
    seq_length: 16,
    batch_size: 16,
    epochs: 2,
    embed_dim: 16,
    ff_dim: 32,
    enc_heads: 2,
    dec_heads: 2,
    dropout: 0,
    lr: 0.003,
    patience: 0,
    val_sample: 4,
    backend: 'wasm',
    // imgcap's dropout is 0 here, so interrupted and parallel runs can be compared step for step.
    arch: 'imgcap',
    ...overrides,
  });
  return { fixture, configFor };
}

/** Runs training and records each step's loss and every log line; `crashAtStep` throws after that step. */
export async function train(config: TrainConfig, crashAtStep?: number) {
  const losses = new Map<number, number>();
  const logs: string[] = [];
  const code = await runTraining(config, {
    log: (line) => logs.push(line),
    onStep: (step, loss) => {
      losses.set(step, loss);
      if (step === crashAtStep) throw new Error('simulated crash');
    },
  }).catch((error: Error) => error.message);
  return { code, losses, logs };
}
