import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { WordTokenizer } from '@imgcap/tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptionModel } from '../model/caption-model.js';
import { TINY_CONFIG, useTestBackend } from '../test-helpers/tiny-model.js';
import { loadBundleParts, loadCaptionBundle, readBundleManifest, saveCaptionBundle } from './bundle.js';
import { TfjsCaptioner } from './tfjs-captioner.js';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'imgcap-bundle-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const tokenizer = WordTokenizer.fit(['a red circle', 'a blue square', 'two green triangles'], {
  vocabSize: TINY_CONFIG.vocabSize,
});

function images(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    width: 8,
    height: 8,
    data: Uint8Array.from({ length: 8 * 8 * 3 }, (_, j) => (j * 37 + i * 101) % 256),
  }));
}

describe('caption bundles', () => {
  it('save → load gives identical captions, scores and attention', async () => {
    const model = new CaptionModel(TINY_CONFIG);
    await saveCaptionBundle(join(dir, 'bundle'), { model, tokenizer, metadata: { preset: 'test' } });
    const loaded = await loadCaptionBundle(join(dir, 'bundle'));
    const parts = await loadBundleParts(join(dir, 'bundle'));
    parts.model.dispose();
    const original = new TfjsCaptioner(model, tokenizer, parts.backbone, parts.manifest);
    for (const beamWidth of [1, 3]) {
      const a = await original.captionImages(images(2), { beamWidth });
      const b = await loaded.captionImages(images(2), { beamWidth });
      expect(b).toEqual(a);
    }
    expect(loaded.manifest.metadata).toEqual({ preset: 'test' });
    expect(loaded.imageSize).toBe(8);
    loaded.dispose();
    original.dispose();
  });

  it('leaks no tensors per caption call through the whole pipeline', async () => {
    const model = new CaptionModel(TINY_CONFIG);
    await saveCaptionBundle(join(dir, 'leak'), { model, tokenizer });
    model.dispose();
    const captioner = await loadCaptionBundle(join(dir, 'leak'));
    await captioner.captionImages(images(1));
    const before = tf.memory().numTensors;
    await captioner.captionImages(images(2), { beamWidth: 2 });
    await captioner.captionImages(images(1));
    expect(tf.memory().numTensors).toBe(before);
    captioner.dispose();
  });

  it('refuses a directory that is not a bundle, and images of the wrong size, with clear errors', async () => {
    await expect(loadCaptionBundle(join(dir, 'missing'))).rejects.toThrow(
      /not a caption bundle: bundle.json not found/,
    );
    await writeFile(join(dir, 'bundle.json'), JSON.stringify({ format: 'imgcap-caption-bundle', version: 99 }));
    await expect(readBundleManifest(dir)).rejects.toThrow(/version 99 is not supported/);
    const model = new CaptionModel(TINY_CONFIG);
    await saveCaptionBundle(join(dir, 'size'), { model, tokenizer });
    model.dispose();
    const captioner = await loadCaptionBundle(join(dir, 'size'));
    await expect(captioner.captionImages([{ width: 4, height: 4, data: new Uint8Array(48) }])).rejects.toThrow(
      /needs 8×8 RGB/,
    );
    captioner.dispose();
  });
});

describe('a bundle whose backbone weights are a Keras .h5 file', () => {
  it('copies the file under its own name and loads the backbone from it', async () => {
    const { buildEfficientNet, saveKerasWeightsFile } = await import('@imgcap/vision-backbone');
    const source = buildEfficientNet('b0', { inputShape: [64, 64, 3], seed: 8 });
    const h5 = join(dir, 'efficientnetb0_notop.h5');
    await saveKerasWeightsFile(source, h5, { layout: 'keras2' });
    const config = {
      ...TINY_CONFIG,
      backbone: 'efficientnet-b0@64',
      imageSize: 64,
      featureShape: [4, 1280] as [number, number],
    };
    const model = new CaptionModel(config);
    await saveCaptionBundle(join(dir, 'h5-bundle'), { model, tokenizer, backboneWeightsDir: h5 });
    model.dispose();
    const loaded = await loadBundleParts(join(dir, 'h5-bundle'));
    expect(loaded.manifest.backbone.weights).toBe(join('backbone', 'efficientnetb0_notop.h5'));
    const pixels = tf.randomUniform([1, 64, 64, 3], 0, 255, 'float32', 2) as tf.Tensor4D;
    const [features, expected] = [
      loaded.backbone.extract(pixels),
      tf.reshape(source.predict(pixels) as tf.Tensor, [1, 4, 1280]),
    ];
    expect(tf.max(tf.abs(tf.sub(features, expected))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([pixels, features, expected]);
    loaded.model.dispose();
    loaded.backbone.dispose();
    source.dispose();
  }, 60_000);
});

describe('bundle files that look right but are not', () => {
  it('are refused on load, naming the file: same-size weights with flipped bytes, a damaged tokenizer', async () => {
    const model = new CaptionModel(TINY_CONFIG, { seed: 2 });
    await saveCaptionBundle(join(dir, 'checked'), { model, tokenizer });
    model.dispose();
    const manifest = await readBundleManifest(join(dir, 'checked'));
    expect(Object.keys(manifest.files ?? {})).toEqual(['model/model.json', 'model/weights.bin', 'tokenizer.json']);
    const weights = join(dir, 'checked', 'model', 'weights.bin');
    const original = await readFile(weights);
    const flipped = Buffer.from(original);
    flipped[10] ^= 0xff;
    await writeFile(weights, flipped);
    await expect(loadCaptionBundle(join(dir, 'checked'))).rejects.toThrow(
      /model\/weights\.bin does not match its recorded sha256/,
    );
    await writeFile(weights, original);
    await writeFile(join(dir, 'checked', 'tokenizer.json'), '{"format": ');
    await expect(loadCaptionBundle(join(dir, 'checked'))).rejects.toThrow(
      /tokenizer\.json does not match its recorded sha256/,
    );
  });

  it('refuse a manifest that lists a path outside the bundle, by name, before reading anything', async () => {
    const model = new CaptionModel(TINY_CONFIG, { seed: 2 });
    const bundle = join(dir, 'escaping');
    await saveCaptionBundle(bundle, { model, tokenizer });
    model.dispose();
    const manifestFile = join(bundle, 'bundle.json');
    const original = JSON.parse(await readFile(manifestFile, 'utf8')) as {
      files: Record<string, string>;
      backbone: { weights: string | null };
    };
    await symlink('/dev/zero', join(bundle, 'zero.bin'));
    const cases: Array<[(m: typeof original) => void, RegExp]> = [
      [
        (m) => (m.files['../../../../dev/zero'] = 'x'),
        /"\.\.\/\.\.\/\.\.\/\.\.\/dev\/zero" leaves the directory \(\.\.\)/,
      ],
      [(m) => (m.files['/dev/zero'] = 'x'), /"\/dev\/zero" is absolute/],
      [(m) => (m.files['zero.bin'] = 'x'), /zero\.bin is a link to outside/],
      [(m) => (m.backbone.weights = '../..'), /"\.\.\/\.\." leaves the directory/],
    ];
    for (const [edit, message] of cases) {
      const manifest = structuredClone(original);
      edit(manifest);
      await writeFile(manifestFile, JSON.stringify(manifest));
      const started = performance.now();
      await expect(loadCaptionBundle(bundle)).rejects.toThrow(message);
      expect(performance.now() - started).toBeLessThan(2000); // before: hashing /dev/zero never ended
    }
  });
});
