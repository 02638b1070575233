import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveSeedKerasWeights } from '@imgcap/captioner/keras';
import { CaptionModel } from '@imgcap/captioner/model';
import { buildEfficientNet } from '@imgcap/vision-backbone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticData, runEval, useTestBackend } from '../test-helpers/tiny-run.js';

const SEED = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'seed');
let root: string;
let weights: string;
let config: string;

beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), 'imgcap-import-keras-'));
  const model = new CaptionModel(
    {
      arch: 'seed',
      vocabSize: 10_000,
      seqLength: 10,
      embedDim: 16,
      ffDim: 8,
      encHeads: 2,
      decHeads: 2,
      dropout: 0,
      backbone: 'efficientnet-b0@64-random',
      imageSize: 64,
      featureShape: [4, 1280],
    },
    { seed: 2 },
  );
  const cnn = buildEfficientNet('b0', { inputShape: [64, 64, 3], seed: 1 });
  weights = join(root, 'model.h5');
  config = join(root, 'trial_config.json');
  await saveSeedKerasWeights(model, cnn, weights);
  await writeFile(
    config,
    JSON.stringify({
      IMAGE_SIZE: [64, 64],
      SEQ_LENGTH: 10,
      VOCAB_SIZE: 10_000,
      EMBED_DIM: 16,
      FF_DIM: 8,
      ENC_HEADS: 2,
      DEC_HEADS: 2,
    }),
  );
  [model, cnn].forEach((m) => m.dispose());
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe('eval import-keras', () => {
  it("writes a seed bundle from the Keras project's files that eval then scores like any other", async () => {
    const bundle = join(root, 'imported');
    const tokenizer = join(SEED, 's_tokenizer.keras');
    const imported = await runEval([
      'import-keras',
      '--weights',
      weights,
      '--config',
      config,
      '--tokenizer',
      tokenizer,
      '--out',
      bundle,
      '--backend',
      'wasm',
    ]);
    expect(imported.exitCode).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      bundle,
      arch: 'seed',
      backbone: 'efficientnet-b0@64',
      embed_dim: 16,
      vocabulary: 10_000,
    });
    expect(JSON.parse(await readFile(join(bundle, 'tokenizer.json'), 'utf8')).format).toBe(
      'imgcap-keras-text-vectorization',
    );
    const data = await makeSyntheticData(join(root, 'data'));
    const evaluated = await runEval([
      '--model',
      bundle,
      '--dataset',
      'synthetic',
      '--data_dir',
      data,
      '--backend',
      'wasm',
      '--examples',
      '0',
    ]);
    expect(evaluated.exitCode, evaluated.stderr).toBe(0);
    const metrics = JSON.parse(await readFile(join(bundle, 'eval-test-beam3', 'metrics.json'), 'utf8'));
    expect(metrics.model.arch).toBe('seed');
    expect(metrics.images).toBeGreaterThan(0);
    expect(metrics.settings.engine).toBe('onnx'); // the default engine on wasm: the imported bundle exports to ONNX
  }, 120_000);

  it('names a missing flag, and a file that is not what it should be', async () => {
    const missing = await runEval(['import-keras', '--weights', weights, '--config', config, '--out', join(root, 'x')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/--tokenizer <tokenizer\.keras>' not specified/);
    const wrong = await runEval([
      'import-keras',
      '--weights',
      config,
      '--config',
      config,
      '--tokenizer',
      join(SEED, 's_tokenizer.keras'),
      '--out',
      join(root, 'y'),
    ]);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/^error: .*trial_config\.json is not an HDF5 file/);
  });

  it("says a damaged HDF5 file in one line, with none of HDF5's own diagnostics on stderr", async () => {
    const bytes = await readFile(weights);
    const truncated = join(root, 'truncated.h5');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const garbage = join(root, 'garbage.h5');
    await writeFile(garbage, Buffer.concat([bytes.subarray(0, 8), Buffer.alloc(4096, 0x5a)]));
    for (const file of [truncated, garbage]) {
      const cli = join(import.meta.dirname, '..', '..', 'dist', 'main.js');
      const args = [
        'import-keras',
        '--weights',
        file,
        '--config',
        config,
        '--tokenizer',
        join(SEED, 's_tokenizer.keras'),
      ];
      const run = spawnSync(process.execPath, [cli, ...args, '--out', join(root, 'z'), '--backend', 'wasm'], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).not.toMatch(/HDF5-DIAG|#00\d:/);
      const lines = run.stderr
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('tfjs backend:'));
      expect(lines).toEqual([
        expect.stringMatching(
          new RegExp(`^error: ${file}: HDF5 could not (open|read) it \\(truncated or damaged\\?\\)`),
        ),
      ]);
    }
  }, 60_000);

  it('names a trial_config.json field the architecture cannot build, before allocating anything', async () => {
    const trial = JSON.parse(await readFile(config, 'utf8')) as Record<string, unknown>;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ EMBED_DIM: 1e9 }, /EMBED_DIM must be an integer in \[1, 8192\], got 1000000000/],
      [{ FF_DIM: 1e9 }, /FF_DIM must be an integer in \[1, 65536\]/],
      [{ SEQ_LENGTH: 1e9 }, /SEQ_LENGTH must be an integer in \[2, 1024\]/],
      [{ ENC_HEADS: 1e9 }, /ENC_HEADS must be an integer in \[1, 128\]/],
      [{ IMAGE_SIZE: [100_000, 100_000] }, /IMAGE_SIZE must be a square \[n, n\] with n an integer in \[32, 2048\]/],
      [{ EMBED_DIM: 8192, DEC_HEADS: 128 }, /make a model of .* parameters, more than 1e\+9/],
    ];
    for (const [change, message] of cases) {
      const file = join(root, 'bad-trial.json');
      await writeFile(file, JSON.stringify({ ...trial, ...change }));
      const run = await runEval([
        'import-keras',
        '--weights',
        weights,
        '--config',
        file,
        '--tokenizer',
        join(SEED, 's_tokenizer.keras'),
        '--out',
        join(root, 'never'),
      ]);
      expect(run.exitCode, JSON.stringify(change)).toBe(1);
      expect(run.stderr).toMatch(message);
    }
  });
});
