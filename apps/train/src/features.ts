import * as tf from '@tensorflow/tfjs-core';
import { loadImageBatch, type ImageRecord } from '@imgcap/flickr-dataset';
import type { FeatureExtractor } from '@imgcap/vision-backbone';
import { FeatureCache } from './feature-cache.js';

/** What buildFeatureStore runs images through: the tfjs extractor, or @imgcap/onnx-engine's on ONNX Runtime. */
export interface FeatureSource {
  /** backboneId: the feature cache's key (both engines give the same features, within float rounding). */
  readonly id: string;
  readonly imageSize: number;
  readonly featureShape: [number, number];
  /** `count` images, row-major [count, S, S, 3] RGB 0..255 → features [count, T, C]. */
  features(pixels: Float32Array, count: number): Promise<Float32Array>;
}

/** A tfjs FeatureExtractor as a FeatureSource (leak-free: the tensors live for one call). */
export function tfjsFeatureSource(extractor: FeatureExtractor): FeatureSource {
  const size = extractor.imageSize;
  return {
    id: extractor.id,
    imageSize: size,
    featureShape: extractor.featureShape,
    async features(pixels, count) {
      const features = tf.tidy(() => extractor.extract(tf.tensor4d(pixels, [count, size, size, 3])));
      try {
        return (await features.data()) as Float32Array;
      } finally {
        features.dispose();
      }
    },
  };
}

/** Keep every image's features in memory when they fit in this budget; else read from the cache per batch. */
const IN_MEMORY_BYTES = 2 * 1024 ** 3;
const EXTRACT_BATCH = 16;

export interface FeatureStore {
  readonly featureSize: number;
  /** Features of these images, concatenated in order ([N, T, C] row-major). */
  featuresFor(ids: string[]): Promise<Float32Array>;
  /** Images whose files could not be read or decoded (skipped, with the reason). */
  readonly skipped: { id: string; reason: string }[];
  readonly stats: { extracted: number; cached: number; damaged: number; seconds: number };
}

/**
 * Runs the frozen backbone once per image, storing features in the on-disk cache; images already in
 * the cache (same backbone, same file content) cost no backbone work.
 */
export async function buildFeatureStore(
  images: readonly ImageRecord[],
  extractor: FeatureSource,
  cacheDir: string,
  log: (message: string) => void,
): Promise<FeatureStore> {
  const started = performance.now();
  const featureSize = extractor.featureShape[0] * extractor.featureShape[1];
  const cache = new FeatureCache(cacheDir, extractor.id, featureSize, (file, reason) =>
    log(`warning: feature cache entry ${file} is damaged (${reason}); extracting it again`),
  );
  const keepInMemory = images.length * featureSize * 4 <= IN_MEMORY_BYTES;
  const memory = new Map<string, Float32Array>();
  const paths = new Map(images.map((image) => [image.id, image.path]));
  const remember = (id: string, features: Float32Array) => keepInMemory && memory.set(id, features);
  const lookup = await readCached(images, cache, remember, log);
  const extraction = await extractMissing(lookup.missing, paths, extractor, cache, remember, log);
  const skipped = [...lookup.skipped, ...extraction.skipped];
  const stats = {
    extracted: extraction.extracted,
    cached: images.length - lookup.missing.length - lookup.skipped.length,
    damaged: cache.damaged,
    seconds: (performance.now() - started) / 1000,
  };
  return {
    featureSize,
    skipped,
    stats,
    async featuresFor(ids) {
      const out = new Float32Array(ids.length * featureSize);
      for (const [j, id] of ids.entries()) {
        const features = memory.get(id) ?? (await cache.get(paths.get(id)!));
        if (!features)
          throw new Error(
            `no features for image ${id}: its feature-cache entry went missing or was damaged during the run`,
          );
        out.set(features, j * featureSize);
      }
      return out;
    },
  };
}

type Skipped = { id: string; reason: string };

/** Splits images into those the cache already holds (handed to `remember`) and those still to extract. */
async function readCached(
  images: readonly ImageRecord[],
  cache: FeatureCache,
  remember: (id: string, features: Float32Array) => void,
  log: (message: string) => void,
): Promise<{ missing: ImageRecord[]; skipped: Skipped[] }> {
  const missing: ImageRecord[] = [];
  const skipped: Skipped[] = [];
  for (const image of images) {
    // The cache key is the file's content: a file listed by the dataset but absent on disk is skipped here,
    // by name, as an unreadable image is (the dataset README promises both).
    const features = await cache.get(image.path).catch((error: NodeJS.ErrnoException) => {
      skipped.push({
        id: image.id,
        reason: error.code === 'ENOENT' ? 'not_found' : `unreadable (${error.code ?? error.message})`,
      });
      log(`skipping image ${image.id}: ${skipped.at(-1)!.reason} (${image.path})`);
      return null;
    });
    if (features === null) continue;
    if (!features) missing.push(image);
    else remember(image.id, features);
  }
  return { missing, skipped };
}

/** Runs the backbone over `missing` in batches, storing each image's features in the cache. */
async function extractMissing(
  missing: readonly ImageRecord[],
  paths: ReadonlyMap<string, string>,
  extractor: FeatureSource,
  cache: FeatureCache,
  remember: (id: string, features: Float32Array) => void,
  log: (message: string) => void,
): Promise<{ extracted: number; skipped: Skipped[] }> {
  const size = extractor.imageSize;
  const featureSize = extractor.featureShape[0] * extractor.featureShape[1];
  const skipped: Skipped[] = [];
  let extracted = 0;
  for (let i = 0; i < missing.length; i += EXTRACT_BATCH) {
    const batch = await loadImageBatch(missing.slice(i, i + EXTRACT_BATCH), size, {
      onWarning: (message) => log(message),
    });
    skipped.push(...batch.skipped);
    if (batch.images.length === 0) continue;
    const pixels = new Float32Array(batch.images.length * size * size * 3);
    batch.images.forEach((image, j) => pixels.set(image.data, j * size * size * 3));
    const values = await extractor.features(pixels, batch.images.length);
    for (const [j, image] of batch.images.entries()) {
      const one = values.slice(j * featureSize, (j + 1) * featureSize);
      await cache.put(paths.get(image.id)!, one);
      remember(image.id, one);
      extracted += 1;
    }
    if ((i / EXTRACT_BATCH) % 20 === 19)
      log(`backbone features: ${Math.min(i + EXTRACT_BATCH, missing.length)}/${missing.length} images`);
  }
  return { extracted, skipped };
}
