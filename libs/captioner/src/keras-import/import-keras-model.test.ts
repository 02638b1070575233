import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadKerasTokenizer } from '@imgcap/tokenizer';
import { buildEfficientNet, createFeatureExtractor } from '@imgcap/vision-backbone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundleParts, loadCaptionBundle, readBundleManifest } from '../bundle/bundle.js';
import { CaptionModel } from '../model/caption-model.js';
import { saveSeedKerasWeights } from './save-seed-keras-weights.js';
import { SEED_FILES, SEED_KERAS_CONFIG, SEED_TRIAL } from '../test-helpers/seed-keras.js';
import { useTestBackend } from '../test-helpers/tiny-model.js';
import { importKerasCaptioner } from './import-keras-model.js';

const SEED = SEED_FILES;
const TRIAL = SEED_TRIAL;
const CONFIG = SEED_KERAS_CONFIG;

let dir: string;
let source: CaptionModel;
let cnn: ReturnType<typeof buildEfficientNet>;
const files = { weights: '', config: '', tokenizer: join(SEED, 's_tokenizer.keras') };

beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'imgcap-keras-import-'));
  source = new CaptionModel(CONFIG, { seed: 5 });
  cnn = buildEfficientNet('b0', { inputShape: [64, 64, 3], seed: 3 });
  files.weights = join(dir, 'model_weights.h5');
  files.config = join(dir, 'trial_config.json');
  await saveSeedKerasWeights(source, cnn, files.weights, 3); // sublayers numbered as in a later run
  await writeFile(files.config, JSON.stringify(TRIAL));
}, 60_000);
afterAll(async () => {
  source.dispose();
  cnn.dispose();
  await rm(dir, { recursive: true, force: true });
});

const images = (n: number) => tf.randomUniform([n, 64, 64, 3], 0, 255, 'float32', 17) as tf.Tensor4D;
const rgb = async (pixels: tf.Tensor4D) => {
  const data = Uint8Array.from(await pixels.data(), (v) => Math.round(v));
  return Array.from({ length: pixels.shape[0] }, (_, i) => ({
    width: 64,
    height: 64,
    data: data.subarray(i * 64 * 64 * 3, (i + 1) * 64 * 64 * 3),
  }));
};

/**
 * The Keras project's own inference: re-run the decoder on the caption so far, take the argmax over the whole
 * vocabulary at the last position, stop at `end`, at most seq_length − 1 steps.
 */
async function kerasGreedy(model: CaptionModel, features: tf.Tensor3D, start: number, end: number): Promise<number[]> {
  const encoded = model.encode(features);
  const length = model.config.seqLength - 1;
  const caption = [start];
  for (let i = 0; i < length; i++) {
    const tokens = tf.tensor2d(
      [[...caption, ...new Array<number>(length - caption.length).fill(0)]],
      [1, length],
      'int32',
    );
    const logits = model.decodeFull(encoded, tokens);
    const next = tf.tidy(() => tf.argMax(tf.squeeze(tf.slice(logits, [0, i, 0], [1, 1, -1])), -1).dataSync()[0]!);
    tf.dispose([tokens, logits]);
    if (next === end) break;
    caption.push(next);
  }
  encoded.dispose();
  return caption.slice(1);
}

