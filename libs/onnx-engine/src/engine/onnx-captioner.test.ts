import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadCaptionBundle, type ImageCaptioner } from '@imgcap/captioner/bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomImages, saveTinyBundle, TINY_CONFIG, useTestBackend } from '../test-helpers/tiny-bundle.js';
import { loadOnnxCaptioner, type OnnxCaptioner } from './onnx-captioner.js';

let dir: string;
let bundleDir: string;
let tfjs: ImageCaptioner;
let onnx: OnnxCaptioner;

beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'imgcap-onnx-captioner-'));
  bundleDir = await saveTinyBundle(dir, 'bundle');
  tfjs = await loadCaptionBundle(bundleDir);
  onnx = await loadOnnxCaptioner(bundleDir);
});
afterAll(async () => {
  tfjs.dispose();
  onnx.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('loadOnnxCaptioner', () => {
  it.each([1, 3])('writes the same captions as the tfjs engine with beam width %i', async (beamWidth) => {
    const images = randomImages(6, TINY_CONFIG.imageSize, 11 * beamWidth);
    const expected = await tfjs.captionImages(images, { beamWidth });
    const actual = await onnx.captionImages(images, { beamWidth });
    // Equal token lists would prove little if every caption ended at once.
    expect(expected.some((r) => r.ids.length >= 2)).toBe(true);
    expect(actual.map((r) => r.ids)).toEqual(expected.map((r) => r.ids));
    expect(actual.map((r) => r.caption)).toEqual(expected.map((r) => r.caption));
    actual.forEach((result, i) => {
      const reference = expected[i]!;
      expect(result.score).toBeCloseTo(reference.score, 4);
      expect(result.finished).toBe(reference.finished);
      expect(result.gridSize).toEqual(reference.gridSize);
      result.attention.flat().forEach((weight, j) => expect(weight).toBeCloseTo(reference.attention.flat()[j]!, 4));
    });
  });

  it('caps captions at maxLength as the tfjs engine does', async () => {
    const images = randomImages(2, TINY_CONFIG.imageSize, 5);
    const expected = await tfjs.captionImages(images, { beamWidth: 2, maxLength: 2 });
    const actual = await onnx.captionImages(images, { beamWidth: 2, maxLength: 2 });
    expect(actual.map((r) => [r.ids, r.finished])).toEqual(expected.map((r) => [r.ids, r.finished]));
  });

  it('leaks no tfjs tensors per caption call', async () => {
    const images = randomImages(2, TINY_CONFIG.imageSize, 3);
    await onnx.captionImages(images);
    const before = tf.memory().numTensors;
    await onnx.captionImages(images, { beamWidth: 3 });
    await onnx.captionImages(images);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('exposes the bundle facts', () => {
    expect(onnx.imageSize).toBe(TINY_CONFIG.imageSize);
    expect(onnx.manifest.config).toEqual({ ...TINY_CONFIG, arch: 'imgcap' }); // written with its architecture named
    expect(onnx.parameterCount).toBe(tfjs.parameterCount);
  });

  it('exports on first load and again when the bundle is saved anew', async () => {
    const other = await saveTinyBundle(dir, 'resaved');
    const onnxDir = join(dir, 'resaved-onnx');
    const first = await loadOnnxCaptioner(other, { onnxDir });
    const firstExport = JSON.parse(await readFile(join(onnxDir, 'onnx-manifest.json'), 'utf8'));
    first.dispose();
    await saveTinyBundle(dir, 'resaved');
    const reloaded = await loadOnnxCaptioner(other, { onnxDir });
    const secondExport = JSON.parse(await readFile(join(onnxDir, 'onnx-manifest.json'), 'utf8'));
    expect(secondExport.bundleCreatedAt).not.toBe(firstExport.bundleCreatedAt);
    const fresh = await loadCaptionBundle(other);
    const images = randomImages(2, TINY_CONFIG.imageSize, 9);
    expect((await reloaded.captionImages(images)).map((r) => r.ids)).toEqual(
      (await fresh.captionImages(images)).map((r) => r.ids),
    );
    expect((await stat(join(onnxDir, 'decoder_step.onnx'))).size).toBeGreaterThan(0);
    reloaded.dispose();
    fresh.dispose();
  });

  it('refuses wrong image sizes and options it cannot honour, naming them', async () => {
    await expect(onnx.captionImages([{ width: 4, height: 4, data: new Uint8Array(48) }])).rejects.toThrow(
      /image 0 is 4×4; this model needs 8×8 RGB/,
    );
    await expect(onnx.captionImages(randomImages(1, 8), { useCache: false })).rejects.toThrow(/useCache must be true/);
    await expect(onnx.captionImages(randomImages(1, 8), { beamWidth: 0 })).rejects.toThrow(
      /beamWidth must be an integer from 1 to 16, got 0/,
    );
  });
});

describe('loadOnnxCaptioner with an EfficientNet backbone', () => {
  it("runs the backbone in ONNX too and writes the tfjs engine's captions", async () => {
    const config = {
      ...TINY_CONFIG,
      backbone: 'efficientnet-b0@64-random',
      imageSize: 64,
      featureShape: [4, 1280] as [number, number],
    };
    const bundle = await saveTinyBundle(dir, 'efficientnet', config);
    const reference = await loadCaptionBundle(bundle);
    const candidate = await loadOnnxCaptioner(bundle);
    try {
      const manifest = JSON.parse(await readFile(join(bundle, 'onnx', 'onnx-manifest.json'), 'utf8')) as {
        backbone: { onnx: string };
      };
      expect(manifest.backbone.onnx).toBe('backbone.onnx');
      const images = randomImages(4, 64, 21);
      for (const beamWidth of [1, 3]) {
        const expected = await reference.captionImages(images, { beamWidth });
        const actual = await candidate.captionImages(images, { beamWidth });
        expect(actual.map((r) => r.ids)).toEqual(expected.map((r) => r.ids));
        actual.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 4));
      }
    } finally {
      reference.dispose();
      candidate.dispose();
    }
  }, 60_000);
});

describe('loadOnnxCaptioner with the seed architecture', () => {
  // 3 decoder heads each 16 wide over a width of 16: the seed's layout, which imgcap's own heads could not split.
  const SEED = { ...TINY_CONFIG, arch: 'seed' as const, encHeads: 2, decHeads: 3 };

  it("writes the tfjs engine's captions (greedy and beam 3), scores and attention, leak-free", async () => {
    const bundle = await saveTinyBundle(dir, 'seed', SEED);
    const reference = await loadCaptionBundle(bundle);
    const candidate = await loadOnnxCaptioner(bundle);
    try {
      expect(candidate.manifest.config.arch).toBe('seed');
      expect(candidate.parameterCount).toBe(reference.parameterCount);
      const images = randomImages(6, SEED.imageSize, 31);
      for (const beamWidth of [1, 3]) {
        const expected = await reference.captionImages(images, { beamWidth });
        const actual = await candidate.captionImages(images, { beamWidth });
        expect(expected.some((r) => r.ids.length >= 2)).toBe(true);
        expect(actual.map((r) => r.ids)).toEqual(expected.map((r) => r.ids));
        actual.forEach((r, i) => {
          expect(r.score).toBeCloseTo(expected[i]!.score, 4);
          r.attention.flat().forEach((weight, j) => expect(weight).toBeCloseTo(expected[i]!.attention.flat()[j]!, 4));
        });
      }
      const before = tf.memory().numTensors;
      await candidate.captionImages(images.slice(0, 2), { beamWidth: 2 });
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      reference.dispose();
      candidate.dispose();
    }
  });
});

describe("loadOnnxCaptioner on a model imported from the Keras project's files", () => {
  it("writes the tfjs engine's captions, greedy and beam 3", async () => {
    const { CaptionModel } = await import('@imgcap/captioner/model');
    const { importKerasCaptioner, saveSeedKerasWeights } = await import('@imgcap/captioner/keras');
    const { buildEfficientNet } = await import('@imgcap/vision-backbone');
    const seedFiles = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'seed');
    const model = new CaptionModel(
      {
        arch: 'seed',
        vocabSize: 10_000,
        seqLength: 12,
        embedDim: 16,
        ffDim: 16,
        encHeads: 2,
        decHeads: 2,
        dropout: 0,
        backbone: 'efficientnet-b0@64-random',
        imageSize: 64,
        featureShape: [4, 1280],
      },
      { seed: 9 },
    );
    const cnn = buildEfficientNet('b0', { inputShape: [64, 64, 3], seed: 4 });
    const weights = join(dir, 'keras-model.h5');
    const config = join(dir, 'trial_config.json');
    await saveSeedKerasWeights(model, cnn, weights);
    await writeFile(
      config,
      JSON.stringify({
        IMAGE_SIZE: [64, 64],
        SEQ_LENGTH: 12,
        VOCAB_SIZE: 10_000,
        EMBED_DIM: 16,
        FF_DIM: 16,
        ENC_HEADS: 2,
        DEC_HEADS: 2,
      }),
    );
    [model, cnn].forEach((m) => m.dispose());
    const bundle = join(dir, 'imported');
    await importKerasCaptioner({ weights, config, tokenizer: join(seedFiles, 's_tokenizer.keras') }, bundle);
    const reference = await loadCaptionBundle(bundle);
    const candidate = await loadOnnxCaptioner(bundle);
    try {
      const images = randomImages(3, 64, 41);
      for (const beamWidth of [1, 3]) {
        const expected = await reference.captionImages(images, { beamWidth });
        const actual = await candidate.captionImages(images, { beamWidth });
        expect(actual.map((r) => r.ids)).toEqual(expected.map((r) => r.ids));
        expect(actual.map((r) => r.caption)).toEqual(expected.map((r) => r.caption));
      }
    } finally {
      reference.dispose();
      candidate.dispose();
    }
  }, 120_000);
});

describe('loadCaptioner: one ImageCaptioner contract for both engines', () => {
  it('gives the same facts and captions from tfjs and ONNX Runtime, without callers knowing which', async () => {
    const { loadCaptioner } = await import('./load-captioner.js');
    const bundle = await saveTinyBundle(dir, 'contract', { ...TINY_CONFIG, arch: 'seed' });
    const loaded = await Promise.all(
      (['tfjs', 'onnx'] as const).map((engine) => loadCaptioner(bundle, { engine, backend: 'wasm', log: () => {} })),
    );
    expect(loaded.map((l) => [l.engine, l.backend, l.bundleDir])).toEqual([
      ['tfjs', 'wasm', bundle],
      ['onnx', 'wasm', bundle],
    ]);
    // auto on wasm: ONNX Runtime (3–8× faster there); an unknown engine is named with the allowed ones.
    const auto = await loadCaptioner(bundle, { backend: 'wasm', log: () => {} });
    expect(auto.engine).toBe('onnx');
    auto.captioner.dispose();
    await expect(loadCaptioner(bundle, { engine: 'gpu' as 'auto' })).rejects.toThrow(
      "Unknown engine 'gpu'; allowed: auto, tfjs, onnx",
    );
    const engines = loaded.map((l) => l.captioner);
    try {
      const facts = engines.map((c) => [c.architecture, c.imageSize, c.parameterCount, c.manifest.createdAt]);
      expect(engines.map((c) => c.engine)).toEqual(['tfjs', 'onnx']);
      expect(facts[1]).toEqual(facts[0]);
      expect(facts[0]![0]).toBe('seed');
      const images = randomImages(2, TINY_CONFIG.imageSize, 5);
      const [a, b] = await Promise.all(engines.map((c) => c.captionImages(images, { beamWidth: 2 })));
      expect(b!.map((r) => r.ids)).toEqual(a!.map((r) => r.ids));
    } finally {
      engines.forEach((c) => c.dispose());
    }
  });
});
