import { join } from 'node:path';
import { addCaption, buildDataset, type CaptionTable } from './build-dataset.js';
import { DatasetFormatError } from './errors.js';
import type { SplitOptions } from './flickr30k-kaggle.js';
import { exists, readTextFile, splitLines } from './text-files.js';
import type { Dataset, Split } from './types.js';

const TOKEN_FILE = 'Flickr8k.token.txt';
// The dev list is Flickr8k's validation split.
const SPLIT_FILES: [Split, string][] = [
  ['train', 'Flickr_8k.trainImages.txt'],
  ['val', 'Flickr_8k.devImages.txt'],
  ['test', 'Flickr_8k.testImages.txt'],
];
// The original archive says `Flicker8k_Dataset` (sic); the Kaggle copy says `Images`.
const IMAGE_DIRS = ['Flicker8k_Dataset', 'Images'];
const TOKEN_LINE = /^([^#\t]+)#(\d+)\t(.*)$/;

export function parseFlickr8kTokens(text: string, file: string): CaptionTable {
  const table: CaptionTable = new Map();
  splitLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const match = TOKEN_LINE.exec(line);
    const caption = match?.[3].trim();
    if (!match || !caption) {
      throw new DatasetFormatError(file, `expected 'IMAGE.jpg#N<TAB>caption', got ${JSON.stringify(line)}`, i + 1);
    }
    addCaption(table, match[1].trim(), caption);
  });
  return table;
}

async function readSplitLists(dir: string): Promise<Map<string, Split> | undefined> {
  const present = await Promise.all(SPLIT_FILES.map(([, name]) => exists(join(dir, name))));
  if (!present.some(Boolean)) return undefined;
  const splits = new Map<string, Split>();
  for (const [split, name] of SPLIT_FILES) {
    // If any list exists, all three must: a missing one would silently empty a split.
    for (const line of splitLines(await readTextFile(join(dir, name)))) {
      if (line.trim() !== '') splits.set(line.trim(), split);
    }
  }
  return splits;
}

/**
 * Reads Flickr8k from `dir`: `Flickr8k.token.txt`, the three `Flickr_8k.*Images.txt` lists (dev → val;
 * without any list, the seeded split-by-image is used) and images in `Flicker8k_Dataset/` or `Images/`.
 */
export async function readFlickr8k(dir: string, options: Omit<SplitOptions, 'splitFile'> = {}): Promise<Dataset> {
  const tokenFile = join(dir, TOKEN_FILE);
  const table = parseFlickr8kTokens(await readTextFile(tokenFile), tokenFile);
  let imagesDir: string | undefined;
  for (const name of IMAGE_DIRS) if (!imagesDir && (await exists(join(dir, name)))) imagesDir = join(dir, name);
  if (!imagesDir) throw new DatasetFormatError(join(dir, IMAGE_DIRS[0]), `not found (nor ${IMAGE_DIRS[1]}/)`);
  return buildDataset(table, { ...options, name: 'flickr8k', imagesDir, splits: await readSplitLists(dir) });
}
