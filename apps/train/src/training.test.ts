import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSyntheticDataset } from '@imgcap/flickr-dataset';
import { describe, expect, it, vi } from 'vitest';
import { TRAIN_DEFAULTS } from './config.js';
import { dryRunSummary, modelSummary, prepareData } from './data.js';
import { EXIT, runTraining } from './run-training.js';
import { train, useTrainingFixture } from './test-helpers/training-run.js';

const { fixture, configFor } = useTrainingFixture();

describe('training', () => {
  it('--dry-run reports images, captions, splits, recovered rows and filtered captions', async () => {
    const summary = dryRunSummary(configFor('dry'), await prepareData(configFor('dry', { seq_length: 8 })));
    expect(summary).toMatchObject({ images: 40, captions: 200, recovered_rows: 0 });
    expect(summary.splits).toEqual({ train: 32, val: 4, test: 4 });
    expect(summary.filtered_captions).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      arch: 'imgcap',
      backbone: 'patch16@32',
      image_size: 32,
      feature_shape: [4, 768],
      backbone_parameters: 0,
    });
    expect(summary.encoder_parameters).toBeGreaterThan(0);
  });

  it("--dry-run prints the seed's model for the seed's defaults: B1 at 224 px and the published S counts", async () => {
    const config = {
      ...TRAIN_DEFAULTS,
      dataset: 'synthetic' as const,
      data_dir: fixture.dataDir,
      seq_length: 32,
      dec_heads: 2,
    };
    const summary = dryRunSummary(config, await prepareData(config));
    // The synthetic dataset's vocabulary is small: count the decoder at the seed's 10,000 words.
    // ImageNet weights by default, as the Keras project's weights="imagenet" (a dry run downloads nothing).
    expect(modelSummary(config, 10_000)).toEqual({
      arch: 'seed',
      backbone: 'efficientnet-b1@224',
      image_size: 224,
      feature_shape: [49, 1280],
      encoder_parameters: 2_760_192,
      decoder_parameters: 14_733_840,
      backbone_parameters: 6_575_239,
      total_parameters: 2_760_192 + 14_733_840 + 6_575_239,
    });
    expect(summary).toMatchObject({ arch: 'seed', image_size: 224, encoder_parameters: 2_760_192 });
    expect(modelSummary({ ...config, backbone_weights: 'none' }, 10_000)).toMatchObject({
      backbone: 'efficientnet-b1@224-random',
    });
  });

  it('trains on 2 gradient replicas in parallel threads along the loss path of 1', async () => {
    const one = await train(configFor('one-replica', { workers: 1, epochs: 1 }));
    const two = await train(configFor('two-replicas', { workers: 2, epochs: 1 }));
    expect(one.logs.join('\n')).toMatch(/1 gradient replica(?!s)/);
    expect(two.logs.join('\n')).toMatch(/2 gradient replicas in parallel threads/);
    expect([one.code, two.code]).toEqual([EXIT.ok, EXIT.ok]);
    expect(two.losses.size).toBe(one.losses.size);
    for (const [step, loss] of one.losses) expect(two.losses.get(step), `step ${step}`).toBeCloseTo(loss, 3);
  });

  it("trains on ONNX Runtime's kernels along wasm's loss path: 20 steps agree to 1e-3 (float rounding)", async () => {
    // Wide enough that the feature projection and the attention products pass the native threshold (4 MFLOP).
    const shape = { embed_dim: 64, ff_dim: 64, workers: 1, dropout: 0.1 };
    const native = await train(configFor('kernels-onnx', { ...shape, train_kernels: 'onnx' }));
    const wasm = await train(configFor('kernels-wasm', { ...shape, train_kernels: 'wasm' }));
    expect([native.code, wasm.code]).toEqual([EXIT.ok, EXIT.ok]);
    expect(native.logs.join('\n')).toMatch(/kernels: large matrix products and exponentials on onnxruntime-node/);
    expect(wasm.logs.join('\n')).not.toMatch(/kernels: /);
    expect(native.losses.size).toBe(20);
    for (const [step, loss] of wasm.losses) {
      expect(Math.abs(native.losses.get(step)! - loss), `step ${step}`).toBeLessThan(1e-3 * Math.max(1, loss));
    }
  });

  it('repeats a seeded run exactly, dropout included, on 1 and on 2 replicas', async () => {
    for (const workers of [1, 2]) {
      const config = (name: string) => configFor(name, { workers, epochs: 1, dropout: 0.1 });
      const first = await train(config(`repeat-${workers}-a`));
      const second = await train(config(`repeat-${workers}-b`));
      expect(first.losses.size).toBeGreaterThan(5);
      expect([...second.losses]).toEqual([...first.losses]);
    }
  });

  it('writes a loadable bundle, metrics, summary and report; a second run hits the feature cache', async () => {
    const first = await train(configFor('first'));
    expect(first.code).toBe(EXIT.ok);
    const dir = join(fixture.root, 'first');
    const bundle = JSON.parse(await readFile(join(dir, 'bundle', 'bundle.json'), 'utf8'));
    expect(bundle.config.backbone).toBe('patch16@32');
    const metrics = (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.split === 'val')).toHaveLength(2);
    const report = await readFile(join(dir, 'report.html'), 'utf8');
    expect(report).toMatch(/<svg[\s\S]*data:image\/jpeg;base64/);
    // summary.json keeps the loop's 0-based epoch; the report counts from 1, as the console's "epoch 2/2" does.
    const { best } = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    expect(report).toContain(`at step ${best.step}, epoch ${best.epoch + 1}<`);
    // Each sample card says which caption is the model's and which are the references.
    expect(report).toMatch(
      /<span class="label">model:<\/span> [^<]*<\/p><p class="label">references:<\/p><ol class="refs"><li>/,
    );
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).embed_dim).toBe(16);
    // The bundle records exactly which images trained it, for eval's default (held-out) split.
    const split = JSON.parse(await readFile(join(dir, 'bundle', 'data-split.json'), 'utf8'));
    expect(split).toMatchObject({ dataset: 'synthetic' });
    const all = [...split.images.train, ...split.images.val, ...split.images.test];
    expect(all).toHaveLength(40);
    expect(new Set(all).size).toBe(40);
    expect(split.images.test.length).toBeGreaterThan(0);
    // W&B asked for without an API key: no W&B run, but the command that uploads the bundle once logged in.
    vi.stubEnv('WANDB_API_KEY', '');
    const second = await train(configFor('second', { wandb_project: 'image_captioning', wandb_name: 'my run:1' }));
    vi.unstubAllEnvs();
    expect(second.logs.find((l) => l.startsWith('features:'))).toMatch(/0 extracted, 40 from cache/);
    expect(second.logs.find((l) => l.startsWith('W&B: upload'))).toContain(
      `wandb artifact put --name image_captioning/my-run-1 --type model --alias latest ${join(fixture.root, 'second', 'bundle')}`,
    );
  });

  it('trains the seed architecture (on 2 replicas) into a bundle that records it and captions', async () => {
    const run = await train(configFor('seed-arch', { arch: 'seed', epochs: 1, workers: 2 }));
    expect(run.code).toBe(EXIT.ok);
    expect(run.logs.join('\n')).toMatch(/model: --arch seed, [\d,]+ parameters \(encoder/);
    const bundle = JSON.parse(await readFile(join(fixture.root, 'seed-arch', 'bundle', 'bundle.json'), 'utf8'));
    expect(bundle.config.arch).toBe('seed');
    expect(bundle.metadata.arch).toBe('seed');
    const { loadCaptionBundle } = await import('@imgcap/captioner/bundle');
    const captioner = await loadCaptionBundle(join(fixture.root, 'seed-arch', 'bundle'));
    const [result] = await captioner.captionImages([
      { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(90) },
    ]);
    expect(result!.ids.length).toBeGreaterThan(0);
    captioner.dispose();
  });

  it('exits non-zero (gradient workers ended) when --resume meets a damaged checkpoint, on the default worker count', async () => {
    const config = configFor('damaged', { epochs: 1, workers: 0 });
    expect((await train(config)).code).toBe(EXIT.ok);
    const checkpoints = join(fixture.root, 'damaged', 'checkpoints');
    const latest = (await readdir(checkpoints))
      .filter((d) => d.startsWith('step-'))
      .sort()
      .pop()!;
    const weights = join(checkpoints, latest, 'bundle', 'model', 'weights.bin');
    await truncate(weights, 100);
    const args = [
      '--dataset',
      'synthetic',
      '--data_dir',
      fixture.dataDir,
      '--artifact_dir',
      config.artifact_dir,
      '--feature_cache',
      config.feature_cache!,
      '--backbone',
      'patch16',
      '--image_size',
      '32',
      '--seq_length',
      '16',
      '--batch_size',
      '16',
      '--epochs',
      '2',
      '--embed_dim',
      '16',
      '--ff_dim',
      '32',
      '--enc_heads',
      '2',
      '--dec_heads',
      '2',
      '--arch',
      'imgcap',
      '--dropout',
      '0',
      '--lr',
      '0.003',
      '--patience',
      '0',
      '--val_sample',
      '4',
      '--backend',
      'wasm',
      '--resume',
    ];
    const child = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'dist', 'main.js'), ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal, 'still running after 60 s').toBeNull();
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(
      new RegExp(
        `error: checkpoint .* could not be loaded: checkpoint .*${latest}: .*weights\\.bin does not match its recorded sha256`,
      ),
    );
  }, 120_000);

  it('skips a listed image missing on disk and captions with no word, by name and count in the log and summary.json', async () => {
    const broken = join(fixture.root, 'broken-data');
    await generateSyntheticDataset({ dir: broken, images: 12, seed: 4 });
    const file = join(broken, 'dataset_synthetic.json');
    const dataset = JSON.parse(await readFile(file, 'utf8'));
    const trainImages = dataset.images.filter((image: { split: string }) => image.split === 'train');
    await rm(join(broken, 'images', trainImages[0].filename));
    trainImages[1].sentences.push({ raw: '... !!!', tokens: [] });
    await writeFile(file, JSON.stringify(dataset));
    const run = await train({
      ...configFor('broken-run', { epochs: 1, val_sample: 0 }),
      data_dir: broken,
      feature_cache: join(fixture.root, 'broken-cache'),
    });
    expect(run.code).toBe(EXIT.ok);
    const logs = run.logs.join('\n');
    expect(logs).toContain(`skipping image ${trainImages[0].filename}: missing_file`);
    expect(logs).toMatch(/and 1 with no word dropped/);
    // The missing file counts as skipped, neither extracted nor cached.
    expect(logs).toMatch(/, 11 extracted, 0 from cache/);
    const summary = JSON.parse(await readFile(join(fixture.root, 'broken-run', 'summary.json'), 'utf8'));
    expect(summary.data).toMatchObject({
      empty_captions: 1,
      skipped_images: [`${trainImages[0].filename}: missing_file`],
      damaged_cache_entries: 0,
    });
  });

  it('leaves no half-made run behind when set-up fails, so the identical command can be retried', async () => {
    const config = configFor('no-dataset', { data_dir: join(fixture.root, 'absent'), dataset: 'flickr30k' });
    const first = await train(config);
    expect(first.code).toMatch(/absent/);
    expect(await readdir(join(fixture.root, 'no-dataset'))).toEqual([]);
    const retry = await train(config);
    expect(retry.code).toBe(first.code); // the same error again, not "not empty"
  });

  it('refuses a non-empty artifact dir without --resume or --overwrite', async () => {
    await mkdir(join(fixture.root, 'taken'), { recursive: true });
    await writeFile(join(fixture.root, 'taken', 'notes.txt'), 'keep me');
    await expect(runTraining(configFor('taken'), { log: () => {} })).rejects.toThrow(
      /--resume.*--overwrite|--overwrite.*--resume/,
    );
    expect(await readFile(join(fixture.root, 'taken', 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('resumes after a crash on the same path as an uninterrupted run (dropout on), ignoring torn checkpoints', async () => {
    const whole = await train(configFor('whole', { checkpoint_every: 3, dropout: 0.1 }));
    expect(whole.code).toBe(EXIT.ok);
    const crashed = await train(configFor('crashed', { checkpoint_every: 3, dropout: 0.1 }), 5);
    expect(crashed.code).toBe('simulated crash');
    // A save killed half-way, and a step directory without its state file, must both be ignored.
    const checkpoints = join(fixture.root, 'crashed', 'checkpoints');
    await mkdir(join(checkpoints, '.tmp-step-000000006-999', 'bundle'), { recursive: true });
    await mkdir(join(checkpoints, 'step-000000009'), { recursive: true });
    const resumed = await train(configFor('crashed', { checkpoint_every: 3, dropout: 0.1, resume: true }));
    expect(resumed.code).toBe(EXIT.ok);
    expect(resumed.logs.join('\n')).toMatch(/resumed from .*step-000000003/);
    expect(resumed.losses.size).toBeGreaterThan(2);
    for (const [step, loss] of resumed.losses) expect(loss, `step ${step}`).toBeCloseTo(whole.losses.get(step)!, 5);
  });

  it('stops with a clear message and exit code 3 on a non-finite loss, leaving the best checkpoint untouched', async () => {
    const config = configFor('nan', { epochs: 1, feature_cache: join(fixture.root, 'nan-cache') });
    expect((await train(config)).code).toBe(EXIT.ok);
    const best = join(fixture.root, 'nan', 'checkpoints', 'best');
    const [state, weights] = await Promise.all([
      readFile(join(best, 'state.json')),
      readFile(join(best, 'bundle', 'model', 'weights.bin')),
    ]);
    // Corrupt the latest step checkpoint's weights (a diverged run): resuming from it gives a NaN loss.
    const latest = join(
      fixture.root,
      'nan',
      'checkpoints',
      `step-${JSON.parse(state.toString()).globalStep.toString().padStart(9, '0')}`,
    );
    const diverged = Buffer.from(new Float32Array(weights.length / 4).fill(NaN).buffer);
    await writeFile(join(latest, 'bundle', 'model', 'weights.bin'), diverged);
    // As if the run had saved these weights itself: its checksum says they are what it wrote.
    const saved = JSON.parse(await readFile(join(latest, 'state.json'), 'utf8'));
    saved.files['bundle/model/weights.bin'] = createHash('sha256').update(diverged).digest('hex');
    await writeFile(join(latest, 'state.json'), JSON.stringify(saved));
    const run = await train({ ...config, epochs: 2, resume: true, overwrite: false });
    expect(run.code).toBe(EXIT.nonFinite);
    expect(run.logs.join('\n')).toMatch(
      /the loss became NaN at step \d+ \(epoch 2\); stopping\. The last good checkpoints/,
    );
    expect(await readFile(join(best, 'state.json'))).toEqual(state);
    expect(await readFile(join(best, 'bundle', 'model', 'weights.bin'))).toEqual(weights);
  });
});
