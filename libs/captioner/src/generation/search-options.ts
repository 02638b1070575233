/** Generation options; each field's default is its documentation. */
export interface SearchOptions {
  /** 1 = greedy decoding; > 1 = beam search with this many beams per image. */
  beamWidth: number;
  /** Most ids generated per caption (words plus the end marker). */
  maxLength: number;
  /** Ranking score = logProb / length ** lengthPenalty; 0 ranks by raw log-probability. */
  lengthPenalty: number;
  /** Decode with the key/value cache; false re-runs the decoder over the whole prefix each step. */
  useCache: boolean;
  /** n ≥ 1: no n-gram of words occurs twice in a caption (Hugging Face's `no_repeat_ngram_size`); 0 = off. */
  noRepeatNgramSize: number;
}

export const DEFAULT_SEARCH_OPTIONS: SearchOptions = {
  beamWidth: 1,
  maxLength: 35,
  lengthPenalty: 1,
  useCache: true,
  noRepeatNgramSize: 0,
};

/** Merges overrides over the defaults; unknown keys and out-of-range values are errors that name them. */
export function resolveSearchOptions(
  overrides: Partial<SearchOptions> = {},
  maxAllowedLength = Infinity,
): SearchOptions {
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_SEARCH_OPTIONS)) {
      throw new Error(
        `Unknown generation option "${key}"; allowed: ${Object.keys(DEFAULT_SEARCH_OPTIONS).join(', ')}.`,
      );
    }
  }
  const options = {
    ...DEFAULT_SEARCH_OPTIONS,
    maxLength: Math.min(DEFAULT_SEARCH_OPTIONS.maxLength, maxAllowedLength),
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  if (!Number.isInteger(options.beamWidth) || options.beamWidth < 1 || options.beamWidth > 16) {
    throw new Error(`beamWidth must be an integer from 1 to 16, got ${options.beamWidth}.`);
  }
  if (!Number.isInteger(options.maxLength) || options.maxLength < 1 || options.maxLength > maxAllowedLength) {
    throw new Error(`maxLength must be an integer from 1 to ${maxAllowedLength}, got ${options.maxLength}.`);
  }
  if (!Number.isFinite(options.lengthPenalty) || options.lengthPenalty < 0 || options.lengthPenalty > 5) {
    throw new Error(`lengthPenalty must be a number from 0 to 5, got ${options.lengthPenalty}.`);
  }
  if (!Number.isInteger(options.noRepeatNgramSize) || options.noRepeatNgramSize < 0 || options.noRepeatNgramSize > 10) {
    throw new Error(`noRepeatNgramSize must be an integer from 0 (off) to 10, got ${options.noRepeatNgramSize}.`);
  }
  if (typeof options.useCache !== 'boolean')
    throw new Error(`useCache must be true or false, got ${String(options.useCache)}.`);
  return options;
}
