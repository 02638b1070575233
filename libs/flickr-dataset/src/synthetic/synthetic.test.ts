import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captionWords } from '@imgcap/tokenizer';
import { readKarpathy } from '../karpathy.js';
import { loadDataset } from '../load-dataset.js';
import { deriveSeed, mulberry32 } from '../prng.js';
import { generateSyntheticDataset } from './generate.js';
import { describeScene, randomScene } from './scene.js';

const root = await mkdtemp(join(tmpdir(), 'imgcap-syn-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>([['json', await readFile(join(dir, 'dataset_synthetic.json'))]]);
  for (const name of await readdir(join(dir, 'images'))) files.set(name, await readFile(join(dir, 'images', name)));
  return files;
}

describe('synthetic captions', () => {
  const scenes = Array.from({ length: 400 }, (_, i) => {
    const rng = mulberry32(deriveSeed(9, i));
    return describeScene(randomScene(rng), rng);
  });

  it('gives 5 differently worded captions of at most 16 words per image', () => {
    for (const captions of scenes) {
      expect(new Set(captions).size).toBe(5);
      for (const caption of captions) expect(captionWords(caption).length).toBeLessThanOrEqual(16);
    }
  });

  it('keeps the vocabulary under 100 words', () => {
    const vocabulary = new Set(scenes.flat().flatMap(captionWords));
    expect(vocabulary.size).toBeLessThan(100);
    expect(vocabulary).toContain('triangle');
  });
});

describe('generateSyntheticDataset', () => {
  it('is deterministic from the seed: identical JSON and image bytes', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((name) => join(root, name));
    await generateSyntheticDataset({ dir: a, images: 10, seed: 3, imageSize: 32 });
    await generateSyntheticDataset({ dir: b, images: 10, seed: 3, imageSize: 32 });
    await generateSyntheticDataset({ dir: c, images: 10, seed: 4, imageSize: 32 });
    const [sa, sb, sc] = await Promise.all([snapshot(a), snapshot(b), snapshot(c)]);
    expect(sa.size).toBe(11);
    expect(sb).toEqual(sa);
    expect(sc.get('json')).not.toEqual(sa.get('json'));
  });

  it('writes a Karpathy file that readKarpathy loads, split by image', async () => {
    const dir = join(root, 'k');
    const { jsonPath, imagesDir } = await generateSyntheticDataset({ dir, images: 20, seed: 1, imageSize: 32 });
    const dataset = await readKarpathy(jsonPath, imagesDir);
    expect(dataset.images).toHaveLength(20);
    expect(dataset.images.filter((i) => i.split === 'train')).toHaveLength(16);
    expect(dataset.images.every((i) => i.captions.length === 5)).toBe(true);
    const bytes = await readFile(dataset.images[0].path);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]); // JPEG
  });

  it('loadDataset generates into an empty dataDir once, then reuses it', async () => {
    const dir = join(root, 'auto');
    const first = await loadDataset({ dataset: 'synthetic', dataDir: dir, maxImages: 5 });
    expect(first.report.images).toBe(5);
    const before = (await readFile(join(dir, 'dataset_synthetic.json'))).length;
    const second = await loadDataset({ dataset: 'synthetic', dataDir: dir, maxImages: 5 });
    expect(second.dataset.images).toEqual(first.dataset.images);
    expect((await readFile(join(dir, 'dataset_synthetic.json'))).length).toBe(before);
  }, 120_000);
});
