import type { ScoredImage } from './types.js';

// pycocoevalcap's beta, "updated based on discussion with Hovey": recall weighs 1.44x precision.
const BETA = 1.2;

/** ROUGE-L of each image, as pycocoevalcap's `Rouge.calc_score`; the corpus score is their mean. */
export function rougeLScores(images: readonly ScoredImage[]): number[] {
  return images.map(rougeL);
}

function rougeL(image: ScoredImage): number {
  // pycocoevalcap splits on single spaces here (not on whitespace runs as BLEU/CIDEr do); an empty caption is
  // then one empty token, which keeps the precision denominator non-zero.
  const candidate = image.candidate.split(' ');
  let bestPrecision = 0;
  let bestRecall = 0;
  for (const text of image.references) {
    const reference = text.split(' ');
    const lcs = longestCommonSubsequence(reference, candidate);
    bestPrecision = Math.max(bestPrecision, lcs / candidate.length);
    bestRecall = Math.max(bestRecall, lcs / reference.length);
  }
  if (bestPrecision === 0 || bestRecall === 0) return 0;
  const betaSquared = BETA ** 2;
  return ((1 + betaSquared) * bestPrecision * bestRecall) / (bestRecall + betaSquared * bestPrecision);
}

/** Length of the longest common subsequence of two token lists (one DP row kept). */
export function longestCommonSubsequence(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    previous = current;
  }
  return previous[b.length];
}
