import { MAX_NGRAM, countNgrams, splitWords } from './ngrams.js';
import type { ScoredImage } from './types.js';

// Width of the Gaussian length penalty, pycocoevalcap's default.
const SIGMA = 6;

/** A caption as tf-idf weights per n-gram order, with their norms and its length as CIDEr measures it. */
export interface TfIdfVector {
  weights: Map<string, number>[];
  norms: number[];
  length: number;
}

/**
 * CIDEr of each image, computed as pycocoevalcap's `cider` scorer (the one COCO reports as "CIDEr"): tf-idf with the
 * idf taken from the evaluated set's own references, clipped similarity, Gaussian length penalty, x10. We name it
 * CIDEr-D as the project does; pycocoevalcap's separate `ciderD` module (used as a training reward) is not this.
 * The corpus score is the mean of the per-image scores.
 */
export function ciderScores(images: readonly ScoredImage[]): number[] {
  const referenceCounts = images.map((image) => image.references.map((text) => countNgrams(splitWords(text))));
  const documentFrequency = countDocumentFrequency(referenceCounts);
  const logImageCount = Math.log(images.length);
  const toVector = (counts: Map<string, number>[]) => tfIdf(counts, documentFrequency, logImageCount);

  return images.map((image, i) => {
    const candidate = toVector(countNgrams(splitWords(image.candidate)));
    const summed = new Array<number>(MAX_NGRAM).fill(0);
    for (const reference of referenceCounts[i].map(toVector)) {
      similarity(candidate, reference).forEach((value, k) => (summed[k] += value));
    }
    const meanOverOrders = summed.reduce((a, b) => a + b, 0) / MAX_NGRAM;
    return (meanOverOrders / image.references.length) * 10;
  });
}

/** In how many images' reference sets each n-gram occurs (once per image however often it repeats). */
export function countDocumentFrequency(referenceCounts: Map<string, number>[][][]): Map<string, number> {
  const frequency = new Map<string, number>();
  for (const references of referenceCounts) {
    const seen = new Set<string>();
    for (const orders of references) for (const ofOrder of orders) for (const ngram of ofOrder.keys()) seen.add(ngram);
    for (const ngram of seen) frequency.set(ngram, (frequency.get(ngram) ?? 0) + 1);
  }
  return frequency;
}

export function tfIdf(
  counts: Map<string, number>[],
  documentFrequency: Map<string, number>,
  logImageCount: number,
): TfIdfVector {
  const norms = new Array<number>(MAX_NGRAM).fill(0);
  const weights = counts.map((ofOrder, k) => {
    const weighted = new Map<string, number>();
    for (const [ngram, termFrequency] of ofOrder) {
      // An n-gram no reference has gets df 1, so it weighs as much as the rarest reference n-gram.
      const weight = termFrequency * (logImageCount - Math.log(Math.max(1, documentFrequency.get(ngram) ?? 0)));
      weighted.set(ngram, weight);
      norms[k] += weight ** 2;
    }
    return weighted;
  });
  // pycocoevalcap measures length as the number of bigrams (its `if n == 1` is the bigram order), i.e.
  // max(0, words - 1). Kept as is: the difference equals the word-count difference whenever both are non-empty.
  let length = 0;
  for (const count of counts[1].values()) length += count;
  return { weights, norms: norms.map(Math.sqrt), length };
}

/** Clipped cosine similarity per n-gram order, times the Gaussian penalty on the length difference. */
export function similarity(candidate: TfIdfVector, reference: TfIdfVector): number[] {
  const delta = candidate.length - reference.length;
  const lengthPenalty = Math.exp(-(delta ** 2) / (2 * SIGMA ** 2));
  return candidate.weights.map((ofOrder, k) => {
    let value = 0;
    for (const [ngram, weight] of ofOrder) {
      const referenceWeight = reference.weights[k].get(ngram) ?? 0;
      value += Math.min(weight, referenceWeight) * referenceWeight;
    }
    // A zero norm (empty caption, or only n-grams every image has) leaves the raw sum, which is then 0, not NaN.
    if (candidate.norms[k] !== 0 && reference.norms[k] !== 0) value /= candidate.norms[k] * reference.norms[k];
    return value * lengthPenalty;
  });
}
