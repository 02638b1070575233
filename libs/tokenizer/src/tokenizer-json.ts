import type { CaptionTokenizer } from './caption-tokenizer.js';
import { KERAS_TOKENIZER_FORMAT, KerasTextVectorizer } from './keras-text-vectorization.js';
import { TOKENIZER_FORMAT, WordTokenizer } from './word-tokenizer.js';

/** Reads a saved tokenizer of either kind, by its `format`; anything else is an error naming the formats read. */
export function tokenizerFromJSON(json: unknown): CaptionTokenizer {
  const format = (json as { format?: unknown } | null)?.format;
  if (format === TOKENIZER_FORMAT) return WordTokenizer.fromJSON(json);
  if (format === KERAS_TOKENIZER_FORMAT) return KerasTextVectorizer.fromJSON(json);
  throw new Error(
    `tokenizer JSON format must be '${TOKENIZER_FORMAT}' or '${KERAS_TOKENIZER_FORMAT}', got ${JSON.stringify(format)}`,
  );
}
