import { join, resolve } from 'node:path';
import { DEFAULT_SPLIT_FRACTIONS, assignSplitsByImage } from './split.js';
import type { Dataset, ImageRecord, Split, SplitFractions } from './types.js';

/** Image id → captions in file order; Map order is the order images first appeared. */
export type CaptionTable = Map<string, string[]>;

export function addCaption(table: CaptionTable, imageId: string, caption: string): void {
  const captions = table.get(imageId);
  if (captions) captions.push(caption);
  else table.set(imageId, [caption]);
}

export interface BuildOptions {
  name: string;
  imagesDir: string;
  /** Split membership from a split file; without it images are split by the seeded split-by-image. */
  splits?: Map<string, Split>;
  seed?: number;
  splitFractions?: SplitFractions;
  recoveredRows?: number;
}

/** Turns a caption table into a Dataset; with `splits`, images missing from it are counted and left out. */
export function buildDataset(table: CaptionTable, options: BuildOptions): Dataset {
  const imagesDir = resolve(options.imagesDir);
  const splits =
    options.splits ??
    assignSplitsByImage([...table.keys()], options.seed ?? 1, options.splitFractions ?? DEFAULT_SPLIT_FRACTIONS);
  const images: ImageRecord[] = [];
  let unsplitImages = 0;
  for (const [id, captions] of table) {
    const split = splits.get(id);
    if (split === undefined) unsplitImages++;
    else images.push({ id, path: join(imagesDir, id), split, captions });
  }
  return {
    name: options.name,
    images,
    splitSource: options.splits ? 'file' : 'seeded',
    recoveredRows: options.recoveredRows ?? 0,
    unsplitImages,
  };
}
