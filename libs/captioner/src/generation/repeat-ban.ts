/**
 * The ids that would complete an n-gram already in `words` (Hugging Face's `no_repeat_ngram_size`): with n = 4,
 * "a large red square and a large red" may not go on with "square" again, while "a small red circle and a small
 * red square" stays possible. n = 1 bans every word already used; n < 1 bans nothing (null).
 */
export function repeatedNgramBans(words: readonly number[], n: number): Set<number> | null {
  if (n < 1 || words.length < n) return null;
  const prefixStart = words.length - (n - 1);
  const bans = new Set<number>();
  for (let i = 0; i + n <= words.length; i++) {
    let match = true;
    for (let j = 0; j < n - 1 && match; j++) match = words[i + j] === words[prefixStart + j];
    if (match) bans.add(words[i + n - 1]!);
  }
  return bans;
}
