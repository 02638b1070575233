import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCaptionBundle } from '@imgcap/captioner/bundle';
import { importKerasCaptioner, readTrialConfig } from '@imgcap/captioner/keras';
import { loadKerasTokenizer } from '@imgcap/tokenizer';
import { readMetrics } from '@imgcap/tracking';
import { buildEfficientNet, saveKerasWeightsFile } from '@imgcap/vision-backbone';
import { selectBackend } from '@imgcap/tf-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from './run-training.js';
import { train, useTrainingFixture } from './test-helpers/training-run.js';

const { fixture, configFor } = useTrainingFixture();
beforeAll(() => selectBackend({ backend: 'wasm', log: () => {} }));

/** Deterministic 32×32 RGB images. */
const images = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    width: 32,
    height: 32,
    data: Uint8Array.from({ length: 32 * 32 * 3 }, (_, k) => (k * (i + 3) * 7) % 256),
  }));

describe("--keras_artifacts: a seed run leaves what the Keras project's artifact directory held", () => {
  it('writes trial_config.json, tokenizer.keras, <RUN_NAME>.h5 and train_history.csv; import-keras gives the same captions', async () => {
    // A CNN with weights from a file, as --backbone_weights imagenet gives (ImageNet statistics in normalization).
    const cnnFile = join(fixture.root, 'efficientnetb0_notop.h5');
    const cnn = buildEfficientNet('b0', { inputShape: [32, 32, 3], seed: 7 });
    await saveKerasWeightsFile(cnn, cnnFile, { layout: 'keras2' });
    cnn.dispose();
    const config = configFor('keras', {
      arch: 'seed',
      backbone: 'efficientnet-b0',
      image_size: 32,
      backbone_weights: cnnFile,
      max_images: 16,
      epochs: 2,
    });
    const run = await train(config);
    expect(run.code).toBe(EXIT.ok);
    const dir = config.artifact_dir;
    const files = await readdir(dir);
    const weights = files.find((f) => f.endsWith('.h5'));
    expect(weights).toMatch(/^\d\d-\d\d-\d\d:\d\d_model_emd16_DH2_EH2_EPS2_LR0\.003\.h5$/);
    expect(files).toEqual(expect.arrayContaining(['trial_config.json', 'tokenizer.keras', 'train_history.csv']));

    const trial = await readTrialConfig(join(dir, 'trial_config.json'));
    expect(trial).toMatchObject({ IMAGE_SIZE: [32, 32], SEQ_LENGTH: 16, EMBED_DIM: 16, FF_DIM: 32, EPOCHS: 2 });
    const tokenizer = await loadKerasTokenizer(join(dir, 'tokenizer.keras'));
    expect(trial.VOCAB_SIZE).toBe(tokenizer.vocabSize);

    // train_history.csv: Keras's CSVLogger columns, one row per epoch, the values W&B and metrics.jsonl got.
    const history = (await readFile(join(dir, 'train_history.csv'), 'utf8')).trim().split('\n');
    expect(history[0]).toBe('epoch,acc,loss,val_acc,val_loss');
    const { records } = await readMetrics(join(dir, 'metrics.jsonl'));
    const keras = records.filter((r) => r.split === undefined && 'val_acc' in r.metrics);
    expect(keras.map((r) => r.epoch)).toEqual([0, 1]);
    expect(history.slice(1)).toEqual(
      keras.map((r) => [r.epoch, r.metrics.acc, r.metrics.loss, r.metrics.val_acc, r.metrics.val_loss].join(',')),
    );
    const val = records.filter((r) => r.split === 'val');
    expect(keras.map((r) => r.metrics.val_loss)).toEqual(val.map((r) => r.metrics.loss));

    // Back again: the Keras files alone give a bundle that captions exactly as the run's own bundle.
    const imported = join(fixture.root, 'imported');
    await importKerasCaptioner(
      { weights: join(dir, weights!), config: join(dir, 'trial_config.json'), tokenizer: join(dir, 'tokenizer.keras') },
      imported,
    );
    const [ours, back] = await Promise.all([loadCaptionBundle(join(dir, 'bundle')), loadCaptionBundle(imported)]);
    const probe = images(4);
    const [a, b] = [await ours.captionImages(probe), await back.captionImages(probe)];
    expect(a.some((r) => r.ids.length > 0)).toBe(true);
    expect(b.map((r) => r.ids)).toEqual(a.map((r) => r.ids));
    expect(b.map((r) => r.caption)).toEqual(a.map((r) => r.caption));
    ours.dispose();
    back.dispose();
  }, 240_000);

  it('can be turned off for the seed architecture (--no-keras_artifacts)', async () => {
    const config = configFor('no-keras', { arch: 'seed', epochs: 1, max_images: 8, keras_artifacts: false });
    expect((await train(config)).code).toBe(EXIT.ok);
    const files = await readdir(config.artifact_dir);
    expect(files.filter((f) => /\.h5$|trial_config|tokenizer\.keras|train_history/.test(f))).toEqual([]);
  }, 120_000);
});
