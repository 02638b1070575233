import { mulberry32, shuffleInPlace } from './prng.js';
import type { Split, SplitFractions } from './types.js';

/** 90/5/5 by image: the held-out splits stay large enough for BLEU/CIDEr on Flickr-sized sets. */
export const DEFAULT_SPLIT_FRACTIONS: SplitFractions = { train: 0.9, val: 0.05, test: 0.05 };

export function validateSplitFractions(fractions: SplitFractions): void {
  const values = [fractions.train, fractions.val, fractions.test];
  if (values.some((v) => !Number.isFinite(v) || v < 0) || Math.abs(values.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
    throw new RangeError(`splitFractions must be non-negative and sum to 1, got ${JSON.stringify(fractions)}`);
  }
}

/**
 * Assigns each image (never each caption row) to one split: a seeded shuffle of the ids, then
 * consecutive slices. The same ids, seed and fractions always give the same assignment.
 */
export function assignSplitsByImage(
  imageIds: readonly string[],
  seed: number,
  fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS,
): Map<string, Split> {
  validateSplitFractions(fractions);
  // Sorting first makes the result independent of the order the reader saw the images in.
  const order = shuffleInPlace([...new Set(imageIds)].sort(), mulberry32(seed));
  const trainEnd = Math.round(order.length * fractions.train);
  const valEnd = trainEnd + Math.round(order.length * fractions.val);
  const splits = new Map<string, Split>();
  order.forEach((id, i) =>
    splits.set(id, i < trainEnd ? 'train' : i < Math.min(valEnd, order.length) ? 'val' : 'test'),
  );
  return splits;
}
