import { captionWords } from '@imgcap/tokenizer';
import type { Dataset } from './types.js';

export interface FilterResult {
  dataset: Dataset;
  /** Captions dropped because START + words + END would not fit in `seqLength`. */
  filteredCaptions: number;
  /** Captions dropped because nothing is left of them after standardization ("...", "!!!"): no word to learn. */
  emptyCaptions: number;
  /** Ids of images that lost every caption and were dropped with them. */
  imagesWithoutCaptions: string[];
}

/**
 * Drops captions longer than `seqLength - 2` words (the tokenizer gives one id per standardized word,
 * so this is exactly the count `WordTokenizer.encode` would need) and captions with no word at all,
 * then images left with no caption; each is counted.
 */
export function filterCaptions(dataset: Dataset, seqLength: number): FilterResult {
  if (!Number.isInteger(seqLength) || seqLength < 3) {
    throw new RangeError(`seqLength must be an integer >= 3, got ${seqLength}`);
  }
  let filteredCaptions = 0;
  let emptyCaptions = 0;
  const imagesWithoutCaptions: string[] = [];
  const images = dataset.images.flatMap((image) => {
    const words = image.captions.map((caption) => captionWords(caption).length);
    emptyCaptions += words.filter((n) => n === 0).length;
    const captions = image.captions.filter((_, i) => words[i]! > 0 && words[i]! + 2 <= seqLength);
    filteredCaptions += words.filter((n) => n + 2 > seqLength).length;
    if (captions.length === 0) {
      imagesWithoutCaptions.push(image.id);
      return [];
    }
    return [{ ...image, captions }];
  });
  return { dataset: { ...dataset, images }, filteredCaptions, emptyCaptions, imagesWithoutCaptions };
}
