import { join } from 'node:path';
import { addCaption, buildDataset, type CaptionTable } from './build-dataset.js';
import { DatasetFormatError } from './errors.js';
import { readKarpathySplits } from './karpathy.js';
import { readLines, requireDirectory, splitLines } from './text-files.js';
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

/**
 * The Kaggle Flickr30k `results.csv` (pipe-separated, pre-tokenized captions), parsed one line at a time so the file
 * never has to fit in one string (V8 caps a string at ~512 MB: a million-image file is ~580 MB).
 */
class KaggleResultsParser {
  readonly table: CaptionTable = new Map();
  recoveredRows = 0;
  private lineNumber = 0;

  constructor(private readonly file: string) {}

  push(line: string): void {
    this.lineNumber++;
    if (this.lineNumber === 1) {
      if (!HEADER.test(line)) {
        throw new DatasetFormatError(
          this.file,
          `expected header 'image_name| comment_number| comment', got ${JSON.stringify(line)}`,
          1,
        );
      }
      return;
    }
    if (line.trim() === '') return;
    const [imageId, ...rest] = line.split('|');
    let caption: string | undefined;
    if (rest.length >= 2 && /^\s*\d+\s*$/.test(rest[0])) {
      caption = rest.slice(1).join('|').trim(); // a caption may itself hold a pipe
    } else if (rest.length === 1) {
      caption = MISSING_SECOND_PIPE.exec(rest[0])?.[2]?.trim();
      if (caption) this.recoveredRows++;
    }
    if (!caption || imageId.trim() === '') {
      throw new DatasetFormatError(
        this.file,
        `expected 'image_name| comment_number| comment', got ${JSON.stringify(line)}`,
        this.lineNumber,
      );
    }
    addCaption(this.table, imageId.trim(), caption);
  }

  result(): ParsedCsv {
    if (this.lineNumber === 0) {
      throw new DatasetFormatError(this.file, 'expected header \'image_name| comment_number| comment\', got ""', 1);
    }
    return { table: this.table, recoveredRows: this.recoveredRows };
  }
}

/** Parses the text of a Kaggle Flickr30k `results.csv`. */
export function parseKaggleResults(text: string, file: string): ParsedCsv {
  const parser = new KaggleResultsParser(file);
  for (const line of splitLines(text)) parser.push(line);
  return parser.result();
}

/** Reads a Kaggle Flickr30k `results.csv` from disk, streamed line by line. */
export async function readKaggleResults(file: string): Promise<ParsedCsv> {
  const parser = new KaggleResultsParser(file);
  for await (const line of readLines(file)) parser.push(line);
  return parser.result();
}

/** Reads `<dir>/results.csv` with images in `<dir>/flickr30k_images/` (the Kaggle layout). */
export async function readFlickr30kKaggle(dir: string, options: SplitOptions = {}): Promise<Dataset> {
  const file = join(dir, 'results.csv');
  const imagesDir = join(dir, 'flickr30k_images');
  const { table, recoveredRows } = await readKaggleResults(file);
  await requireDirectory(imagesDir);
  const splits = options.splitFile ? await readKarpathySplits(options.splitFile) : undefined;
  return buildDataset(table, { ...options, name: 'flickr30k', imagesDir, splits, recoveredRows });
}
