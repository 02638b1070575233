import { describe, expect, it } from 'vitest';
import { ciderScores } from './cider.js';
import { expectClose } from './test-helpers/expect-close.js';

interface Case {
  candidate: string;
  references: string[];
}
const cider = (...cases: Case[]) => ciderScores(cases.map((c, i) => ({ id: String(i), ...c })));

describe('ciderScores', () => {
  it('gives 10 to a 4-word exact match whose n-grams no other image has', () => {
    // Every order's clipped cosine is 1 and the lengths agree → mean over n = 1 → x10.
    const [a, b] = cider(
      { candidate: 'a b c d', references: ['a b c d'] },
      { candidate: 'e f g h', references: ['e f g h'] },
    );
    expectClose(a, 10);
    expectClose(b, 10);
  });

  it('averages over the four n-gram orders, so a 2-word exact match scores 5', () => {
    // Orders 1 and 2 give 1; a 2-word caption has no 3- or 4-grams → (1 + 1 + 0 + 0) / 4 x 10.
    const [a] = cider({ candidate: 'a b', references: ['a b'] }, { candidate: 'c d', references: ['c d'] });
    expectClose(a, 5);
  });

  it('clips the candidate weight at the reference weight', () => {
    // idf = log 2 = L everywhere. Order 1: cand {a: 2L}, ref {a: L, b: L}: min(2L, L)·L / (2L · √2 L) = 1/(2√2)
    // (unclipped it would be 1/√2). Order 2: "a a" is not in the reference → 0.
    const [a] = cider({ candidate: 'a a', references: ['a b'] }, { candidate: 'c d', references: ['c d'] });
    expectClose(a, (1 / (2 * Math.SQRT2) / 4) * 10);
  });

  it('applies the Gaussian length penalty with sigma 6', () => {
    // Order 1: 2 of 8 unigrams → 2/(√2·√8) = 1/2. Order 2: 1 of 7 bigrams → 1/√7. Lengths differ by 6 → exp(-36/72).
    const [a] = cider({ candidate: 'a b', references: ['a b c d e f g h'] }, { candidate: 'z y', references: ['z y'] });
    expectClose(a, ((0.5 + 1 / Math.sqrt(7)) / 4) * Math.exp(-0.5) * 10);
  });

  it('averages over references', () => {
    // Ref 1 gives (1 + 1 + 0 + 0)/4, ref 2 shares nothing → 0.5 / 2 refs x 10 = 2.5.
    const [a, b] = cider({ candidate: 'a b', references: ['a b', 'x y'] }, { candidate: 'c d', references: ['c d'] });
    expectClose(a, 2.5);
    expectClose(b, 5);
  });

  it("takes idf from the evaluated set: an n-gram in every image's references weighs nothing", () => {
    // df("x") = 2 = number of images → idf 0 → the candidate's only vector is zero: a score of 0, not NaN.
    const [a] = cider({ candidate: 'x', references: ['a x'] }, { candidate: 'b x', references: ['b x'] });
    expect(a).toBe(0);
  });

  it('scores 0, not NaN, for an empty candidate and for a one-image set (idf = log 1 = 0)', () => {
    const [empty] = cider({ candidate: '', references: ['a b'] }, { candidate: 'c d', references: ['c d'] });
    expect(empty).toBe(0);
    const [alone] = cider({ candidate: 'a b', references: ['a b'] });
    expect(alone).toBe(0);
  });
});
