/** BLEU and CIDEr both look at 1- to 4-grams. */
export const MAX_NGRAM = 4;

/** Python's `str.split()` with no argument: runs of whitespace separate words, no empty words. */
export function splitWords(tokenString: string): string[] {
  return tokenString.split(/\s+/).filter((word) => word.length > 0);
}

/**
 * Counts of every n-gram, n = 1..MAX_NGRAM; entry n-1 holds the n-grams. An n-gram's key is its words joined by
 * a space, which cannot occur inside a word, so keys are unique.
 */
export function countNgrams(words: readonly string[]): Map<string, number>[] {
  const counts: Map<string, number>[] = [];
  for (let n = 1; n <= MAX_NGRAM; n++) {
    const ofOrder = new Map<string, number>();
    for (let start = 0; start + n <= words.length; start++) {
      const key = words.slice(start, start + n).join(' ');
      ofOrder.set(key, (ofOrder.get(key) ?? 0) + 1);
    }
    counts.push(ofOrder);
  }
  return counts;
}
