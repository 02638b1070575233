import { join, resolve } from 'node:path';
import { DatasetFormatError } from './errors.js';
import { readTextFile } from './text-files.js';
import { SPLITS, type Dataset, type ImageRecord, type Split } from './types.js';

/** One entry of a Karpathy split file (`dataset_flickr30k.json`, `dataset_coco.json`, …). */
export interface KarpathyImage {
  filename: string;
  imgid: number;
  split: Split | 'restval';
  sentids: number[];
  sentences: { raw: string; tokens: string[]; imgid: number; sentid: number }[];
  /** COCO only: the folder under the images dir, e.g. `val2014`. */
  filepath?: string;
}

export interface KarpathyFile {
  images: KarpathyImage[];
  dataset: string;
}

async function readKarpathyFile(jsonPath: string): Promise<KarpathyFile> {
  const text = await readTextFile(jsonPath);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // Newer V8 messages quote a snippet of the input; keep the error message on one line.
    const message = (error as Error).message.replace(/\s+/g, ' ');
    const position = /position (\d+)/.exec(message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
    throw new DatasetFormatError(jsonPath, `invalid JSON (${message})`, line);
  }
  const images = (data as Partial<KarpathyFile> | null)?.images;
  if (!Array.isArray(images)) throw new DatasetFormatError(jsonPath, "expected an object with an 'images' array");
  images.forEach((image: Partial<KarpathyImage>, i) => validateImage(image, i, jsonPath));
  return data as KarpathyFile;
}

function validateImage(image: Partial<KarpathyImage>, index: number, jsonPath: string): void {
  const where = `images[${index}]`;
  if (typeof image?.filename !== 'string' || image.filename === '') {
    throw new DatasetFormatError(jsonPath, `${where}.filename must be a non-empty string`);
  }
  if (![...SPLITS, 'restval'].includes(image.split as string)) {
    throw new DatasetFormatError(
      jsonPath,
      `${where}.split must be one of train, val, test, restval, got ${JSON.stringify(image.split)} (${image.filename})`,
    );
  }
  if (!Array.isArray(image.sentences))
    throw new DatasetFormatError(jsonPath, `${where}.sentences must be an array (${image.filename})`);
}

// COCO's `restval` images are the extra training images of the Karpathy split: treat them as train.
function splitOf(image: KarpathyImage): Split {
  return image.split === 'restval' ? 'train' : image.split;
}

function captionOf(sentence: KarpathyImage['sentences'][number]): string {
  return typeof sentence.raw === 'string' && sentence.raw.trim() !== ''
    ? sentence.raw.trim()
    : (sentence.tokens ?? []).join(' ');
}

/** Split membership from a Karpathy file, keyed by file name (restval → train). */
export async function readKarpathySplits(jsonPath: string): Promise<Map<string, Split>> {
  const file = await readKarpathyFile(jsonPath);
  return new Map(file.images.map((image) => [image.filename, splitOf(image)]));
}

/** Reads a Karpathy split file; images live in `imagesDir` (COCO: `imagesDir/<filepath>/`). */
export async function readKarpathy(jsonPath: string, imagesDir: string): Promise<Dataset> {
  const file = await readKarpathyFile(jsonPath);
  const root = resolve(imagesDir);
  const images: ImageRecord[] = file.images.map((image) => ({
    id: image.filename,
    path: join(root, image.filepath ?? '', image.filename),
    split: splitOf(image),
    captions: image.sentences.map(captionOf).filter((caption) => caption !== ''),
  }));
  return { name: file.dataset ?? 'karpathy', images, splitSource: 'file', recoveredRows: 0, unsplitImages: 0 };
}
