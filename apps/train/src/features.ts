import { IMAGE_ERRORS } from '@imgcap/image-io';
import { mkdir, statfs } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { loadImageBatch, RESIZE_RULE, type ImageRecord } from '@imgcap/flickr-dataset';
import type { FeatureExtractor } from '@imgcap/vision-backbone';
import { FeatureCache, type CachePrecision } from './feature-cache.js';

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
const LOOKUPS_AT_ONCE = 32;

export interface FeatureStore {
  readonly featureSize: number;
  /** Features of these images, concatenated in order ([N, T, C] row-major). */
  featuresFor(ids: string[]): Promise<Float32Array>;
  /** Images whose files could not be read or decoded (skipped, with the reason). */
  readonly skipped: { id: string; reason: string }[];
  readonly stats: { extracted: number; cached: number; damaged: number; seconds: number };
}

export interface FeatureStoreOptions {
  precision?: CachePrecision;
  /**
   * Opens the backbone again, to re-extract an entry found damaged when it is read during training (entries are
   * verified when read, not all at start-up). Without it such an entry is an error naming it.
   */
  reopen?: () => Promise<{ source: FeatureSource; close: () => Promise<void> }>;
  /** Keep every image's features in memory when they fit in this many bytes (default 2 GiB). */
  memoryBytes?: number;
  /**
   * What identifies the backbone's weights (a fingerprint of the file), part of the cache's key: two weight files
   * for one backbone id give different features and must not share entries.
   */
  weightsTag?: string;
}

/**
 * Runs the frozen backbone once per image, storing features in the on-disk cache; images already in the cache (same
 * backbone, same file content) cost no backbone work. When every image's features fit in memory they are read (and
 * verified) now; otherwise only the entries' presence is checked, and each is read and verified when a batch needs it.
 */
export async function buildFeatureStore(
  images: readonly ImageRecord[],
  extractor: FeatureSource,
  cacheDir: string,
  log: (message: string) => void,
  options: FeatureStoreOptions = {},
): Promise<FeatureStore> {
  const started = performance.now();
  const featureSize = extractor.featureShape[0] * extractor.featureShape[1];
  const cache = new FeatureCache(
    cacheDir,
    // Features depend on how images were resized too: a cache made with another rule is not reused.
    `${extractor.id}+${RESIZE_RULE}${options.weightsTag ? `+w${options.weightsTag}` : ''}`,
    featureSize,
    (file, reason) => log(`warning: feature cache entry ${file} is damaged (${reason}); extracting it again`),
    options.precision,
  );
  await cache.loadIndex();
  const keepInMemory = images.length * featureSize * 4 <= (options.memoryBytes ?? IN_MEMORY_BYTES);
  const memory = new Map<string, Float32Array>();
  const byId = new Map(images.map((image) => [image.id, image]));
  const paths = new Map(images.map((image) => [image.id, image.path]));
  const remember = (id: string, features: Float32Array) => keepInMemory && memory.set(id, features);
  const lookup = await readCached(images, cache, keepInMemory ? remember : null, log);
  await checkDiskSpace(cache, images.length, lookup.missing.length, log);
  const extraction = await extractMissing(lookup.missing, paths, extractor, cache, remember, log);
  await cache.saveIndex();
  const skipped = [...lookup.skipped, ...extraction.skipped];
  const stats = {
    extracted: extraction.extracted,
    cached: images.length - lookup.missing.length - lookup.skipped.length,
    damaged: cache.damaged,
    seconds: (performance.now() - started) / 1000,
  };
  const repair = (id: string) => repairEntry(byId.get(id)!, cache, options.reopen, log);
  return {
    featureSize,
    skipped,
    stats,
    async featuresFor(ids) {
      const out = new Float32Array(ids.length * featureSize);
      for (const [j, id] of ids.entries()) {
        const features = memory.get(id) ?? (await cache.get(paths.get(id)!)) ?? (await repair(id));
        out.set(features, j * featureSize);
      }
      return out;
    },
  };
}

