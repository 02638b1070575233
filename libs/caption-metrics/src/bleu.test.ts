import { describe, expect, it } from 'vitest';
import { bleuScores } from './bleu.js';
import { expectClose } from './test-helpers/expect-close.js';

const image = (candidate: string, references: string[], id = 'img') => ({ id, candidate, references });

// pycocoevalcap adds 1e-15 to matches and 1e-9 to guesses and lengths; on these sizes that moves scores by about
// 1e-9 relative, so the hand-computed values below ignore it (except where a precision is exactly 0) and are
// compared at 1e-8 relative.
const SMOOTHED_ZERO = 1e-15 / 1e-9;
const HAND = 1e-8;

describe('bleuScores', () => {
  it('applies the brevity penalty exp(1 - r/c) to a short but exact candidate', () => {
    // c = 3, r = 6: every n-gram up to 3 matches; no 4-gram exists, so the 4-gram precision is the smoothed 0.
    const { corpus } = bleuScores([image('the cat sat', ['the cat sat on the mat'])]);
    const penalty = Math.exp(1 - 6 / 3);
    expectClose(corpus[0], penalty, HAND);
    expectClose(corpus[1], penalty, HAND);
    expectClose(corpus[2], penalty, HAND);
    expectClose(corpus[3], penalty * SMOOTHED_ZERO ** (1 / 4), HAND);
  });

  it('clips a repeated word at its largest count in any one reference', () => {
    // "the" x4 clipped to 2 (its count in the first reference; the second has 1); c = 4 = closest r → no penalty.
    const { corpus } = bleuScores([image('the the the the', ['the cat on the mat', 'the mat is there'])]);
    expectClose(corpus[0], 2 / 4, HAND);
    // "the the" never occurs in a reference: 0 of 3 bigrams, the smoothed zero, not NaN.
    expectClose(corpus[1], Math.sqrt((2 / 4) * (1e-15 / 3)), 1e-6);
  });

  it('takes the closest reference length, the shorter one on a tie', () => {
    // c = 4; references of length 3 and 5 are equally close → r = 3 < c, so no penalty (choosing 5 would give
    // exp(1 - 5/4) = 0.7788).
    const { corpus } = bleuScores([image('a b c d', ['a b c', 'a b c d e'])]);
    expectClose(corpus[0], 1, HAND);
  });

  it('pools matches and guesses over the corpus instead of averaging per-image scores', () => {
    // Image 1: 4/4 unigrams match; image 2: 0/2. Corpus BLEU-1 = 4/6, while the per-image mean would be 0.5.
    const { corpus, perImage } = bleuScores([image('a b c d', ['a b c d'], 'one'), image('x y', ['z w'], 'two')]);
    expectClose(corpus[0], 4 / 6, HAND);
    expectClose(perImage[0][0], 1, HAND);
    expect(perImage[1][0]).toBeLessThan(1e-6);
  });

  it('gives finite zeros, not NaN, for an empty candidate', () => {
    const { corpus, perImage } = bleuScores([image('', ['a dog runs'])]);
    for (const score of [...corpus, ...perImage[0]]) {
      expect(Number.isNaN(score)).toBe(false);
      expect(score).toBeLessThan(1e-100);
    }
  });

  it('scores a one-word candidate with only its unigram precision and the penalty', () => {
    // c = 1, r = 3; "dog" matches.
    const { perImage } = bleuScores([image('dog', ['a dog runs'])]);
    expectClose(perImage[0][0], Math.exp(1 - 3), HAND);
    expectClose(perImage[0][1], Math.exp(1 - 3) * Math.sqrt(SMOOTHED_ZERO), HAND);
  });
});
