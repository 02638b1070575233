import { MAX_NGRAM, countNgrams, splitWords } from './ngrams.js';
import type { ScoredImage } from './types.js';

// pycocoevalcap's guards: TINY keeps a zero match count at (almost) zero, SMALL avoids dividing by zero guesses.
const TINY = 1e-15;
const SMALL = 1e-9;

/** What BLEU needs from one image (pycocoevalcap's `cook_test` output with eff='closest'). */
interface BleuCounts {
  testLength: number;
  referenceLength: number;
  guess: number[];
  correct: number[];
}

export interface BleuResult {
  /** Cumulative BLEU-1..4 over the corpus. */
  corpus: number[];
  /** perImage[i][n-1]: BLEU-n of image i alone. */
  perImage: number[][];
}

/** BLEU-1..4 as pycocoevalcap's `Bleu(4).compute_score` (BleuScorer with option 'closest'). */
export function bleuScores(images: readonly ScoredImage[]): BleuResult {
  const total: BleuCounts = { testLength: 0, referenceLength: 0, guess: zeros(), correct: zeros() };
  const perImage: number[][] = [];
  for (const image of images) {
    const counts = bleuCounts(image);
    total.testLength += counts.testLength;
    total.referenceLength += counts.referenceLength;
    for (let k = 0; k < MAX_NGRAM; k++) {
      total.guess[k] += counts.guess[k];
      total.correct[k] += counts.correct[k];
    }
    perImage.push(cumulativeBleu(counts));
  }
  return { corpus: cumulativeBleu(total), perImage };
}

function bleuCounts(image: ScoredImage): BleuCounts {
  const referenceLengths: number[] = [];
  const maxReferenceCounts = new Map<string, number>();
  for (const reference of image.references) {
    const words = splitWords(reference);
    referenceLengths.push(words.length);
    for (const ofOrder of countNgrams(words)) {
      for (const [ngram, count] of ofOrder) {
        maxReferenceCounts.set(ngram, Math.max(maxReferenceCounts.get(ngram) ?? 0, count));
      }
    }
  }
  const candidateWords = splitWords(image.candidate);
  const testLength = candidateWords.length;
  const guess = zeros().map((_, k) => Math.max(0, testLength - k));
  const correct = zeros();
  countNgrams(candidateWords).forEach((ofOrder, k) => {
    for (const [ngram, count] of ofOrder) correct[k] += Math.min(maxReferenceCounts.get(ngram) ?? 0, count);
  });
  return { testLength, referenceLength: closestLength(referenceLengths, testLength), guess, correct };
}

/** The reference length closest to the candidate's; on a tie the shorter one (Python's min over (distance, length)). */
function closestLength(referenceLengths: readonly number[], testLength: number): number {
  let best = referenceLengths[0];
  for (const length of referenceLengths) {
    const distance = Math.abs(length - testLength);
    const bestDistance = Math.abs(best - testLength);
    if (distance < bestDistance || (distance === bestDistance && length < best)) best = length;
  }
  return best;
}

/** Geometric mean of the clipped precisions up to each n, times the brevity penalty, in pycocoevalcap's order. */
function cumulativeBleu(counts: BleuCounts): number[] {
  const scores: number[] = [];
  let product = 1;
  for (let k = 0; k < MAX_NGRAM; k++) {
    product *= (counts.correct[k] + TINY) / (counts.guess[k] + SMALL);
    scores.push(product ** (1 / (k + 1)));
  }
  const ratio = (counts.testLength + TINY) / (counts.referenceLength + SMALL);
  const brevityPenalty = ratio < 1 ? Math.exp(1 - 1 / ratio) : 1;
  return scores.map((score) => score * brevityPenalty);
}

function zeros(): number[] {
  return new Array<number>(MAX_NGRAM).fill(0);
}