/** Extracts an image again after its entry was found damaged mid-run (the backbone reopened for it). */
async function repairEntry(
  image: ImageRecord,
  cache: FeatureCache,
  reopen: FeatureStoreOptions['reopen'],
  log: (message: string) => void,
): Promise<Float32Array> {
  if (!reopen)
    throw new Error(
      `no features for image ${image.id}: its feature-cache entry went missing or was damaged during the run`,
    );
  const { source, close } = await reopen();
  try {
    let features: Float32Array | undefined;
    const paths = new Map([[image.id, image.path]]);
    // extractMissing hands over what it stored, so the entry is not read back from disk.
    await extractMissing([image], paths, source, cache, (_id, stored) => (features = stored), log);
    if (!features)
      throw new Error(`no features for image ${image.id}: its cache entry was damaged and extracting it again failed`);
    return features;
  } finally {
    await close();
  }
}

type Skipped = { id: string; reason: string };

/**
 * Splits images into those the cache already holds and those still to extract. With `remember`, cached features are
 * read (and verified) now and handed to it; without, an entry of the right size counts as held.
 */
async function readCached(
  images: readonly ImageRecord[],
  cache: FeatureCache,
  remember: ((id: string, features: Float32Array) => void) | null,
  log: (message: string) => void,
): Promise<{ missing: ImageRecord[]; skipped: Skipped[] }> {
  const missing: ImageRecord[] = [];
  const skipped: Skipped[] = [];
  // The cache key is the file's content: a file listed by the dataset but absent on disk is skipped here,
  // by name, as an unreadable image is (the dataset README promises both).
  const lookUp = (image: ImageRecord) =>
    (remember ? cache.get(image.path) : cache.has(image.path)).catch((error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT'
          ? IMAGE_ERRORS.not_found.code
          : `${IMAGE_ERRORS.unreadable.code} (${error.code ?? error.message})`;
      skipped.push({ id: image.id, reason });
      log(`skipping image ${image.id}: ${reason} (${image.path})`);
      return null;
    });
  // Files are checked LOOKUPS_AT_ONCE at a time: one stat after another waits on the disk 60,000 times for Flickr30k.
  for (let start = 0; start < images.length; start += LOOKUPS_AT_ONCE) {
    const chunk = images.slice(start, start + LOOKUPS_AT_ONCE);
    const results = await Promise.all(chunk.map(lookUp));
    chunk.forEach((image, i) => {
      const found = results[i];
      if (found === null) return;
      if (!found) missing.push(image);
      else if (remember && found instanceof Float32Array) remember(image.id, found);
    });
  }
  return { missing, skipped };
}

/** Says what the cache takes on disk, and stops before extracting when the disk cannot hold the missing entries. */
async function checkDiskSpace(cache: FeatureCache, images: number, missing: number, log: (message: string) => void) {
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  const total = images * cache.entryBytes;
  const needed = missing * cache.entryBytes;
  await mkdir(cache.directory, { recursive: true });
  const { bavail, bsize } = await statfs(cache.directory);
  const free = bavail * bsize;
  log(
    `feature cache: ${images} images × ${(cache.entryBytes / 1024).toFixed(0)} KiB (${cache.precision}) = ${gib(total)} at ` +
      `${cache.directory}; ${missing} to extract (${gib(needed)}), ${gib(free)} free`,
  );
  if (needed > free) {
    throw new Error(
      `not enough disk for the feature cache: ${gib(needed)} to write at ${cache.directory}, ${gib(free)} free. Free space, ` +
        `point --feature_cache at a larger disk${cache.precision === 'float32' ? ', or halve it with --feature_cache_dtype float16' : ''}.`,
    );
  }
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
      remember(image.id, await cache.put(paths.get(image.id)!, one));
      extracted += 1;
    }
    if ((i / EXTRACT_BATCH) % 20 === 19)
      log(`backbone features: ${Math.min(i + EXTRACT_BATCH, missing.length)}/${missing.length} images`);
  }
  return { extracted, skipped };
}