describe("importing the Keras project's trained model (save_weights .h5 + trial_config.json + tokenizer.keras)", () => {
  it('writes a seed bundle whose greedy captions are the Keras inference of the weights it was written from', async () => {
    const out = join(dir, 'bundle');
    await importKerasCaptioner(files, out);
    const manifest = await readBundleManifest(out);
    // The trial config's shape, and the CNN now a weights file in the bundle (no longer '-random').
    expect(manifest.config).toMatchObject({ ...CONFIG, backbone: 'efficientnet-b0@64' });
    const imported = await loadCaptionBundle(out);
    const tokenizer = await loadKerasTokenizer(files.tokenizer);
    const pixels = images(3);
    const results = await imported.captionImages(await rgb(pixels));
    // The reference: the original model on the original CNN's features of the same (integer) pixels.
    const rounded = tf.round(pixels) as tf.Tensor4D;
    const features = tf.reshape(cnn.predict(rounded) as tf.Tensor, [3, 4, 1280]) as tf.Tensor3D;
    for (let i = 0; i < 3; i++) {
      const row = tf.slice(features, [i, 0, 0], [1, -1, -1]) as tf.Tensor3D;
      const expected = await kerasGreedy(source, row, tokenizer.markers.start, tokenizer.markers.end);
      expect(results[i]!.ids).toEqual(expected);
      expect(results[i]!.caption).toBe(tokenizer.decode(expected));
      row.dispose();
    }
    expect(results.some((r) => r.ids.length >= 2)).toBe(true);
    tf.dispose([pixels, rounded, features]);
    imported.dispose();
  }, 120_000);

  it("keeps the CNN in the bundle as an EfficientNet .h5 that gives the original CNN's features", async () => {
    const out = join(dir, 'bundle-cnn');
    await importKerasCaptioner(files, out);
    const manifest = await readBundleManifest(out);
    expect(manifest.backbone.weights).toBe(join('backbone', 'efficientnetb0_notop.h5'));
    const extractor = await createFeatureExtractor({
      kind: 'efficientnet',
      variant: 'b0',
      imageSize: 64,
      weightsDir: join(out, manifest.backbone.weights!),
    });
    const pixels = images(1);
    const diff = tf.tidy(
      () =>
        tf
          .max(tf.abs(tf.sub(extractor.extract(pixels), tf.reshape(cnn.predict(pixels) as tf.Tensor, [1, 4, 1280]))))
          .dataSync()[0]!,
    );
    expect(diff).toBeLessThan(1e-5);
    pixels.dispose();
    extractor.dispose();
  }, 60_000);

  it('reads canonically named files (a first run) too, and a model saved here round-trips through the Keras layout', async () => {
    const canonical = join(dir, 'first-run.h5');
    await saveSeedKerasWeights(source, cnn, canonical);
    const out = join(dir, 'bundle-first-run');
    await importKerasCaptioner({ ...files, weights: canonical }, out);
    const reimported = await loadBundleParts(out);
    const mine = source.network.weights.map((w) => w.read().dataSync());
    reimported.model.network.weights.forEach((w, i) => expect(w.read().dataSync()).toEqual(mine[i]));
    reimported.model.dispose();
    reimported.backbone.dispose();
  }, 60_000);

  it('refuses, naming the tensor, a file with a tensor that maps nowhere or a shape that does not fit, and writes nothing', async () => {
    const broken = join(dir, 'broken.h5');
    const extra = new CaptionModel({ ...CONFIG, ffDim: 20 }, { seed: 1 }); // ff 20 where the config says 16
    await saveSeedKerasWeights(extra, cnn, broken, 1);
    extra.dispose();
    const out = join(dir, 'not-written');
    await expect(importKerasCaptioner({ ...files, weights: broken }, out)).rejects.toThrow(
      /dense_\d+\/kernel:0 \[24, 20\] maps to decoder_block\/feedforward_intermediate\/kernel, which is \[24, 16\]/,
    );
    await expect(readFile(join(out, 'bundle.json'))).rejects.toThrow(/ENOENT/);
    const wrongVocab = join(dir, 'trial-vocab.json');
    await writeFile(wrongVocab, JSON.stringify({ ...TRIAL, VOCAB_SIZE: 5000 }));
    await expect(importKerasCaptioner({ ...files, config: wrongVocab }, out)).rejects.toThrow(
      /has 10000 ids but .*VOCAB_SIZE 5000/,
    );
    const notWeights = join(dir, 'tokenizer-as-weights.keras');
    await copyFile(files.tokenizer, notWeights);
    await expect(importKerasCaptioner({ ...files, weights: notWeights }, out)).rejects.toThrow(
      /no cnn group|neither the CNN/,
    );
  }, 60_000);
});
