import { captionWords } from '@imgcap/tokenizer';
import type { Dataset } from './types.js';

export interface FilterResult {
  dataset: Dataset;
  /** Captions dropped because START + words + END would not fit in `seqLength`. */
  filteredCaptions: number;
  /** Ids of images that lost every caption and were dropped with them. */
  imagesWithoutCaptions: string[];
}

/**
 * Drops captions longer than `seqLength - 2` words (the tokenizer gives one id per standardized word,
 * so this is exactly the count `WordTokenizer.encode` would need), then images left with no caption.
 */
export function filterCaptions(dataset: Dataset, seqLength: number): FilterResult {
  if (!Number.isInteger(seqLength) || seqLength < 3) {
    throw new RangeError(`seqLength must be an integer >= 3, got ${seqLength}`);
  }
  let filteredCaptions = 0;
  const imagesWithoutCaptions: string[] = [];
  const images = dataset.images.flatMap((image) => {
    const captions = image.captions.filter((caption) => captionWords(caption).length + 2 <= seqLength);
    filteredCaptions += image.captions.length - captions.length;
    if (captions.length === 0) {
      imagesWithoutCaptions.push(image.id);
      return [];
    }
    return [{ ...image, captions }];
  });
  return { dataset: { ...dataset, images }, filteredCaptions, imagesWithoutCaptions };
}
