import { describe, expect, it } from 'vitest';
import { longestCommonSubsequence, rougeLScores } from './rouge.js';
import { expectClose } from './test-helpers/expect-close.js';

const rouge = (candidate: string, references: string[]) => rougeLScores([{ id: 'img', candidate, references }])[0];

// F with beta = 1.2, as pycocoevalcap: (1 + b²)PR / (R + b²P).
const fScore = (p: number, r: number) => (2.44 * p * r) / (r + 1.44 * p);

describe('rougeLScores', () => {
  it('scores the LCS F-measure with beta 1.2', () => {
    // LCS("a b c d", "a c d e f") = "a c d" = 3 → P = 3/4, R = 3/5 → 1.098 / 1.68.
    expectClose(rouge('a b c d', ['a c d e f']), fScore(3 / 4, 3 / 5));
    expectClose(rouge('a b c d', ['a c d e f']), 0.6535714285714286);
  });

  it('maximises precision and recall over the references separately', () => {
    // Ref 1 gives P = 0.5, R = 1; ref 2 gives P = 1, R = 0.5. Max P = max R = 1 → F = 1, although neither
    // reference alone scores above 0.71.
    expectClose(rouge('a b c d', ['a b', 'a b c d e f g h']), 1);
  });

  it('is 0 when nothing matches and for an empty candidate', () => {
    expect(rouge('x y', ['a b'])).toBe(0);
    expect(rouge('', ['a b'])).toBe(0);
  });

  it('handles a one-word candidate and repeated words', () => {
    // "dog" vs "a dog runs": LCS 1 → P = 1, R = 1/3.
    expectClose(rouge('dog', ['a dog runs']), fScore(1, 1 / 3));
    // "dog dog dog" vs "a dog runs": LCS 1 → P = 1/3, R = 1/3 → F = 1/3.
    expectClose(rouge('dog dog dog', ['a dog runs']), 1 / 3);
  });

  it('counts a longest common subsequence, not a substring', () => {
    expect(longestCommonSubsequence(['a', 'x', 'b', 'y', 'c'], ['a', 'b', 'c'])).toBe(3);
    expect(longestCommonSubsequence(['c', 'b', 'a'], ['a', 'b', 'c'])).toBe(1);
    expect(longestCommonSubsequence([], ['a'])).toBe(0);
  });
});
