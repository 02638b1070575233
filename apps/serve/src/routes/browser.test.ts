import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { saveCaptionBundle } from '@imgcap/captioner/bundle';
import { CaptionModel } from '@imgcap/captioner/model';
import { WordTokenizer } from '@imgcap/tokenizer';
import { buildApp } from '../app.js';
import { browserModelFromBundle, type BrowserModelInfo } from '../browser/browser-model.js';
import { useTinyBundle } from '../test-helpers/tiny-bundle.js';

const tiny = useTinyBundle('imgcap-serve-browser-');
let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ browserModel: browserModelFromBundle(tiny.bundle) });
});
afterAll(() => app.close());

describe('GET /browser/model.json', () => {
  it('describes the ONNX export the page runs: image size, search tokens, vocabulary, decoder shape, graph files', async () => {
    const response = await app.inject('/browser/model.json');
    expect(response.statusCode).toBe(200);
    const info = response.json() as BrowserModelInfo;
    expect(info).toMatchObject({
      available: true,
      imageSize: 32,
      maxLength: 9,
      tokens: { start: 2, end: 3, banned: [0, 2, 1] },
      step: { numHeads: 2, headDim: 8, maxLength: 9, gridTokens: 16 },
      gridSize: [4, 4],
      files: { backbone: 'backbone.onnx', encoder: 'encoder.onnx', decoderStep: 'decoder_step.onnx' },
    });
    expect(info.vocabulary.slice(0, 4)).toEqual(['[PAD]', '[UNK]', '[START]', '[END]']);
    expect(info.vocabulary).toContain('circle');
  });

  it('serves exactly the three graphs, as ONNX protobufs', async () => {
    for (const file of ['backbone.onnx', 'encoder.onnx', 'decoder_step.onnx']) {
      const response = await app.inject(`/browser/model/${file}`);
      expect(response.statusCode).toBe(200);
      expect(response.rawPayload.length).toBeGreaterThan(100);
      expect(response.rawPayload.includes(Buffer.from('imgcap'))).toBe(true); // the graph names
    }
    for (const file of ['onnx-manifest.json', '..%2Fmanifest.json', 'tokenizer.json']) {
      expect((await app.inject(`/browser/model/${file}`)).statusCode).toBe(404);
    }
  });

  it('hands browsers an EfficientNet backbone too, converted to ONNX', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgcap-serve-browser-effnet-'));
    try {
      const tokenizer = WordTokenizer.fit(['a dog'], { vocabSize: 8 });
      const model = new CaptionModel({
        vocabSize: tokenizer.vocabSize,
        seqLength: 6,
        embedDim: 8,
        ffDim: 8,
        encHeads: 1,
        decHeads: 1,
        dropout: 0,
        backbone: 'efficientnet-b0@224-random',
        imageSize: 224,
        featureShape: [49, 1280],
      });
      await saveCaptionBundle(join(dir, 'bundle'), { model, tokenizer });
      model.dispose();
      const effnet = await buildApp({ browserModel: browserModelFromBundle(join(dir, 'bundle')) });
      const info = (await effnet.inject('/browser/model.json')).json() as BrowserModelInfo;
      expect(info).toMatchObject({ available: true, imageSize: 224, step: { gridTokens: 49 }, gridSize: [7, 7] });
      const backbone = await effnet.inject('/browser/model/backbone.onnx');
      expect(backbone.statusCode).toBe(200);
      expect(backbone.rawPayload.length).toBeGreaterThan(4_000_000 * 4); // B0's ~4M convolution weights
      await effnet.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('says why when the model cannot be exported', async () => {
    const broken = await buildApp({ browserModel: browserModelFromBundle('/nonexistent/bundle') });
    const info = (await broken.inject('/browser/model.json')).json() as { available: boolean; reason: string };
    expect(info).toEqual({
      available: false,
      reason: expect.stringMatching(/could not be exported to ONNX.*nonexistent/),
    });
    expect((await broken.inject('/browser/model/encoder.onnx')).statusCode).toBe(404);
    await broken.close();
  });

  it('offers nothing when the server has no model for browsers', async () => {
    const bare = await buildApp();
    expect((await bare.inject('/browser/model.json')).json()).toMatchObject({ available: false });
    await bare.close();
  });
});

describe('GET /browser/* scripts', () => {
  it.each([
    ['ort/ort.wasm.min.mjs', 'text/javascript; charset=utf-8'],
    ['ort/ort-wasm-simd-threaded.wasm', 'application/wasm'],
    ['lib/captioner/generation/greedy-search.js', 'text/javascript; charset=utf-8'],
    ['lib/captioner/generation/index.js', 'text/javascript; charset=utf-8'],
    ['lib/onnx-engine/browser.js', 'text/javascript; charset=utf-8'],
    ['lib/onnx-engine/onnx-decoder-session.js', 'text/javascript; charset=utf-8'],
    ['lib/image-io/index.js', 'text/javascript; charset=utf-8'],
    ['lib/image-io/resize.js', 'text/javascript; charset=utf-8'],
    ['browser-captioner.mjs', 'text/javascript; charset=utf-8'],
  ])('serves %s as %s', async (path, type) => {
    const response = await app.inject(`/browser/${path}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.rawPayload.length).toBeGreaterThan(200);
  });

  it('serves only its fixed list of files', async () => {
    for (const path of [
      'ort/ort.node.min.mjs',
      'lib/captioner/index.js',
      '../package.json',
      'lib/captioner/generation/../../package.json',
      'lib/image-io/decode.js', // sharp's side of image-io stays on the server
    ]) {
      expect((await app.inject(`/browser/${path}`)).statusCode).toBe(404);
    }
  });

  it('hands browsers decoding modules that import nothing but each other', async () => {
    for (const path of [
      'lib/captioner/generation/index.js',
      'lib/captioner/generation/greedy-search.js',
      'lib/captioner/generation/beam-search.js',
      'lib/onnx-engine/browser.js',
      'lib/onnx-engine/onnx-decoder-session.js',
      'lib/image-io/index.js',
      'lib/image-io/fit.js',
    ]) {
      const source = (await app.inject(`/browser/${path}`)).body;
      const specifiers = [...source.matchAll(/^(?:import|export) .* from '([^']+)';$/gm)].map((m) => m[1]!);
      expect(source.length).toBeGreaterThan(100);
      expect(specifiers.every((s) => s.startsWith('./'))).toBe(true);
    }
  });
});
