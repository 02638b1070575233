export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** One image and its reference captions. `id` is the file name, `path` is absolute. */
export interface ImageRecord {
  id: string;
  path: string;
  split: Split;
  captions: string[];
}

export interface Dataset {
  name: string;
  images: ImageRecord[];
  /** Where split membership came from: a split file, or the seeded split-by-image. */
  splitSource: 'file' | 'seeded';
  /** Rows that were malformed but recovered (the Kaggle CSV's row without its second pipe). */
  recoveredRows: number;
  /** Images that have captions but are not listed in the split file, so they were left out. */
  unsplitImages: number;
}

/** Fractions of images per split; they must sum to 1. */
export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}
