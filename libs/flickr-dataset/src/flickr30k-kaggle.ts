import { join } from 'node:path';
import { addCaption, buildDataset, type CaptionTable } from './build-dataset.js';
import { DatasetFormatError } from './errors.js';
import { readKarpathySplits } from './karpathy.js';
import { readTextFile, requireDirectory, splitLines } from './text-files.js';
import type { Dataset, SplitFractions } from './types.js';

export interface SplitOptions {
  /** Karpathy split JSON whose split membership is used as given. */
  splitFile?: string;
  seed?: number;
  splitFractions?: SplitFractions;
}

const HEADER = /^image_name\|\s*comment_number\|\s*comment\s*$/;
// The real file has one row without its second pipe: `2199200615.jpg| 4   A dog runs across the grass .`
const MISSING_SECOND_PIPE = /^\s*(\d+)\s+(\S.*)$/;

interface ParsedCsv {
  table: CaptionTable;
  recoveredRows: number;
}

/** Parses the Kaggle Flickr30k `results.csv` (pipe-separated, pre-tokenized captions). */
export function parseKaggleResults(text: string, file: string): ParsedCsv {
  const lines = splitLines(text);
  if (!HEADER.test(lines[0] ?? '')) {
    throw new DatasetFormatError(
      file,
      `expected header 'image_name| comment_number| comment', got ${JSON.stringify(lines[0] ?? '')}`,
      1,
    );
  }
  const table: CaptionTable = new Map();
  let recoveredRows = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const [imageId, ...rest] = line.split('|');
    let caption: string | undefined;
    if (rest.length >= 2 && /^\s*\d+\s*$/.test(rest[0])) {
      caption = rest.slice(1).join('|').trim(); // a caption may itself hold a pipe
    } else if (rest.length === 1) {
      caption = MISSING_SECOND_PIPE.exec(rest[0])?.[2]?.trim();
      if (caption) recoveredRows++;
    }
    if (!caption || imageId.trim() === '') {
      throw new DatasetFormatError(
        file,
        `expected 'image_name| comment_number| comment', got ${JSON.stringify(line)}`,
        i + 1,
      );
    }
    addCaption(table, imageId.trim(), caption);
  }
  return { table, recoveredRows };
}

/** Reads `<dir>/results.csv` with images in `<dir>/flickr30k_images/` (the Kaggle layout). */
export async function readFlickr30kKaggle(dir: string, options: SplitOptions = {}): Promise<Dataset> {
  const file = join(dir, 'results.csv');
  const imagesDir = join(dir, 'flickr30k_images');
  const { table, recoveredRows } = parseKaggleResults(await readTextFile(file), file);
  await requireDirectory(imagesDir);
  const splits = options.splitFile ? await readKarpathySplits(options.splitFile) : undefined;
  return buildDataset(table, { ...options, name: 'flickr30k', imagesDir, splits, recoveredRows });
}
