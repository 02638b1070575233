import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticDataset, type ImageRecord } from '@imgcap/flickr-dataset';
import { selectBackend } from '@imgcap/tf-runtime';
import type { BackboneSpec } from '@imgcap/vision-backbone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFeatureSource, resolveFeatureEngine } from './feature-engine.js';
import { buildFeatureStore } from './features.js';

let root: string;
let images: ImageRecord[];
beforeAll(async () => {
  await selectBackend({ backend: 'wasm', log: () => {} });
  root = await mkdtemp(join(tmpdir(), 'imgcap-feature-engine-'));
  const { imagesDir } = await generateSyntheticDataset({ dir: join(root, 'data'), images: 6, seed: 5 });
  images = (await readdir(imagesDir))
    .sort()
    .map((file) => ({ id: file, path: join(imagesDir, file), split: 'train' as const, captions: [] }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('resolveFeatureEngine', () => {
  const efficientnet: BackboneSpec = { kind: 'efficientnet', variant: 'b1' };
  const patch: BackboneSpec = { kind: 'patch', patchSize: 16, imageSize: 64 };
  it('picks ONNX Runtime for EfficientNet without a native tfjs backend, and honours an explicit choice', () => {
    expect(resolveFeatureEngine('auto', efficientnet, 'wasm')).toBe('onnx');
    expect(resolveFeatureEngine('auto', efficientnet, 'cpu')).toBe('onnx');
    expect(resolveFeatureEngine('auto', efficientnet, 'tensorflow')).toBe('tfjs');
    expect(resolveFeatureEngine('auto', patch, 'wasm')).toBe('tfjs');
    expect(resolveFeatureEngine('tfjs', efficientnet, 'wasm')).toBe('tfjs');
    expect(resolveFeatureEngine('onnx', patch, 'tensorflow')).toBe('onnx');
  });
});

describe('buildFeatureStore on either engine', () => {
  it('caches the same EfficientNet features from ONNX Runtime as from tfjs', async () => {
    const spec: BackboneSpec = { kind: 'efficientnet', variant: 'b0', imageSize: 64 };
    const stores = [];
    for (const engine of ['tfjs', 'onnx'] as const) {
      const { source, close } = await openFeatureSource(engine, spec);
      // Separate caches, so each engine really extracts.
      stores.push(await buildFeatureStore(images, source, join(root, `cache-${engine}`), () => {}).finally(close));
    }
    const [tfjs, onnx] = stores as [
      Awaited<ReturnType<typeof buildFeatureStore>>,
      Awaited<ReturnType<typeof buildFeatureStore>>,
    ];
    expect(onnx.stats.extracted).toBe(images.length);
    const ids = images.map((image) => image.id);
    const [expected, actual] = [await tfjs.featuresFor(ids), await onnx.featuresFor(ids)];
    expect(actual.length).toBe(expected.length);
    const scale = Math.max(...Array.from(expected, Math.abs));
    const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i]!)));
    expect(scale).toBeGreaterThan(0);
    expect(worst / scale).toBeLessThan(1e-4);
  }, 60_000);
});

describe('buildFeatureStore on a dataset larger than memory', () => {
  it('starts from the cache without reading it, and re-extracts an entry found damaged mid-run', async () => {
    const spec: BackboneSpec = { kind: 'patch', patchSize: 16, imageSize: 32 };
    const cacheDir = join(root, 'lazy-cache');
    const open = () => openFeatureSource('tfjs', spec);
    const first = await open();
    const built = await buildFeatureStore(images, first.source, cacheDir, () => {}, { memoryBytes: 0 });
    const expected = await built.featuresFor(images.map((image) => image.id));
    await first.close();

    // Damage one entry; a second run counts it as held (right size) and finds it damaged only when reading it.
    const files = (await readdir(cacheDir, { recursive: true })).filter((f) => f.endsWith('.f32'));
    const victim = join(cacheDir, files[0]!);
    await writeFile(victim, Buffer.alloc((await readFile(victim)).length, 9));
    const logs: string[] = [];
    let reopened = 0;
    const second = await open();
    const store = await buildFeatureStore(images, second.source, cacheDir, (line) => logs.push(line), {
      memoryBytes: 0,
      reopen: async () => (reopened++, open()),
    });
    await second.close();
    expect(store.stats).toMatchObject({ extracted: 0, cached: images.length, damaged: 0 });
    expect(logs.join('\n')).toMatch(/feature cache: 6 images × \d+ KiB \(float32\) = [\d.]+ GiB at .*; 0 to extract/);
    expect(await store.featuresFor(images.map((image) => image.id))).toEqual(expected);
    expect(reopened).toBe(1);
    expect(logs.join('\n')).toMatch(
      /is damaged \(not a feature-cache entry \(or an older format\)\); extracting it again/,
    );
  });
});
