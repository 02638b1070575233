// Keras's `TextVectorization.adapt()` vocabulary (Keras 2.13, index_lookup.py `finalize_state`): every token of the
// standardized, whitespace-split texts counted; the mask '' and OOV '[UNK]' removed from the counts; sorted by
// `np.lexsort((tokens, counts))[::-1]` — count descending, ties by the tokens' UTF-8 bytes descending; cut to
// `max_tokens − 2` learned tokens; '' and '[UNK]' first.
import {
  KerasTextVectorizer,
  kerasSplit,
  kerasStandardize,
  SEED_MARKER_WORDS,
  type KerasStandardize,
} from './keras-text-vectorization.js';

export interface KerasAdaptOptions {
  /** `max_tokens`, the two special tokens included; null: every token. */
  maxTokens: number | null;
  standardize?: KerasStandardize;
}

/** The vocabulary `TextVectorization(max_tokens, standardize, split="whitespace").adapt(texts)` learns. */
export function adaptKerasVocabulary(texts: Iterable<string>, options: KerasAdaptOptions): string[] {
  const { maxTokens, standardize = 'lower_and_strip_punctuation' } = options;
  if (maxTokens !== null && (!Number.isInteger(maxTokens) || maxTokens < 3))
    throw new Error(`max_tokens must be an integer ≥ 3 (two special tokens and one word), got ${maxTokens}`);
  const counts = new Map<string, number>();
  for (const text of texts)
    for (const token of kerasSplit(kerasStandardize(text, standardize)))
      counts.set(token, (counts.get(token) ?? 0) + 1);
  counts.delete('');
  counts.delete('[UNK]');
  // numpy compares the tokens as bytes: UTF-8 order, which is code point order, not JavaScript's UTF-16 order.
  const entries = [...counts].map(([token, count]) => ({ token, count, bytes: Buffer.from(token, 'utf8') }));
  entries.sort((a, b) => b.count - a.count || Buffer.compare(b.bytes, a.bytes));
  const learned = maxTokens === null ? entries : entries.slice(0, maxTokens - 2);
  return ['', '[UNK]', ...learned.map((e) => e.token)];
}

/**
 * A `KerasTextVectorizer` adapted as the Keras project adapts its `TextVectorization` (pass the captions wrapped as
 * it wrapped them, `"<start> " + caption + " <end>"`, so the markers are words of the vocabulary).
 */
export function adaptTextVectorization(
  texts: Iterable<string>,
  options: KerasAdaptOptions & {
    outputSequenceLength?: number | null;
    markerWords?: { start: string; end: string };
  },
): KerasTextVectorizer {
  const standardize = options.standardize ?? 'lower_and_strip_punctuation';
  return new KerasTextVectorizer(
    adaptKerasVocabulary(texts, { maxTokens: options.maxTokens, standardize }),
    standardize,
    options.outputSequenceLength ?? null,
    options.markerWords ?? SEED_MARKER_WORDS,
  );
}
