import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetFormatError } from './errors.js';
import { readFlickr30kKaggle } from './flickr30k-kaggle.js';
import { readFlickr8k } from './flickr8k.js';
import { readKarpathy } from './karpathy.js';
import { deriveSeed, mulberry32, shuffleInPlace } from './prng.js';
import { DEFAULT_SPLIT_FRACTIONS, validateSplitFractions } from './split.js';
import { SYNTHETIC_IMAGES_DIR, SYNTHETIC_JSON, generateSyntheticDataset } from './synthetic/generate.js';
import { exists, requireDirectory } from './text-files.js';
import { SPLITS, type Dataset, type Split, type SplitFractions } from './types.js';

export const DATASET_KINDS = ['flickr30k', 'flickr8k', 'karpathy', 'synthetic'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export interface LoadDatasetOptions {
  dataset: DatasetKind;
  dataDir: string;
  /** Karpathy split JSON: for flickr30k, split membership; for karpathy, the file to read. */
  splitFile?: string;
  /** Seeds the split-by-image (when no split file) and the `maxImages` subset. Default 1. */
  seed?: number;
  splitFractions?: SplitFractions;
  /** Keep a seeded random subset of this many images (quick runs). */
  maxImages?: number;
}

export interface DatasetReport {
  images: number;
  captions: number;
  splits: Record<Split, number>;
  captionsPerSplit: Record<Split, number>;
  recoveredRows: number;
  unsplitImages: number;
  splitSource: Dataset['splitSource'];
}

export interface LoadedDataset {
  dataset: Dataset;
  report: DatasetReport;
}

function validateLoadOptions(options: LoadDatasetOptions): void {
  if (!DATASET_KINDS.includes(options.dataset)) {
    throw new RangeError(`dataset must be one of ${DATASET_KINDS.join(', ')}, got ${JSON.stringify(options.dataset)}`);
  }
  if (options.maxImages !== undefined && (!Number.isInteger(options.maxImages) || options.maxImages < 1)) {
    throw new RangeError(`maxImages must be an integer >= 1, got ${options.maxImages}`);
  }
  validateSplitFractions(options.splitFractions ?? DEFAULT_SPLIT_FRACTIONS);
}

/** The Karpathy file to read: `splitFile`, else the only `dataset_*.json` in `dataDir`. */
async function findKarpathyFile(dataDir: string, splitFile?: string): Promise<string> {
  if (splitFile) return splitFile;
  await requireDirectory(dataDir);
  const candidates = (await readdir(dataDir)).filter((name) => /^dataset_.*\.json$/.test(name));
  if (candidates.length !== 1) {
    throw new DatasetFormatError(
      dataDir,
      `expected exactly one dataset_*.json (or pass splitFile), found ${candidates.length}`,
    );
  }
  return join(dataDir, candidates[0]);
}

// Karpathy images: `<dataDir>/flickr30k_images/` (Kaggle layout), else `<dataDir>/images/`, else dataDir itself.
async function karpathyImagesDir(dataDir: string): Promise<string> {
  for (const name of ['flickr30k_images', 'images']) if (await exists(join(dataDir, name))) return join(dataDir, name);
  return dataDir;
}

/** Where each dataset comes from, added to a "not found" error (docs/datasets.md has the whole story). */
const WHERE_TO_GET: Record<string, string> = {
  flickr30k:
    'Flickr30k: download the Kaggle dataset "flickr-image-dataset" (hsankesara) and unzip it so that ' +
    '<data_dir>/results.csv and <data_dir>/flickr30k_images/*.jpg exist; see docs/datasets.md',
  flickr8k:
    'Flickr8k: <data_dir>/Flickr8k.token.txt, the Flickr_8k.*Images.txt lists and <data_dir>/Flicker8k_Dataset/*.jpg; see docs/datasets.md',
  karpathy:
    "Karpathy splits: dataset_flickr30k.json (or _flickr8k, _coco) from Karpathy's caption_datasets.zip beside the images; see docs/datasets.md",
};

async function readDataset(options: LoadDatasetOptions): Promise<Dataset> {
  try {
    return await readDatasetFiles(options);
  } catch (error) {
    const hint = WHERE_TO_GET[options.dataset];
    if (error instanceof DatasetFormatError && error.detail === 'not found' && hint) {
      throw new DatasetFormatError(error.file, `not found. ${hint}`, error.line);
    }
    throw error;
  }
}

async function readDatasetFiles(options: LoadDatasetOptions): Promise<Dataset> {
  const { dataDir, seed = 1 } = options;
  switch (options.dataset) {
    case 'flickr30k':
      return readFlickr30kKaggle(dataDir, options);
    case 'flickr8k':
      return readFlickr8k(dataDir, options);
    case 'karpathy':
      return readKarpathy(await findKarpathyFile(dataDir, options.splitFile), await karpathyImagesDir(dataDir));
    case 'synthetic':
      if (!(await exists(join(dataDir, SYNTHETIC_JSON)))) await generateSyntheticDataset({ dir: dataDir, seed });
      return readKarpathy(join(dataDir, SYNTHETIC_JSON), join(dataDir, SYNTHETIC_IMAGES_DIR));
  }
}

/** A seeded random subset, kept in file order; splits shrink in proportion on average. */
function subsample(dataset: Dataset, maxImages: number, seed: number): Dataset {
  if (dataset.images.length <= maxImages) return dataset;
  const keep = new Set(
    shuffleInPlace([...dataset.images.keys()], mulberry32(deriveSeed(seed, 0x5eed))).slice(0, maxImages),
  );
  return { ...dataset, images: dataset.images.filter((_, i) => keep.has(i)) };
}

export function describeDataset(dataset: Dataset): DatasetReport {
  const splits = Object.fromEntries(SPLITS.map((s) => [s, 0])) as Record<Split, number>;
  const captionsPerSplit = { ...splits };
  for (const image of dataset.images) {
    splits[image.split]++;
    captionsPerSplit[image.split] += image.captions.length;
  }
  return {
    images: dataset.images.length,
    captions: SPLITS.reduce((sum, s) => sum + captionsPerSplit[s], 0),
    splits,
    captionsPerSplit,
    recoveredRows: dataset.recoveredRows,
    unsplitImages: dataset.unsplitImages,
    splitSource: dataset.splitSource,
  };
}

/** Reads (or, for `synthetic`, generates once then reuses) a dataset and reports what it holds. */
export async function loadDataset(options: LoadDatasetOptions): Promise<LoadedDataset> {
  validateLoadOptions(options);
  const full = await readDataset(options);
  const dataset = options.maxImages === undefined ? full : subsample(full, options.maxImages, options.seed ?? 1);
  return { dataset, report: describeDataset(dataset) };
}
