import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import sharp from 'sharp';
import { captionWords } from '@imgcap/tokenizer';
import type { KarpathyFile, KarpathyImage } from '../karpathy.js';
import { deriveSeed, mulberry32 } from '../prng.js';
import { assignSplitsByImage } from '../split.js';
import { describeScene, randomScene } from './scene.js';
import { sceneToSvg } from './render.js';

export const SYNTHETIC_JSON = 'dataset_synthetic.json';
export const SYNTHETIC_IMAGES_DIR = 'images';
const SYNTHETIC_SPLIT = { train: 0.8, val: 0.1, test: 0.1 };
const RENDER_CONCURRENCY = 4;

export interface SyntheticOptions {
  dir: string;
  images?: number;
  seed?: number;
  imageSize?: number;
}

export interface SyntheticResult {
  jsonPath: string;
  imagesDir: string;
  images: number;
}

interface SyntheticImage {
  filename: string;
  captions: string[];
  jpeg: Buffer;
}

async function renderImage(index: number, seed: number, imageSize: number): Promise<SyntheticImage> {
  // One generator per image: the result for image i does not depend on render order or concurrency.
  const rng = mulberry32(deriveSeed(seed, index));
  const scene = randomScene(rng);
  const captions = describeScene(scene, rng);
  const jpeg = await sharp(Buffer.from(sceneToSvg(scene, imageSize, rng)))
    .jpeg({ quality: 90 })
    .toBuffer();
  return { filename: `synthetic_${String(index).padStart(6, '0')}.jpg`, captions, jpeg };
}

function validateSyntheticOptions(images: number, imageSize: number): void {
  if (!Number.isInteger(images) || images < 1) throw new RangeError(`images must be an integer >= 1, got ${images}`);
  if (!Number.isInteger(imageSize) || imageSize < 16)
    throw new RangeError(`imageSize must be an integer >= 16, got ${imageSize}`);
}

/**
 * Writes `images` JPEG scenes of 1–3 coloured shapes to `<dir>/images/` and `<dir>/dataset_synthetic.json`
 * (Karpathy format, 80/10/10 split by image). Same options → identical JSON and identical image bytes.
 */
export async function generateSyntheticDataset({
  dir,
  images = 2000,
  seed = 1,
  imageSize = 128,
}: SyntheticOptions): Promise<SyntheticResult> {
  validateSyntheticOptions(images, imageSize);
  const imagesDir = join(dir, SYNTHETIC_IMAGES_DIR);
  await mkdir(imagesDir, { recursive: true });
  const entries: KarpathyImage[] = [];
  for (let start = 0; start < images; start += RENDER_CONCURRENCY) {
    const indices = [...Array(Math.min(RENDER_CONCURRENCY, images - start)).keys()].map((k) => start + k);
    const rendered = await Promise.all(indices.map((i) => renderImage(i, seed, imageSize)));
    for (const [k, image] of rendered.entries()) {
      await writeFile(join(imagesDir, image.filename), image.jpeg);
      const imgid = start + k;
      const sentences = image.captions.map((raw, s) => ({
        raw,
        tokens: captionWords(raw),
        imgid,
        sentid: imgid * 5 + s,
      }));
      entries.push({
        filename: image.filename,
        imgid,
        split: 'train',
        sentids: sentences.map((s) => s.sentid),
        sentences,
      });
    }
  }
  const splits = assignSplitsByImage(
    entries.map((e) => e.filename),
    seed,
    SYNTHETIC_SPLIT,
  );
  for (const entry of entries) entry.split = splits.get(entry.filename) ?? 'train';
  const file: KarpathyFile = { images: entries, dataset: 'synthetic' };
  // The JSON is written last and atomically: its presence means the image files are complete.
  const jsonPath = join(dir, SYNTHETIC_JSON);
  await writeFileAtomic(jsonPath, JSON.stringify(file));
  return { jsonPath, imagesDir, images };
}
