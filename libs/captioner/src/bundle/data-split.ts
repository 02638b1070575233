import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `data-split.json` in a bundle: which images the model trained on and which were held out. */
export const DATA_SPLIT_FILE = 'data-split.json';

/**
 * Exactly which images a model saw: eval scores the model's own held-out images by default and refuses to score
 * its training images as if they were unseen (a split recomputed with another seed would mix them in).
 */
export interface DataSplitRecord {
  /** The dataset kind it was trained on (`flickr30k`, `karpathy`…). */
  dataset: string;
  /** Where membership came from: a split file, or the seeded split-by-image. */
  source: 'file' | 'seeded';
  /** The seed of the split-by-image (null with a split file). */
  seed: number | null;
  splitFile: string | null;
  /** Image ids per split, sorted. */
  images: { train: string[]; val: string[]; test: string[] };
}

export async function writeDataSplit(dir: string, record: DataSplitRecord): Promise<void> {
  await writeFile(join(dir, DATA_SPLIT_FILE), `${JSON.stringify(record)}\n`);
}

/** The bundle's recorded split, or null for bundles written before splits were recorded (or imported ones). */
export async function readBundleDataSplit(dir: string): Promise<DataSplitRecord | null> {
  const file = join(dir, DATA_SPLIT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let record: Partial<DataSplitRecord>;
  try {
    record = JSON.parse(text) as Partial<DataSplitRecord>;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const lists = record.images;
  if (
    typeof record.dataset !== 'string' ||
    !lists ||
    !(['train', 'val', 'test'] as const).every((s) => Array.isArray(lists[s]))
  ) {
    throw new Error(`${file}: expected { dataset, source, seed, splitFile, images: { train, val, test } }`);
  }
  return record as DataSplitRecord;
}
